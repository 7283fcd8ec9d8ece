"""The five PDSA quality criteria on designed cycles."""

from datetime import date, timedelta

import pytest

from tests import factories as f
from tracker.cycles.quality import assess_many
from tracker.extensions import db
from tracker.models import (
    Cycle,
    CycleQuestion,
    Decision,
    Frequency,
    MeasureValue,
    Site,
    Stage,
    Visibility,
    utcnow,
)


def criteria(app, world, **cycle_fields):
    """Build one cycle in the world and return {criterion: met}."""
    questions = cycle_fields.pop("questions", [])
    weeks = cycle_fields.pop("data_weeks", None)
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        previous = cycle_fields.pop("previous", False)
        if previous:
            cycle_fields["previous_id"] = f.make_cycle(site).id
        cycle = f.make_cycle(site, **cycle_fields)
        cycle.questions = [CycleQuestion(position=i, **q) for i, q in enumerate(questions)]
        if weeks is not None:
            measure = f.make_measure(world.collaborative, frequency=Frequency.WEEKLY)
            cycle.measures = [measure]
            for monday in weeks:
                db.session.add(MeasureValue(measure_id=measure.id, site_id=site.id,
                                            period_start=monday, numerator=5, denominator=10))
        db.session.flush()
        result = {c.key: c.met for c in assess_many([cycle])[cycle.id]}
        db.session.rollback()
        return result


MONDAY = date(2026, 3, 2)
WEEKS = [MONDAY + timedelta(weeks=n) for n in range(-6, 7)]


@pytest.mark.parametrize("fields,met", [
    ({}, False),
    ({"questions": [{"question": "Sit out?", "prediction": ""}]}, False),
    ({"questions": [{"question": "Sit out?", "prediction": "6 of 8"}]}, True),
    # In Study a prediction needs its result
    ({"stage": Stage.STUDY, "questions": [{"question": "Q", "prediction": "6 of 8"}]}, False),
    ({"stage": Stage.STUDY, "questions": [{"question": "Q", "prediction": "6 of 8",
                                           "result": "5 of 8", "prediction_held": False}]}, True),
])
def test_prediction_based(app, world, fields, met):
    assert criteria(app, world, **fields)["prediction"] is met


def test_iterative_needs_a_linked_cycle(app, world):
    assert criteria(app, world)["iterative"] is False
    assert criteria(app, world, previous=True)["iterative"] is True


@pytest.mark.parametrize("amount,unit,previous,met", [
    (None, "", False, False),
    (1, "patient", False, True),
    (1, "ward", False, False),      # a whole unit is not a small first test
    (3, "all wards", False, False),
    (1, "ward", True, True),        # growing along a ramp is the point
    (2, "shift", False, True),
])
def test_small_scale(app, world, amount, unit, previous, met):
    result = criteria(app, world, scale_amount=amount, scale_unit=unit, previous=previous)
    assert result["small_scale"] is met


@pytest.mark.parametrize("weeks,met", [
    (None, False),                                   # no measure linked
    ([], False),                                     # linked, no data
    ([MONDAY, MONDAY + timedelta(weeks=1)], False),  # two points only
    ([MONDAY - timedelta(weeks=1), MONDAY, MONDAY + timedelta(weeks=2)], False),  # not consecutive
    ([MONDAY - timedelta(weeks=1), MONDAY, MONDAY + timedelta(weeks=1)], True),
    (WEEKS, True),
    ([MONDAY + timedelta(weeks=n) for n in (10, 11, 12)], False),  # far from the test
    # The edges: a run of three with its nearest point 2 weeks from the test counts, one
    # a week further out does not (the query reads only the weeks that can count).
    ([MONDAY + timedelta(weeks=n) for n in (-4, -3, -2)], True),
    ([MONDAY + timedelta(weeks=n) for n in (-5, -4, -3)], False),
    ([MONDAY + timedelta(weeks=n) for n in (2, 3, 4)], True),
    ([MONDAY + timedelta(weeks=n) for n in (3, 4, 5)], False),
])
def test_data_over_time(app, world, weeks, met):
    result = criteria(app, world, data_weeks=weeks, do_started_on=MONDAY + timedelta(days=2))
    assert result["data_over_time"] is met


def test_data_over_time_for_cycles_sharing_a_series(app, world):
    """Cycles of one site on one measure, assessed together, each judged by the data near its
    own test: the windows read for one never lend points to another."""
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        measure = f.make_measure(world.collaborative, frequency=Frequency.WEEKLY)
        tests = {"early": MONDAY, "late": MONDAY + timedelta(weeks=12),
                 "between": MONDAY + timedelta(weeks=6)}
        cycles = {name: f.make_cycle(site, do_started_on=day) for name, day in tests.items()}
        for cycle in cycles.values():
            cycle.measures = [measure]
        for n in (-1, 0, 1, 11, 12, 13):
            db.session.add(MeasureValue(measure_id=measure.id, site_id=site.id,
                                        period_start=MONDAY + timedelta(weeks=n),
                                        numerator=5, denominator=10))
        db.session.flush()
        result = assess_many(cycles.values())
        met = {name: {c.key: c.met for c in result[cycle.id]}["data_over_time"]
               for name, cycle in cycles.items()}
        db.session.rollback()
    assert met == {"early": True, "late": True, "between": False}


def test_documentation_needs_every_stage_and_a_decision(app, world):
    full = dict(objective="o", do_what_happened="d", study_learning="s",
                questions=[{"question": "q", "prediction": "p"}],
                do_started_on=MONDAY, do_ended_on=MONDAY + timedelta(days=2))
    assert criteria(app, world, **full)["documentation"] is False
    assert criteria(app, world, **full, decision=Decision.ADOPT)["documentation"] is True


@pytest.mark.parametrize("dates", [{}, {"do_started_on": MONDAY}, {"do_ended_on": MONDAY}])
def test_documentation_needs_the_dates_the_test_ran(app, world, dates):
    written = dict(objective="o", do_what_happened="d", study_learning="s",
                   questions=[{"question": "q", "prediction": "p"}], decision=Decision.ADOPT)
    assert criteria(app, world, **written, **dates)["documentation"] is False


def test_panel_shows_on_the_cycle_page_with_hints(app, login, world):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), scale_amount=1,
                             scale_unit="patient")
        db.session.commit()
        cycle_id = cycle.id
    html = login("member_b").get(f"/cycles/{cycle_id}").get_data(True)
    assert "PDSA quality: 1 of 5 met" in html
    assert "Tested at a stated scale: 1 patient." in html
    assert "Write down what you predict will happen" in html


def test_cycle_page_counts_a_next_cycle_the_reader_cannot_see(app, world, login):
    """The page reads 'what follows' from the ramp: a draft kept to its site still makes the
    first cycle part of a ramp for a reader at another site; a deleted one does not."""
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        first = f.make_cycle(site, title="First")
        follow = f.make_cycle(site, title="Follow-up draft", previous_id=first.id,
                              visibility=Visibility.SITE)
        db.session.commit()
        first_id, follow_id = first.id, follow.id
    linked, alone = "Part of a ramp of linked cycles.", "Build on it"
    page = login("member_b").get(f"/cycles/{first_id}").get_data(as_text=True)
    assert linked in page and alone not in page
    assert "Follow-up draft" not in page  # the draft itself stays with its site
    with app.app_context():
        db.session.get(Cycle, follow_id).deleted_at = utcnow()
        db.session.commit()
    page = login("member_b").get(f"/cycles/{first_id}").get_data(as_text=True)
    assert alone in page and linked not in page
