"""The conflict path of every verb that saves over someone else's work.

A concurrent request is stood in for by a change written straight to the database after the
object was loaded: the database moves on, the loaded object does not, exactly as when another
request commits between this one's read and its write. Each verb must see that change (it
holds and re-reads the row first) and merge, refuse or conflict: never write from the stale
copy, never fail on a unique constraint. The live-server tests in tests/concurrency do the
same with real threads.
"""

import re

import pytest
import sqlalchemy as sa

from tests import factories as f
from tracker.cycles import services as cycles
from tracker.extensions import db
from tracker.ideas import services as ideas
from tracker.measures import periods
from tracker.measures import services as measures
from tracker.measures.entries import Entry, stamp
from tracker.models import (
    ChangeIdea,
    Cycle,
    CycleRevision,
    DataKind,
    Measure,
    MeasureValue,
    MeasureValueChange,
    Site,
    Stage,
    Tag,
    User,
    utcnow,
)


def saved_meanwhile(cycle: Cycle, **changes) -> int:
    """Another person's save of `cycle`, written behind the loaded object; its new version."""
    table = Cycle.__table__
    version = db.session.scalar(sa.select(table.c.version).where(table.c.id == cycle.id)) + 1
    snapshot = cycles.snapshot(cycle)
    snapshot.update({k: getattr(v, "value", v) for k, v in changes.items() if k in snapshot})
    db.session.execute(table.update().where(table.c.id == cycle.id)
                       .values(version=version, **changes))
    db.session.execute(CycleRevision.__table__.insert().values(
        cycle_id=cycle.id, version=version, action="edited", snapshot=snapshot, changes={},
        created_at=utcnow()))
    return version


def revisions(cycle_id: int) -> list[tuple[int, str]]:
    return db.session.execute(sa.select(CycleRevision.version, CycleRevision.action).where(
        CycleRevision.cycle_id == cycle_id).order_by(CycleRevision.version)).all()


@pytest.fixture
def loaded(app, world):
    """(cycle as loaded at version 1 with its first revision, the acting user), in a context."""
    with app.app_context():
        site, user = db.session.get(Site, world.site_a), db.session.get(User, world.member_a)
        cycle = cycles.log_cycle(site, by=user, title="Sit out by noon", objective="Start")
        db.session.commit()
        yield db.session.get(Cycle, cycle.id), user


def test_a_save_from_the_current_version_still_conflicts_with_a_save_made_meanwhile(loaded):
    cycle, amy = loaded
    mine = {**cycles.snapshot(cycle), "objective": "Amy's objective"}
    saved_meanwhile(cycle, objective="Leo's objective")  # after Amy's request read version 1
    outcome = cycles.save_worksheet(cycle, mine, base_version=1, by=amy)
    assert not outcome.saved
    assert outcome.conflicts["objective"] == {"base": "Start", "mine": "Amy's objective",
                                              "theirs": "Leo's objective"}
    assert revisions(cycle.id) == [(1, "created"), (2, "edited")]  # nothing written


def test_a_save_merges_with_a_save_made_meanwhile_to_another_field(loaded):
    cycle, amy = loaded
    mine = {**cycles.snapshot(cycle), "plan_who": "Amy"}
    saved_meanwhile(cycle, objective="Leo's objective")
    assert cycles.save_worksheet(cycle, mine, base_version=1, by=amy).saved
    assert (cycle.version, cycle.objective, cycle.plan_who) == (3, "Leo's objective", "Amy")
    assert revisions(cycle.id)[-1] == (3, "edited")


def test_a_stage_move_from_an_old_page_is_refused(loaded):
    cycle, amy = loaded
    saved_meanwhile(cycle, stage=Stage.DO)
    with pytest.raises(cycles.StageError, match="Someone moved this cycle to Do meanwhile"):
        cycles.move_stage(cycle, Stage.DO, by=amy, seen="plan")
    assert revisions(cycle.id) == [(1, "created"), (2, "edited")]


def test_a_stage_move_numbers_its_version_after_a_save_made_meanwhile(loaded):
    cycle, amy = loaded
    saved_meanwhile(cycle, stage=Stage.DO)
    cycles.move_stage(cycle, Stage.STUDY, by=amy, seen="do")
    assert (cycle.stage, cycle.version) == (Stage.STUDY, 3)
    assert revisions(cycle.id)[-1] == (3, "stage")


@pytest.mark.parametrize("verb", ["soft_delete", "restore_revision"])
def test_trash_and_restore_number_their_version_after_a_save_made_meanwhile(loaded, verb):
    cycle, amy = loaded
    first = db.session.scalars(sa.select(CycleRevision).filter_by(cycle_id=cycle.id)).one()
    saved_meanwhile(cycle, objective="Leo's objective")
    if verb == "soft_delete":
        cycles.soft_delete(cycle, by=amy)
    else:
        cycles.restore_revision(cycle, first, by=amy)
    assert revisions(cycle.id)[-1][0] == 3 == cycle.version


def test_trashing_or_restoring_twice_at_once_records_it_once(loaded):
    cycle, amy = loaded
    saved_meanwhile(cycle, deleted_at=utcnow())  # someone else trashed it first
    cycles.soft_delete(cycle, by=amy)
    assert cycle.version == 2
    saved_meanwhile(cycle, deleted_at=None)  # and someone else restored it first
    cycles.restore(cycle, by=amy)
    assert cycle.version == 3 and cycle.deleted_at is None


def test_a_stage_button_from_an_old_page_says_the_cycle_moved(app, login, world):
    with app.app_context():
        site, amy = db.session.get(Site, world.site_a), db.session.get(User, world.member_a)
        cycle_id = cycles.log_cycle(site, by=amy, title="Day clothes").id
        db.session.commit()
    amy, leo = login("member_a"), login("lead_a")
    page = amy.get(f"/cycles/{cycle_id}").get_data(True)
    assert 'name="seen" value="plan"' in page
    leo.post(f"/cycles/{cycle_id}/stage", data={"to": "do", "seen": "plan"})
    html = amy.post(f"/cycles/{cycle_id}/stage", data={"to": "do", "seen": "plan"},
                    follow_redirects=True).get_data(True)
    assert "Someone moved this cycle to Do meanwhile, so it was not moved" in html
    with app.app_context():
        assert db.session.get(Cycle, cycle_id).version == 2  # moved once, not twice


# --------------------------------------------------------------------------------- ideas


def test_an_idea_edit_is_refused_after_a_save_made_meanwhile(app, world):
    with app.app_context():
        idea = f.make_idea(db.session.get(Site, world.site_a), title="Snack boxes")
        db.session.commit()
        opened = idea.updated_at.isoformat()
        table = ChangeIdea.__table__
        db.session.execute(table.update().where(table.c.id == idea.id).values(
            title="Faculty's title", updated_at=utcnow()))
        assert not ideas.save_idea(idea, stamp=opened, title="Amy's title", description="",
                                   driver_id=None, tags=[])
        assert idea.title == "Faculty's title"
        assert ideas.save_idea(idea, stamp=idea.updated_at.isoformat(), title="Amy's title",
                               description="", driver_id=None, tags=["food"])
        assert (idea.title, [t.name for t in idea.tags]) == ("Amy's title", ["food"])


def test_a_tag_or_follow_added_at_the_same_moment_is_shared_not_an_error(app, world):
    with app.app_context():
        idea = f.make_idea(db.session.get(Site, world.site_a))
        row = {"collaborative_id": world.collaborative, "name": "food"}
        for _ in range(2):  # the second stands in for the other request's insert
            ideas._insert_new(Tag.__table__, [row], ("collaborative_id", "name"))
        assert db.session.scalar(sa.select(sa.func.count(Tag.id))) == 1
        ideas.set_tags(idea, ["food"])
        user = db.session.get(User, world.member_a)
        assert ideas.toggle_follow(idea, user) is True
        assert ideas.toggle_follow(idea, user) is False


# ------------------------------------------------------------------------------ measures


@pytest.fixture
def weekly(app, world) -> tuple[int, int]:
    """(measure id, site id): a count measure with 5 stored for this week."""
    with app.app_context():
        measure = f.make_measure(world.collaborative, data_kind=DataKind.COUNT)
        f.make_values(measure, db.session.get(Site, world.site_a), [5])
        db.session.commit()
        return measure.id, world.site_a


@pytest.fixture
def counted(app, world, weekly):
    """(measure, site, this week, the user) of `weekly`, in an app context."""
    with app.app_context():
        measure = db.session.get(Measure, weekly[0])
        week = periods.recent_periods(measure.frequency, 1)[0]
        yield measure, db.session.get(Site, weekly[1]), week, db.session.get(User,
                                                                             world.member_a)


def changed_meanwhile(measure: Measure, week, value: float) -> None:
    table = MeasureValue.__table__
    db.session.execute(table.update().where(table.c.measure_id == measure.id,
                                            table.c.period_start == week).values(value=value))


def test_a_week_changed_by_both_is_a_conflict_and_nothing_is_saved(counted):
    measure, site, week, amy = counted
    changed_meanwhile(measure, week, 7)
    with pytest.raises(measures.EntryConflict) as raised:
        measures.save_entries(measure, [Entry(site.id, week, value=6.0,
                                              base=stamp(None, None, 5.0, ""))],
                              by=amy, source="grid")
    [conflict] = raised.value.conflicts
    assert (conflict.period, conflict.value, conflict.stamp) == (
        week, 7.0, stamp(None, None, 7.0, ""))
    assert db.session.scalar(sa.select(sa.func.count(MeasureValueChange.id))) == 0


@pytest.mark.parametrize(("meanwhile", "typed", "changed", "kept"), [
    (7.0, 5.0, 0, 7.0),  # left as the grid showed it: their save stays
    (6.0, 6.0, 0, 6.0),  # both typed the same: nothing to merge
    (5.0, 6.0, 1, 6.0),  # nobody else changed it: saved
])
def test_a_week_merges_with_what_is_stored_now(counted, meanwhile, typed, changed, kept):
    measure, site, week, amy = counted
    changed_meanwhile(measure, week, meanwhile)
    entry = Entry(site.id, week, value=typed, base=stamp(None, None, 5.0, ""))
    assert measures.save_entries(measure, [entry], by=amy, source="grid") == changed
    assert db.session.scalar(sa.select(MeasureValue.value).filter_by(
        measure_id=measure.id)) == kept


def test_the_grid_shows_a_conflict_then_saves_knowingly(app, login, weekly):
    measure_id, site_id = weekly
    url = f"/measures/{measure_id}/data?site_id={site_id}"
    amy, leo = login("member_a"), login("lead_a")
    amy_form, leo_form = grid_fields(amy.get(url)), grid_fields(leo.get(url))
    leo_form["rows-0-value"], leo_form["rows-1-value"] = "7", "3"
    assert leo.post(url, data=leo_form).status_code == 302
    amy_form["rows-0-value"] = "6"
    response = amy.post(url, data=amy_form)
    html = response.get_data(True)
    assert response.status_code == 409
    assert "Leo Lead saved 7 here while you were typing" in html and 'value="6"' in html
    assert stored_values(app, measure_id) == [3.0, 7.0]  # Leo's, both of them
    assert amy.post(url, data=grid_fields(response)).status_code == 302
    assert stored_values(app, measure_id) == [3.0, 6.0]  # Amy's week, Leo's other week kept


def test_the_grid_shows_stored_numbers_exactly_so_an_untouched_save_changes_nothing(
        app, login, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative, data_kind=DataKind.CONTINUOUS)
        f.make_values(measure, db.session.get(Site, world.site_a), [12.3456789, 0.1 + 0.2])
        db.session.commit()
        url = f"/measures/{measure.id}/data?site_id={world.site_a}"
    client = login("member_a")
    response = client.post(url, data=grid_fields(client.get(url)), follow_redirects=True)
    assert "Saved: 0 weeks changed" in response.get_data(True)


def grid_fields(response) -> dict:
    html = response.get_data(True)
    return {name: value.replace("&#34;", '"') for name, value in re.findall(
        r'<input[^>]*name="(rows-[^"]+)"[^>]*value="([^"]*)"', html)}


def stored_values(app, measure_id: int) -> list[float]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(MeasureValue.value).filter_by(
            measure_id=measure_id)))
