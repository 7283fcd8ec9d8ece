"""Entering data: the grid's per-cell validation and change log, and the ward tally."""

import re
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.concurrency.together import paused, run_together
from tracker.extensions import db
from tracker.measures import bundles, periods, services
from tracker.measures import tally as ward_tally
from tracker.measures.entries import Entry
from tracker.measures.views import data as data_views
from tracker.measures.views import definitions
from tracker.models import (
    DataKind,
    Frequency,
    Measure,
    MeasureValue,
    MeasureValueChange,
    Site,
    TallyEntry,
    User,
)


@pytest.fixture
def measure_id(app, world) -> int:
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="DrEaMing",
                                 definition="All three within 24 h.", frequency=Frequency.WEEKLY)
        db.session.commit()
        return measure.id


def weeks(n: int = 12) -> list:
    return periods.recent_periods(Frequency.WEEKLY, n)


def grid_post(**cells) -> dict:
    """Form data for a 12-week grid (newest first); cells like num0="5" set row 0's numerator."""
    data = {}
    names = {"num": "numerator", "den": "denominator", "val": "value", "note": "note"}
    for i, start in enumerate(weeks()):
        data[f"rows-{i}-period"] = start.isoformat()
        for short, name in names.items():
            data[f"rows-{i}-{name}"] = cells.get(f"{short}{i}", "")
    return data


def input_value(html: str, field_id: str) -> str | None:
    """The value attribute of the input with this id, whatever the attribute order."""
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html)
    value = tag and re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def stored(app, measure_id):
    with app.app_context():
        return {(v.period_start, v.site_id): (v.numerator, v.denominator, v.value, v.note)
                for v in db.session.scalars(db.select(MeasureValue).filter_by(
                    measure_id=measure_id))}


@pytest.mark.committed  # an edit and a save at once, each on a connection of its own
def test_a_kind_changed_as_the_first_numbers_are_saved_never_mixes_kinds(app, login, world,
                                                                         measure_id,
                                                                         monkeypatch):
    """Faculty make the measure (no data yet) a count while a nurse saves its first numbers
    as a proportion, each pausing after their checks for the other. Both hold the measure and
    read it again there: the save finds the kind changed and saves nothing, saying so (or the
    edit finds the data and keeps the kind); never a count holding numerators."""
    both, saved = threading.Barrier(2, timeout=2), threading.Event()
    # Both past their checks together; then the edit goes on once the save is done, if it
    # can be: the save must wait for it.
    monkeypatch.setattr(definitions, "_kind_kept", paused(
        definitions._kind_kept, both, then=lambda: saved.wait(timeout=1)))
    monkeypatch.setattr(data_views, "_valid", paused(data_views._valid, both))
    fay, amy = login("faculty"), login("member_a")
    edit = {"name": "DrEaMing", "kind": "outcome", "definition": "All three within 24 h.",
            "data_kind": "count", "unit": "", "direction": "increase", "target": "",
            "frequency": "weekly", "composite_id": "", "balances_id": "", "chart_type": "",
            "rule_set": "", "position": "0"}
    grid = f"/measures/{measure_id}/data?site_id={world.site_a}"
    sent = run_together({
        "edit": lambda: [fay.post(f"/measures/{measure_id}/edit", data=edit)],
        "save": lambda: [amy.post(grid, data=grid_post(num0="5", den0="10")), saved.set()],
    })
    with app.app_context():
        kind = db.session.get(Measure, measure_id).data_kind
    save = sent["save"][0]
    if kind == DataKind.COUNT:  # the edit first: the numbers were refused, with the reason
        assert stored(app, measure_id) == {}
        if save.status_code == 409:  # refused with the reason, in the grid's alert
            assert "was changed a moment ago, so nothing was saved" in save.get_data(True)
        else:  # begun after the edit's commit (a busy machine): read as a count, whose grid
            # has no numerators: nothing to save
            assert "Saved: 0" in amy.get(save.location).get_data(True)
    else:
        assert kind == DataKind.PROPORTION and len(stored(app, measure_id)) == 1
        assert "already has data" in sent["edit"][0].get_data(True)


def test_a_save_checked_against_an_old_kind_is_refused(app, world, measure_id):
    """save_entries reads the kind again once it holds the measure."""
    with app.app_context():
        measure = db.session.get(Measure, measure_id)  # a proportion, as the entries are
        db.session.execute(sa.update(Measure).where(Measure.id == measure_id)
                           .values(data_kind=DataKind.COUNT)
                           .execution_options(synchronize_session=False))
        entry = Entry(world.site_a, weeks()[0], numerator=5, denominator=10)
        with pytest.raises(services.DefinitionChanged):
            services.save_entries(measure, [entry], by=db.session.get(User, world.member_a),
                                  source="grid")


def test_grid_lists_periods_newest_first_with_stored_values(app, login, world, measure_id):
    with app.app_context():
        f.make_values(db.session.get(Measure, measure_id), db.session.get(Site, world.site_a),
                      [(7, 10)], note="Short-staffed")
        db.session.commit()
    html = login("member_a").get(f"/measures/{measure_id}/data?site_id={world.site_a}")
    html = html.get_data(True)
    assert html.count('class="grid-row"') == 12
    assert f'value="{weeks()[0].isoformat()}"' in html
    assert input_value(html, "rows-0-numerator") == "7"
    assert 'value="Short-staffed"' in html
    assert ">70%</output>" in html
    assert f"Numerator, {periods.label(weeks()[0], Frequency.WEEKLY)}" in html  # labelled


def test_grid_saves_valid_cells_and_records_every_change(app, login, world, measure_id):
    client = login("member_a")
    response = client.post(f"/measures/{measure_id}/data?site_id={world.site_a}",
                           data=grid_post(num0="15", den0="20", num1="0", den1="18",
                                          note1="Norovirus"))
    assert response.status_code == 302
    assert response.location.endswith(f"/measures/{measure_id}?site_id={world.site_a}")
    w = weeks()
    assert stored(app, measure_id) == {(w[0], world.site_a): (15, 20, None, ""),
                                       (w[1], world.site_a): (0, 18, None, "Norovirus")}
    # Change 15/20 → 16/20 and clear week 1: both recorded, old → new.
    client.post(f"/measures/{measure_id}/data?site_id={world.site_a}",
                data=grid_post(num0="16", den0="20"))
    assert stored(app, measure_id) == {(w[0], world.site_a): (16, 20, None, "")}
    with app.app_context():
        changes = db.session.scalars(db.select(MeasureValueChange).order_by(
            MeasureValueChange.id)).all()
        log = [(c.period_start, c.old_numerator, c.old_denominator, c.new_numerator,
                c.new_denominator, c.source, c.changed_by_id) for c in changes]
    assert sorted(log, key=str) == sorted([
        (w[0], None, None, 15, 20, "grid", world.member_a),
        (w[1], None, None, 0, 18, "grid", world.member_a),
        (w[0], 15, 20, 16, 20, "grid", world.member_a),
        (w[1], 0, 18, None, None, "grid", world.member_a),
    ], key=str)


def test_saving_the_same_numbers_changes_nothing(app, login, world, measure_id):
    client = login("member_a")
    url = f"/measures/{measure_id}/data?site_id={world.site_a}"
    client.post(url, data=grid_post(num0="3", den0="4"))
    client.post(url, data=grid_post(num0="3", den0="4"))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(MeasureValueChange.id))) == 1


@pytest.mark.parametrize("cells,cell,message", [
    ({"num2": "abc", "den2": "10"}, "rows-2-numerator", "“abc” is not a number"),
    ({"num2": "-1", "den2": "10"}, "rows-2-numerator", "cannot be negative"),
    ({"num2": "2.5", "den2": "10"}, "rows-2-numerator", "without decimals"),
    ({"num2": "11", "den2": "10"}, "rows-2-numerator",
     "The numerator (11) is more than the denominator (10)."),
    ({"num2": "5"}, "rows-2-denominator", "Enter the denominator too"),
    ({"den2": "5"}, "rows-2-numerator", "Enter the numerator too"),
])
def test_a_bad_cell_gets_its_message_and_nothing_is_saved(app, login, world, measure_id,
                                                          cells, cell, message):
    data = grid_post(num0="15", den0="20", note0="Kept note", **cells)
    response = login("member_a").post(f"/measures/{measure_id}/data?site_id={world.site_a}",
                                      data=data)
    html = response.get_data(True)
    assert response.status_code == 200
    error = re.search(rf'<div id="{cell}-error" class="invalid-feedback d-block">([^<]*)</div>',
                      html)
    assert error and message in error.group(1).replace("&#34;", '"')
    assert f'aria-describedby="{cell}-error"' in html and 'aria-invalid="true"' in html
    # The other cells keep what was typed; nothing was saved.
    assert input_value(html, "rows-0-numerator") == "15"
    assert 'value="Kept note"' in html
    assert "Nothing was saved" in html
    assert stored(app, measure_id) == {}


def test_every_bad_cell_is_reported_at_once(app, login, world, measure_id):
    html = login("member_a").post(f"/measures/{measure_id}/data?site_id={world.site_a}",
                                  data=grid_post(num0="x", den0="1", num3="9", den3="3")
                                  ).get_data(True)
    assert 'id="rows-0-numerator-error"' in html and 'id="rows-3-numerator-error"' in html


@pytest.mark.parametrize("period,message", [
    (lambda: weeks()[0] + timedelta(weeks=1), "is in the future"),
    (lambda: weeks()[0] + timedelta(days=2), "is not a Monday"),
    (lambda: "yesterday", "Not a valid period."),
    (lambda: date(1999, 12, 27), "27 Dec 1999 is before 2000: check the year."),  # a Monday
])
def test_periods_must_be_aligned_and_not_in_the_future(app, login, world, measure_id,
                                                       period, message):
    data = grid_post(num0="1", den0="2")
    value = period()
    data["rows-0-period"] = value if isinstance(value, str) else value.isoformat()
    html = login("member_a").post(f"/measures/{measure_id}/data?site_id={world.site_a}",
                                  data=data).get_data(True)
    assert message in html
    assert stored(app, measure_id) == {}


def test_monthly_periods_start_on_the_first(app, login, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative, definition="m",
                                 frequency=Frequency.MONTHLY)
        db.session.commit()
        measure_id = measure.id
    months = periods.recent_periods(Frequency.MONTHLY, 12)
    html = login("member_a").get(f"/measures/{measure_id}/data?site_id={world.site_a}")
    assert f'value="{months[0].isoformat()}"' in html.get_data(True)
    data = {"rows-0-period": months[0].replace(day=2).isoformat(), "rows-0-numerator": "1",
            "rows-0-denominator": "2"}
    html = login("member_a").post(f"/measures/{measure_id}/data?site_id={world.site_a}",
                                  data=data).get_data(True)
    assert "is not the 1st of a month" in html


def test_count_measures_take_whole_numbers(app, login, world):
    with app.app_context():
        falls = f.make_measure(world.collaborative, data_kind=DataKind.COUNT, definition="d",
                               frequency=Frequency.WEEKLY)
        db.session.commit()
        falls_id = falls.id
    url = f"/measures/{falls_id}/data?site_id={world.site_a}"
    html = login("member_a").post(url, data=grid_post(val0="1.5")).get_data(True)
    assert 'id="rows-0-value-error"' in html and "without decimals" in html
    assert login("member_a").post(url, data=grid_post(val0="2")).status_code == 302
    assert stored(app, falls_id) == {(weeks()[0], world.site_a): (None, None, 2.0, "")}


def test_nhs_number_in_a_note_is_refused_and_the_rest_kept(app, login, world, measure_id):
    html = login("member_a").post(
        f"/measures/{measure_id}/data?site_id={world.site_a}",
        data=grid_post(num0="1", den0="2", note0="Pt 943 476 5919 fell")).get_data(True)
    assert "looks like an NHS number" in html and input_value(html, "rows-0-numerator") == "1"
    assert stored(app, measure_id) == {}


@pytest.mark.parametrize("who,status", [
    ("member_a", 200), ("lead_a", 200), ("member_b", 403), ("lead_b", 403),
    ("faculty", 403), ("partner", 403), ("admin", 403)])
def test_only_the_sites_team_edits_its_data(app, login, world, measure_id, who, status):
    client = login(who)
    url = f"/measures/{measure_id}/data?site_id={world.site_a}"
    assert client.get(url).status_code == status
    response = client.post(url, data=grid_post(num0="1", den0="2"))
    assert response.status_code == (302 if status == 200 else 403)
    assert bool(stored(app, measure_id)) == (status == 200)


# --------------------------------------------------------------------------- ward tally


@pytest.fixture
def bundle(app, world) -> dict:
    with app.app_context():
        dream = f.make_measure(world.collaborative, name="DrEaMing", definition="All three.")
        parts = {name: f.make_measure(world.collaborative, name=name, composite_id=dream.id,
                                      definition=f"{name} within 24 h.", position=i)
                 for i, name in enumerate(("Drink", "Eat", "Mobilise"))}
        db.session.commit()
        return {"dream": dream.id, **{k: m.id for k, m in parts.items()}}


def tally(client, bundle, site_id, drink, eat, mobilise, period=None):
    data = {"period": (period or weeks()[0]).isoformat(),
            f"component_{bundle['Drink']}": drink, f"component_{bundle['Eat']}": eat,
            f"component_{bundle['Mobilise']}": mobilise}
    return client.post(f"/measures/{bundle['dream']}/tally?site_id={site_id}", data=data)


def week_numbers(app, bundle, site_id, week=None) -> dict:
    week = week or weeks()[0]
    with app.app_context():
        rows = db.session.scalars(db.select(MeasureValue).filter_by(
            site_id=site_id, period_start=week)).all()
        names = {v: k for k, v in bundle.items()}
        return {names[r.measure_id]: (r.numerator, r.denominator) for r in rows}


def test_tally_adds_patients_to_the_bundle_and_each_component(app, login, world, bundle):
    client = login("member_a")
    page = client.get(f"/measures/{bundle['dream']}/tally?site_id={world.site_a}")
    html = page.get_data(True)
    assert "Drink?" in html and "Mobilise?" in html and "no patients yet" in html
    assert tally(client, bundle, world.site_a, "yes", "yes", "yes").status_code == 302
    tally(client, bundle, world.site_a, "yes", "no", "yes")
    tally(client, bundle, world.site_a, "no", "no", "no")
    assert week_numbers(app, bundle, world.site_a) == {
        "dream": (1, 3), "Drink": (2, 3), "Eat": (1, 3), "Mobilise": (2, 3)}
    html = client.get(f"/measures/{bundle['dream']}/tally?site_id={world.site_a}")
    assert "1 of 3 (33.3%)" in html.get_data(True)
    with app.app_context():
        entries = db.session.scalars(db.select(TallyEntry)).all()
        assert [e.met_all for e in entries] == [True, False, False]
        assert entries[1].results == {str(bundle["Drink"]): True, str(bundle["Eat"]): False,
                                      str(bundle["Mobilise"]): True}
        sources = set(db.session.scalars(db.select(MeasureValueChange.source)))
        assert sources == {"tally"}


def test_a_tally_reckoned_for_parts_changed_since_is_refused(app, world, bundle):
    """add_tally reads the bundle's measures again once it holds them: a part made a count
    (possible while it has no data) after the tally page was opened counts no one."""
    with app.app_context():
        held = bundles.bundle_of(db.session.get(Measure, bundle["dream"]))
        db.session.execute(sa.update(Measure).where(Measure.id == bundle["Eat"])
                           .values(data_kind=DataKind.COUNT)
                           .execution_options(synchronize_session=False))
        with pytest.raises(ward_tally.TallyRefused, match="changed a moment ago"):
            ward_tally.add_tally(held, db.session.get(Site, world.site_a), weeks()[0],
                                 {bundle[p]: True for p in ("Drink", "Eat", "Mobilise")},
                                 by=db.session.get(User, world.member_a))


def test_undo_takes_off_only_my_last_patient(app, login, world, bundle):
    with app.app_context():
        f.make_user(site=db.session.get(Site, world.site_a), email="hca@example.org")
        db.session.commit()
        from tracker.models import User

        hca = db.session.scalars(db.select(User).filter_by(email="hca@example.org")).one()
        token = hca.session_token
    me, colleague = login("member_a"), app.test_client()
    with colleague.session_transaction() as session:
        session["_user_id"] = token
    tally(me, bundle, world.site_a, "yes", "yes", "yes")
    tally(me, bundle, world.site_a, "no", "yes", "no")
    tally(colleague, bundle, world.site_a, "yes", "yes", "no")
    url = f"/measures/{bundle['dream']}/tally/undo?site_id={world.site_a}"
    assert me.post(url).status_code == 302
    assert week_numbers(app, bundle, world.site_a) == {
        "dream": (1, 2), "Drink": (2, 2), "Eat": (2, 2), "Mobilise": (1, 2)}
    me.post(url)
    assert week_numbers(app, bundle, world.site_a) == {
        "dream": (0, 1), "Drink": (1, 1), "Eat": (1, 1), "Mobilise": (0, 1)}
    response = me.post(url, follow_redirects=True)
    assert "no tally of yours to undo" in response.get_data(True)
    colleague.post(url)
    assert week_numbers(app, bundle, world.site_a) == {}  # back to no data, as before
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(TallyEntry.id)).where(
            TallyEntry.undone_at.is_(None))) == 0


def test_undo_refuses_when_the_numbers_were_changed_since(app, login, world, bundle):
    client = login("member_a")
    tally(client, bundle, world.site_a, "yes", "yes", "yes")
    with app.app_context():
        row = db.session.scalars(db.select(MeasureValue).filter_by(
            measure_id=bundle["Eat"])).one()
        row.numerator = row.denominator = 0  # corrected in the grid meanwhile
        db.session.commit()
    response = client.post(f"/measures/{bundle['dream']}/tally/undo?site_id={world.site_a}",
                           follow_redirects=True)
    assert "cannot be undone automatically" in response.get_data(True)
    assert week_numbers(app, bundle, world.site_a)["dream"] == (1, 1)  # nothing half-undone


def test_tally_needs_an_answer_for_every_component(app, login, world, bundle):
    data = {"period": weeks()[0].isoformat(), f"component_{bundle['Drink']}": "yes"}
    html = login("member_a").post(f"/measures/{bundle['dream']}/tally?site_id={world.site_a}",
                                  data=data).get_data(True)
    assert "Choose yes or no for Eat." in html and "Choose yes or no for Mobilise." in html
    assert week_numbers(app, bundle, world.site_a) == {}


def test_tally_only_for_bundles_and_only_for_the_team(app, login, world, bundle):
    assert login("member_a").get(
        f"/measures/{bundle['Drink']}/tally?site_id={world.site_a}").status_code == 404
    assert tally(login("member_b"), bundle, world.site_a, "yes", "yes", "yes"
                 ).status_code == 403
    assert login("faculty").post(
        f"/measures/{bundle['dream']}/tally/undo?site_id={world.site_a}").status_code == 403
    future = weeks()[0] + timedelta(weeks=1)
    html = tally(login("member_a"), bundle, world.site_a, "yes", "yes", "yes",
                 period=future).get_data(True)
    assert "Not a valid choice" in html
