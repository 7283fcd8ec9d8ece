"""create-collaborative, create-network, create-site: idempotent, and loud on bad input."""

import pytest

from tracker.extensions import db
from tracker.models import Collaborative, Site


def run(runner, *args):
    return runner.invoke(args=list(args))


def state(app):
    with app.app_context():
        collaboratives = sorted(
            (c.name, c.parent.name if c.parent else None, str(c.starts_on or ""))
            for c in db.session.scalars(db.select(Collaborative)))
        sites = sorted((s.name, s.network.name, s.organisation)
                       for s in db.session.scalars(db.select(Site)))
        return collaboratives, sites


def build(runner):
    results = [
        run(runner, "create-collaborative", "--name", "Sepsis", "--aim", "Antibiotics in 1 h",
            "--starts", "2027-01-01", "--ends", "2027-12-31"),
        run(runner, "create-network", "--collaborative", "Sepsis", "--name", "Sepsis North"),
        run(runner, "create-site", "--collaborative", "Sepsis", "--network", "Sepsis North",
            "--name", "Gamma Hospital", "--organisation", "Gamma Trust"),
    ]
    assert [r.exit_code for r in results] == [0, 0, 0], [r.output for r in results]
    return [r.output for r in results]


def test_scripted_set_up_builds_and_then_changes_nothing(app, runner):
    assert build(runner) == [
        "Created the collaborative 'Sepsis'.\n",
        "Created the network 'Sepsis North' in 'Sepsis'.\n",
        "Created the site 'Gamma Hospital' in 'Sepsis North'.\n",
    ]
    expected = ([("Sepsis", None, "2027-01-01"), ("Sepsis North", "Sepsis", "")],
                [("Gamma Hospital", "Sepsis North", "Gamma Trust")])
    assert state(app) == expected
    again = build(runner)
    assert all("nothing changed" in line for line in again)
    assert state(app) == expected


@pytest.mark.parametrize("args,message", [
    (["create-collaborative", "--name", "X", "--aim", "A", "--starts", "2027-02-01",
      "--ends", "2027-01-01"], "end date must come after"),
    (["create-collaborative", "--name", "X", "--aim", "A", "--starts", "1 Feb"],
     "'1 Feb' does not match the format"),
    (["create-collaborative", "--name", " ", "--aim", "A"], "name is required"),
    (["create-network", "--collaborative", "Nope", "--name", "N"], "no such collaborative"),
    (["create-network", "--collaborative", "Sepsis North", "--name", "N"],
     "is a regional network of 'Sepsis'"),
    (["create-network", "--collaborative", "Sepsis", "--name", "Sepsis"],
     "is a national collaborative"),
    (["create-site", "--collaborative", "Sepsis", "--network", "Nope", "--name", "S"],
     "no such network"),
    (["create-site", "--collaborative", "Sepsis", "--network", "Sepsis North",
      "--name", "gamma hospital", "--organisation", "Other"], "nothing changed"),
])
def test_bad_input_is_refused_and_changes_nothing(app, runner, args, message):
    build(runner)
    before = state(app)
    result = run(runner, *args)
    assert message in result.output
    assert (result.exit_code == 0) == (message == "nothing changed")
    assert state(app) == before


def test_no_site_joins_an_archived_network(app, runner):
    build(runner)
    with app.app_context():
        network = db.session.scalars(db.select(Collaborative).filter_by(name="Sepsis North")).one()
        network.archived_at = network.created_at
        db.session.commit()
    result = run(runner, "create-site", "--collaborative", "Sepsis", "--network",
                 "Sepsis North", "--name", "Delta Hospital")
    assert result.exit_code != 0 and "is archived" in result.output
    assert [s[0] for s in state(app)[1]] == ["Gamma Hospital"]
