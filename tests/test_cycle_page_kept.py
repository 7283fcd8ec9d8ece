"""A cycle's page is kept for its reader until anything is written (cycles.routes.detail)."""

from tests import factories as f
from tests.conftest import main_of
from tracker.extensions import db
from tracker.models import Cycle, Site


def _cycle(app, world) -> int:
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Water jug by the bed",
                             author_id=world.member_a)
        db.session.commit()
        return cycle.id


def test_a_readers_cycle_page_is_kept_until_anything_is_written(app, login, world,
                                                                 count_queries):
    cycle_id = _cycle(app, world)
    amy, page = login("member_a"), f"/cycles/{cycle_id}"
    with count_queries() as made:
        first = amy.get(page).get_data(True)
    with count_queries() as kept:
        again = amy.get(page).get_data(True)
    assert main_of(again) == main_of(first)
    assert kept.count <= made.count - 6  # the ramp, comments, feedback, measures, files...
    # Bea, of another site, may read it, not edit it: her own page, not Amy's.
    assert f"/cycles/{cycle_id}/edit" in first
    assert f"/cycles/{cycle_id}/edit" not in login("member_b").get(page).get_data(True)
    with app.app_context():
        f.make_comment(db.session.get(Cycle, cycle_id), world.faculty, "Try it on day one")
        db.session.commit()
    assert "Try it on day one" in amy.get(page).get_data(True)  # written: made again


def test_a_refused_move_shows_what_was_typed_and_is_never_kept(app, login, world):
    cycle_id = _cycle(app, world)
    amy, page = login("member_a"), f"/cycles/{cycle_id}"
    amy.get(page)  # kept
    refused = amy.post(f"{page}/stage", data={"to": "do", "seen": "plan",
                                              "started_on": "1800-01-01"})
    assert refused.status_code == 422
    assert 'value="1800-01-01"' in refused.get_data(True)
    assert 'aria-invalid="true"' in refused.get_data(True)
    plain = amy.get(page).get_data(True)  # the kept page, without what was typed
    assert 'value="1800-01-01"' not in plain and 'aria-invalid="true"' not in plain
    again = amy.post(f"{page}/stage", data={"to": "do", "seen": "plan",
                                            "started_on": "1799-12-31"}).get_data(True)
    assert 'value="1799-12-31"' in again  # each refusal shows its own


def test_a_readers_ramp_is_kept_until_anything_is_written(app, login, world, count_queries):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        first = f.make_cycle(site, title="Jug, cycle 1", author_id=world.member_a)
        second = f.make_cycle(site, title="Jug, cycle 2", previous_id=first.id,
                              author_id=world.member_a)
        db.session.commit()
        first_id, page = first.id, f"/cycles/{second.id}/ramp"
    amy = login("member_a")
    with count_queries() as made:
        shown = amy.get(page).get_data(True)
    with count_queries() as kept:
        again = amy.get(page).get_data(True)
    assert "2 linked cycles" in shown and "Jug, cycle 1" in shown
    assert main_of(again) == main_of(shown)
    assert kept.count <= made.count - 3  # the chain, its questions, photos and charts
    with app.app_context():
        db.session.get(Cycle, first_id).title = "Jug by the bed, cycle 1"
        db.session.commit()
    assert "Jug by the bed, cycle 1" in amy.get(page).get_data(True)  # written: made again
