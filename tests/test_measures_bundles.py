"""An all-or-none bundle and its parts agree for every week, whichever way the numbers come:
typed in the grid, imported from a file, tallied patient by patient, or a tally undone."""

import re

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.measures import bundles, periods
from tracker.models import DataKind, Frequency, MeasureValue, Site, TallyEntry

from .test_measures_data import input_value
from .test_measures_import import confirm, csv_bytes, preview_url, upload

WEEKS = periods.recent_periods(Frequency.WEEKLY, 12)  # newest first, as the grid shows them
PARTS = ("Drink", "Eat", "Mobilise")


@pytest.fixture
def bundle(app, world) -> dict:
    with app.app_context():
        dream = f.make_measure(world.collaborative, name="DrEaMing", definition="All three.",
                               frequency=Frequency.WEEKLY)
        parts = {name: f.make_measure(world.collaborative, name=name, composite_id=dream.id,
                                      definition=f"{name} within 24 h.", position=i,
                                      frequency=Frequency.WEEKLY)
                 for i, name in enumerate(PARTS)}
        db.session.commit()
        return {"dream": dream.id, **{k: m.id for k, m in parts.items()}}


def put(app, bundle, site_id, week=WEEKS[0], **numbers) -> None:
    """Store a week's numbers directly, e.g. put(..., dream=(14, 20), Drink=(18, 20))."""
    with app.app_context():
        for name, (num, den) in numbers.items():
            db.session.add(MeasureValue(measure_id=bundle[name], site_id=site_id,
                                        period_start=week, numerator=num, denominator=den))
        db.session.commit()


def week_numbers(app, bundle, site_id, week=WEEKS[0]) -> dict:
    with app.app_context():
        rows = db.session.scalars(db.select(MeasureValue).filter_by(
            site_id=site_id, period_start=week)).all()
        names = {v: k for k, v in bundle.items()}
        return {names[r.measure_id]: (r.numerator, r.denominator) for r in rows}


def grid(client, measure_id, site_id, num="", den="", row=0):
    """Save the 12-week grid with one row typed (row 0 is this week)."""
    data = {}
    for i, start in enumerate(WEEKS):
        data[f"rows-{i}-period"] = start.isoformat()
        typed = i == row
        data[f"rows-{i}-numerator"] = num if typed else ""
        data[f"rows-{i}-denominator"] = den if typed else ""
    return client.post(f"/measures/{measure_id}/data?site_id={site_id}", data=data)


def tally(client, bundle, site_id, drink, eat, mobilise, week=WEEKS[0]):
    data = {"period": week.isoformat(), f"component_{bundle['Drink']}": drink,
            f"component_{bundle['Eat']}": eat, f"component_{bundle['Mobilise']}": mobilise}
    return client.post(f"/measures/{bundle['dream']}/tally?site_id={site_id}", data=data)


def cell_error(html: str, cell: str) -> str:
    found = re.search(rf'<div id="{cell}-error" class="invalid-feedback d-block">([^<]*)</div>',
                      html)
    assert found, f"no error next to {cell}"
    assert f'aria-describedby="{cell}-error"' in html
    return found.group(1).replace("&#39;", "'")


def test_a_patient_tallied_onto_a_bundle_typed_alone_is_refused(app, login, world, bundle):
    """The issue's case: 14/20 typed for the bundle, then one tally patient, used to give the
    bundle 15 of 21 and each part 1 of 1. Now the tally says why it cannot add the patient."""
    client = login("member_a")
    assert grid(client, bundle["dream"], world.site_a, "14", "20").status_code == 302
    page = client.get(f"/measures/{bundle['dream']}/tally?site_id={world.site_a}")
    assert "were entered for DrEaMing only" in page.get_data(True)
    response = tally(client, bundle, world.site_a, "yes", "no", "yes")
    html = response.get_data(True)
    assert response.status_code == 200
    assert "were entered for DrEaMing only" in cell_error(html, "period")
    assert "Nothing was saved" in html
    # The answers given are still chosen.
    assert re.search(rf'id="component_{bundle["Eat"]}-1"[^>]*checked', html)
    assert week_numbers(app, bundle, world.site_a) == {"dream": (14, 20)}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(TallyEntry.id))) == 0


def test_a_patient_tallied_onto_a_week_typed_in_full_is_added_to_each(app, login, world,
                                                                    bundle):
    put(app, bundle, world.site_a, WEEKS[1], dream=(5, 10), Drink=(8, 10), Eat=(6, 10),
        Mobilise=(7, 10))
    response = tally(login("member_a"), bundle, world.site_a, "yes", "yes", "yes", WEEKS[1])
    assert response.status_code == 302
    assert week_numbers(app, bundle, world.site_a, WEEKS[1]) == {
        "dream": (6, 11), "Drink": (9, 11), "Eat": (7, 11), "Mobilise": (8, 11)}


def test_the_tally_and_grid_pages_state_the_rule(app, login, world, bundle):
    client = login("member_a")
    tally_page = client.get(f"/measures/{bundle['dream']}/tally?site_id={world.site_a}")
    assert "the same patients" in tally_page.get_data(True)
    for name in ("dream", "Eat"):
        html = client.get(f"/measures/{bundle[name]}/data?site_id={world.site_a}").get_data(True)
        assert "the same patients" in html and "DrEaMing" in html


@pytest.mark.parametrize("parts,typed,cell,message", [
    # More patients meeting the whole bundle than meet one of its parts.
    ({"Drink": (18, 20), "Eat": (15, 20), "Mobilise": (16, 20)}, ("16", "20"), "numerator",
     "Only 15 of 20 patients met Eat this week, so no more than 15 can have met the whole "
     "DrEaMing bundle."),
    # A different number of eligible patients.
    ({"Drink": (18, 20)}, ("14", "21"), "denominator",
     "The bundle and its parts count the same patients: Drink has 20 this week, not 21."),
    # Fewer than the parts force: everyone drank and ate, 19 of 20 mobilised.
    ({"Drink": (20, 20), "Eat": (20, 20), "Mobilise": (19, 20)}, ("14", "20"), "numerator",
     "With Drink 20 of 20, Eat 20 of 20 and Mobilise 19 of 20 this week, at least 19 patients "
     "met all of them, so DrEaMing cannot be 14 of 20."),
])
def test_the_grid_refuses_a_bundle_number_its_parts_contradict(app, login, world, bundle,
                                                               parts, typed, cell, message):
    put(app, bundle, world.site_a, **parts)
    response = grid(login("member_a"), bundle["dream"], world.site_a, *typed)
    html = response.get_data(True)
    assert response.status_code == 200
    assert message in cell_error(html, f"rows-0-{cell}")
    assert input_value(html, "rows-0-numerator") == typed[0]  # what was typed is kept
    assert "Nothing was saved" in html
    assert week_numbers(app, bundle, world.site_a) == parts


@pytest.mark.parametrize("typed,cell,message", [
    (("12", "20"), "numerator", "14 of 20 patients met the whole DrEaMing bundle this week, so "
                                "at least 14 met Eat."),
    (("15", "22"), "denominator",
     "The bundle and its parts count the same patients: DrEaMing has 20 this week, not 22."),
])
def test_the_grid_refuses_a_part_that_contradicts_its_bundle(app, login, world, bundle, typed,
                                                             cell, message):
    put(app, bundle, world.site_a, dream=(14, 20))
    response = grid(login("member_a"), bundle["Eat"], world.site_a, *typed)
    assert response.status_code == 200
    assert message in cell_error(response.get_data(True), f"rows-0-{cell}")
    assert week_numbers(app, bundle, world.site_a) == {"dream": (14, 20)}


def test_numbers_that_agree_are_saved_and_clearing_is_always_allowed(app, login, world,
                                                                     bundle):
    client = login("member_a")
    put(app, bundle, world.site_a, dream=(14, 20), Drink=(1, 1))  # disagreeing, from before
    assert grid(client, bundle["Eat"], world.site_a, "15", "21").status_code == 200  # no
    assert grid(client, bundle["Drink"], world.site_a).status_code == 302  # cleared
    assert grid(client, bundle["Eat"], world.site_a, "15", "20").status_code == 302
    assert week_numbers(app, bundle, world.site_a) == {"dream": (14, 20), "Eat": (15, 20)}


def bundle_file(rows) -> bytes:
    return csv_bytes([["Week commencing", "Numerator", "Denominator"],
                      *[[w.isoformat(), n, d] for w, n, d in rows]])


def test_an_import_lists_rows_that_contradict_the_parts_and_imports_nothing(app, login,
                                                                          world, bundle):
    put(app, bundle, world.site_a, WEEKS[1], Drink=(10, 20))
    client = login("member_a")
    url = preview_url(upload(client, bundle["dream"], world.site_a,
                             bundle_file([(WEEKS[2], 5, 10), (WEEKS[1], 12, 20)])))
    html = client.get(url).get_data(True)
    assert ("Row 3: Numerator: Only 10 of 20 patients met Drink this week, so no more than 10 "
            "can have met the whole DrEaMing bundle.") in html
    assert confirm(client, url).status_code == 200
    assert week_numbers(app, bundle, world.site_a, WEEKS[2]) == {}


def test_an_import_confirmed_after_the_parts_changed_saves_nothing(app, login, world, bundle):
    client = login("member_a")
    url = preview_url(upload(client, bundle["dream"], world.site_a,
                             bundle_file([(WEEKS[2], 5, 10), (WEEKS[1], 12, 20)])))
    assert "2 rows ready" in client.get(url).get_data(True)
    put(app, bundle, world.site_a, WEEKS[1], Mobilise=(11, 20))  # typed meanwhile
    response = confirm(client, url)
    assert response.status_code == 200
    assert "Row 3: Numerator: Only 11 of 20 patients met Mobilise" in response.get_data(True)
    assert week_numbers(app, bundle, world.site_a, WEEKS[2]) == {}
    assert week_numbers(app, bundle, world.site_a, WEEKS[1]) == {"Mobilise": (11, 20)}


def test_an_undo_that_would_leave_the_week_contradictory_is_refused(app, login, world, bundle):
    put(app, bundle, world.site_a, dream=(5, 10), Drink=(5, 10), Eat=(5, 10),
        Mobilise=(5, 10))
    client = login("member_a")
    tally(client, bundle, world.site_a, "yes", "no", "no")  # drank only
    assert week_numbers(app, bundle, world.site_a)["Drink"] == (6, 11)
    with app.app_context():  # corrected in the grid meanwhile: one fewer drank
        row = db.session.scalars(db.select(MeasureValue).filter_by(
            measure_id=bundle["Drink"])).one()
        row.numerator = 5
        db.session.commit()
    response = client.post(f"/measures/{bundle['dream']}/tally/undo?site_id={world.site_a}",
                           follow_redirects=True)
    assert "cannot be undone automatically" in response.get_data(True)
    assert week_numbers(app, bundle, world.site_a) == {
        "dream": (5, 11), "Drink": (5, 11), "Eat": (5, 11), "Mobilise": (5, 11)}


def test_only_the_bundle_site_and_week_are_compared(app, login, world, bundle):
    # Beta's numbers, and Alpha's other weeks, never stand in the way of Alpha's week.
    put(app, bundle, world.site_b, Drink=(1, 2))
    put(app, bundle, world.site_a, WEEKS[1], Drink=(1, 2))
    with app.app_context():
        other = f.make_measure(world.collaborative, name="Unrelated",
                               frequency=Frequency.WEEKLY)
        f.make_values(other, db.session.get(Site, world.site_a), [(1, 3)], start=WEEKS[0])
        db.session.commit()
    assert grid(login("member_a"), bundle["dream"], world.site_a, "14", "20").status_code == 302


class M:
    """A stand-in measure: what the rule reads of one."""

    def __init__(self, id: int, name: str, frequency: Frequency = Frequency.WEEKLY):
        self.id, self.name, self.frequency = id, name, frequency


TOP, DRINK, EAT = M(1, "Bundle"), M(2, "Drink"), M(3, "Eat")
PAIR = bundles.Bundle(TOP, (DRINK, EAT))


@pytest.mark.parametrize("week,changed,cell", [
    ({}, TOP, None),  # nothing typed
    ({1: (3, 5)}, TOP, None),  # the bundle alone
    ({2: (3, 5)}, DRINK, None),  # one part alone
    ({1: (3, 5), 2: (4, 5)}, TOP, None),
    ({1: (3, 5), 2: (3, 5), 3: (3, 5)}, TOP, None),  # everyone who drank also ate
    ({1: (1, 5), 2: (3, 5), 3: (3, 5)}, TOP, None),  # 3 + 3 − 5: at least 1 met both
    ({1: (0, 5), 2: (3, 5), 3: (3, 5)}, TOP, "numerator"),
    ({1: (0, 5), 2: (3, 5), 3: (3, 5)}, EAT, "numerator"),  # the last part entered
    ({1: (4, 5), 2: (3, 5)}, TOP, "numerator"),
    ({1: (4, 5), 2: (3, 5)}, DRINK, "numerator"),
    ({1: (3, 5), 2: (3, 6)}, DRINK, "denominator"),
    ({1: (0, 0), 2: (0, 0), 3: (0, 0)}, TOP, None),  # a week without eligible patients
    ({2: (3, 6)}, TOP, None),  # cleared: never a contradiction
])
def test_the_rule_in_a_table(week, changed, cell):
    found = bundles.contradiction(PAIR, week, changed)
    assert (found[0] if found else None) == cell


def test_the_tally_is_offered_only_where_it_opens(app, login, world, bundle):
    client = login("member_a")
    page = f"/measures/{bundle['dream']}?site_id={world.site_a}"
    tally_link = f"/measures/{bundle['dream']}/tally?site_id={world.site_a}"
    assert tally_link in client.get(page).get_data(True)
    assert client.get(tally_link).status_code == 200
    with app.app_context():  # a part counted, not a proportion: no patient-by-patient tally
        f.make_measure(world.collaborative, name="Falls", composite_id=bundle["dream"],
                       data_kind=DataKind.COUNT)
        db.session.commit()
    assert tally_link not in client.get(page).get_data(True)
    assert client.get(tally_link).status_code == 404


def test_a_monthly_bundle_speaks_of_months():
    from tracker.models import Measure

    top = Measure(id=1, name="DrEaMing", frequency=Frequency.MONTHLY)
    drink = Measure(id=2, name="Drink", frequency=Frequency.MONTHLY)
    monthly = bundles.Bundle(top, (drink,))
    _, why = bundles.contradiction(monthly, {1: (5, 20), 2: (3, 20)}, top)
    assert "met Drink this month" in why and "week" not in why
    assert "This month's numbers were entered for DrEaMing only" in bundles.tally_problem(
        monthly, {1: (5, 20)})
