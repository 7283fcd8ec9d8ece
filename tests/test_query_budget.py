"""Query budgets of the pages issue 14 measures at national scale: each request costs at most
this many statements (the national set's counts, which do not grow with the data; the tests
beside each page prove that they stay constant)."""

from unittest import mock

import pytest

from tests import factories as f
from tests.test_dashboards import _grow
from tracker.core import versions
from tracker.cycles import services
from tracker.extensions import db
from tracker.models import Decision, Site, Stage, User

BUDGET = 12


def _count(client, count_queries, path: str) -> int:
    """The statements of a visit just after a write: nothing kept under the data's version is
    served (what is kept by its own content, a chart by its values, still is), as the
    benchmark's ?fresh= asks. A kept page would cost a few and prove nothing."""
    client.get(path)  # warm: a first visit may write (the dashboard's seen time)
    with mock.patch.object(versions, "current", return_value=None), \
            count_queries() as counter:
        assert client.get(path).status_code == 200
    return counter.count


def test_cycle_pages_stay_within_budget(app, login, world, count_queries):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        amy = db.session.get(User, world.member_a)
        first = f.make_cycle(site, title="Chair")
        for stage in (Stage.DO, Stage.STUDY, Stage.ACT):
            services.move_stage(first, stage, by=amy)
        first.decision = Decision.ADAPT
        services.move_stage(first, Stage.COMPLETE, by=amy)
        second = services.start_next_cycle(first, by=amy)
        f.make_comment(second, world.faculty)
        measure = f.make_measure(world.collaborative)  # its chart and its data's periods
        f.make_values(measure, site, [(i, 10) for i in range(8)])
        second.measures = [measure]
        db.session.commit()
        cycle_id = second.id
    client = login("member_a")
    # One over before the quality panel took what follows the cycle from its ramp.
    assert _count(client, count_queries, f"/cycles/{cycle_id}") <= BUDGET
    assert _count(client, count_queries, f"/cycles/{cycle_id}/ramp") <= BUDGET


# Within the target for a site's team too: its role sections (next steps, data due, the small
# main chart with its phases, flags and cycles, check-ins due after Adopt) each read their own
# rows; the activity feed is one statement. (14 and 15 before the measures came with their
# stored summaries, a chart's phase breaks with its flags, and a lead's requests with those
# asking the site; 17 and 18 before the navbar's unread count came with the user, the core
# measures' count with the collaboratives and the open cycles' questions with the cycles.)
@pytest.mark.parametrize("who", ["partner", "member_a", "faculty", "lead_a"])
def test_dashboards_stay_within_budget(app, login, world, count_queries, who):
    _grow(app, world, 3)
    assert _count(login(who), count_queries, "/dashboard") <= BUDGET


def test_reports_stay_within_budget(app, login, world, count_queries):
    _grow(app, world, 3)
    client = login("faculty")
    # Here one more than on the national set (11 and 12): the factories' values have no
    # stored summary, so the main measure's chart is summed up from its values on the way.
    # (15 before the regional networks came with the user's collaboratives, the main measure
    # with its summaries, and the distribution's network names from the network picker.)
    assert _count(client, count_queries, "/reports/action-period") <= BUDGET
    # (16 before the same three, and the review queue's oldest requests came with their
    # counts; 20 before the reasons for support became one query, the balance flags one.)
    assert _count(client, count_queries, "/reports/faculty") <= BUDGET + 1
