"""The dashboard says what to do next, per role: ward members, site leads, faculty, partners;
someone with several roles sees each role's sections. Bounded query counts."""

import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests import factories as f
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import (
    Collaborative,
    CollaborativeRole,
    CollaborativeRoleKind,
    Comment,
    Cycle,
    CycleQuestion,
    Decision,
    EventKind,
    Frequency,
    Measure,
    Site,
    Stage,
    User,
    Visibility,
    utcnow,
)
from tracker.reports import standing

WEEK = Frequency.WEEKLY


def section(html: str, start: str, end: str | None = None) -> str:
    """The page from the heading `start` up to `end` (or the end)."""
    begin = html.index(start)
    return html[begin:html.index(end, begin) if end else None]


# --- the rules on the model -----------------------------------------------------------------

def cycle(stage=Stage.PLAN, questions=(), **fields) -> Cycle:
    c = Cycle(title="T", stage=stage, **{"plan_who": "", "plan_what": "", "do_what_happened": "",
                                           "study_learning": "", "act_next_steps": "", **fields})
    c.questions = [CycleQuestion(question=q, prediction=p, result=r) for q, p, r in questions]
    return c


ASKED = [("Will it help?", "Yes, 8 of 10", "")]
ANSWERED = [("Will it help?", "Yes, 8 of 10", "7 of 10")]
PLANNED = {"plan_who": "Nurses", "plan_what": "Chair by the bed"}


@pytest.mark.parametrize("built,step", [
    (cycle(), "Plan: write the question this test should answer"),
    (cycle(questions=[("Will it help?", "", "")]), "Plan: write down what you predict"),
    (cycle(questions=ASKED), "Plan: say who will do what, where and when"),
    (cycle(questions=ASKED, **PLANNED), "Plan: start the test and move the cycle to Do"),
    (cycle(Stage.DO, ASKED), "Do: record the date the test started"),
    (cycle(Stage.DO, ASKED, do_started_on=date(2026, 3, 2)),
     "Do: write down what happened during the test"),
    (cycle(Stage.DO, ASKED, do_started_on=date(2026, 3, 2), do_what_happened="Fine"),
     "Do: when the test is over, move the cycle to Study"),
    (cycle(Stage.STUDY, ASKED), "Study: record the result of your prediction"),
    (cycle(Stage.STUDY, ANSWERED), "Study: write down what you learned"),
    (cycle(Stage.STUDY, ANSWERED, study_learning="Works"), "Study: move the cycle to Act"),
    (cycle(Stage.ACT, ANSWERED), "Act: decide to adopt, adapt or abandon"),
    (cycle(Stage.ACT, ANSWERED, decision=Decision.ADAPT), "Act: write down the next steps"),
    (cycle(Stage.ACT, ANSWERED, decision=Decision.ADOPT, act_next_steps="Spread"),
     "Act: complete the cycle, or plan the next test"),
])
def test_next_step_follows_the_stage_and_what_is_filled_in(built, step):
    assert built.next_step.startswith(step)


def test_a_complete_cycle_has_no_next_step_and_never_stalls():
    done = cycle(Stage.COMPLETE, updated_at=utcnow() - timedelta(days=90))
    assert done.next_step == "" and not done.is_stalled(utcnow())


@pytest.mark.parametrize("days,stalled", [(13, False), (14, False), (15, True), (40, True)])
def test_stalled_means_unchanged_for_more_than_14_days(days, stalled):
    now = utcnow()
    assert cycle(Stage.DO, updated_at=now - timedelta(days=days)).is_stalled(now) is stalled


# --- a ward member ---------------------------------------------------------------------------

@pytest.fixture
def ward(app, world):
    """Alpha's work: open cycles, a DrEaMing bundle and a falls count, feedback both ways."""
    now = utcnow()
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        a, b = (db.session.get(Site, s) for s in (world.site_a, world.site_b))
        studying = f.make_cycle(a, title="Chair by the bed", stage=Stage.STUDY,
                                updated_at=now - timedelta(days=3))
        db.session.add(CycleQuestion(cycle_id=studying.id, question="More mobile?",
                                     prediction="8 of 10"))
        f.make_cycle(a, title="Day clothes", stage=Stage.DO, updated_at=now - timedelta(days=20),
                     do_started_on=(now - timedelta(days=25)).date())
        f.make_cycle(a, title="Water jugs", stage=Stage.COMPLETE, decision=Decision.ADOPT)
        f.make_cycle(b, title="Beta's own test", stage=Stage.PLAN)
        bundle = f.make_measure(collab.id, name="DrEaMing", position=1)
        for i, part in enumerate(("Drink", "Eat", "Mobilise")):
            f.make_measure(collab.id, name=part, composite_id=bundle.id, position=2 + i)
        falls = f.make_measure(collab.id, name="Falls", data_kind="count", unit="falls",
                               position=9, direction="decrease")
        stays = f.make_measure(collab.id, name="Length of stay", data_kind="count", position=10)
        f.make_values(bundle, a, [(6, 10)] * 11 + [None])  # this week still missing
        f.make_values(falls, a, [2, 1, 3, 1, 2, 4, 2, 3, None, 2, 3, 2])  # a gap; this week in
        f.make_values(stays, a, [None] * 12)
        fb = f.make_feedback(studying, world.faculty, body="Try a bay")
        f.make_feedback(studying, world.faculty, body="Done", addressed_at=now)
        asked_of_us = f.make_cycle(b, title="Beta's chairs")
        f.make_feedback_request(asked_of_us, world.member_b, to_site_id=a.id)
        db.session.commit()
        return {"feedback": fb.id, "bundle": bundle.id, "falls": falls.id, "stays": stays.id}


def test_member_sees_open_cycles_with_their_next_step(login, world, ward):
    html = login("member_a").get("/dashboard").get_data(True)
    cycles = section(html, "Your open cycles", "Data still missing")
    assert "Your open cycles (2)" in cycles
    assert "Study: record the result of your prediction" in cycles
    assert "Do: write down what happened during the test" in cycles
    assert "No change for 20 days" in cycles  # stalled, flagged
    assert "Water jugs" not in cycles and "Beta&#39;s own test" not in cycles
    assert cycles.index("Day clothes") < cycles.index("Chair by the bed")  # longest idle first


def test_member_sees_this_weeks_missing_data_with_one_tap_to_tally_or_grid(login, world, ward):
    html = login("member_a").get("/dashboard").get_data(True)
    due = section(html, "Data still missing", "</section>")
    week = periods.label(periods.current_period(WEEK), WEEK)
    assert f"<strong>DrEaMing</strong>: nothing yet for this week (from {week})" in due
    assert f'href="/measures/{ward["bundle"]}/tally?site_id={world.site_a}"' in due
    assert f'href="/measures/{ward["stays"]}/data?site_id={world.site_a}"' in due
    assert "Falls" not in due  # this week's number is in
    # The bundle's parts are counted by its tally: not listed one by one.
    assert "<strong>Drink</strong>" not in due
    assert f"/measures/{ward['stays']}/tally" not in due  # a count has no tally


def test_many_measures_missing_fold_into_a_list_below_the_tally(app, login, world, ward):
    """A collaborative with a dozen measures: the ward's tally keeps its buttons, the others
    are listed folded, one link each, not a button or two each down a phone's screen."""
    with app.app_context():
        extra = [f.make_measure(world.collaborative, name=f"Balancing {n}", data_kind="count",
                                position=20 + n).id for n in range(3)]
        db.session.commit()
    html = login("member_a").get("/dashboard").get_data(True)
    due = section(html, "Data still missing", "</section>")
    shown, folded = due.split('<details class="data-due-more">')
    assert f'href="/measures/{ward["bundle"]}/tally?site_id={world.site_a}"' in shown
    assert "Length of stay" not in shown and "Balancing" not in shown
    assert "<summary>4 more measures with nothing yet</summary>" in folded
    week = periods.label(periods.current_period(WEEK), WEEK)
    for measure_id in (ward["stays"], *extra):
        assert f'<a href="/measures/{measure_id}/data?site_id={world.site_a}">' in folded
    assert f'<span aria-hidden="true">·</span> this week (from {week})' in folded
    assert 'class="btn' not in folded  # links, not buttons: "Enter numbers for" is for readers
    assert folded.index("Length of stay") < folded.index("Balancing 0")  # in their order
    assert "Falls" not in due  # this week's number is in


def test_member_sees_the_main_chart_small_with_its_summary(login, world, ward):
    html = login("member_a").get("/dashboard").get_data(True)
    chart = section(html, 'id="chart-', "</section>")
    assert ">DrEaMing</h3>" in chart and "measure-chart-compact" in chart
    assert 'viewBox="0 0 360 170"' in chart and "Latest week" in chart
    assert f'href="/measures/{ward["bundle"]}?site_id={world.site_a}"' in chart


def test_a_sites_main_chart_is_drawn_once_for_its_team_until_anything_is_written(
        app, login, world, ward, count_queries):
    amy, leo = login("member_a"), login("lead_a")
    for client in (amy, leo):
        client.get("/dashboard")  # the first visits write their seen time (kept things stay)
    amy.get("/dashboard")  # what her dashboard keeps is made
    memos = app.extensions["memos"]
    memos["team_charts"].clear()  # her chart is made again, and the sections around it
    memos["team_panels"].clear()
    with count_queries() as made:
        chart = section(amy.get("/dashboard").get_data(True), 'id="chart-', "</section>")
    memos["team_panels"].clear()  # the sections again, around the kept chart
    with count_queries() as kept:
        assert section(amy.get("/dashboard").get_data(True), 'id="chart-', "</section>") == chart
    assert kept.count == made.count - 3  # its values, its phase breaks and flags, its cycles
    # Her site lead is shown the same chart.
    assert section(leo.get("/dashboard").get_data(True), 'id="chart-', "</section>") == chart
    week = periods.label(periods.current_period(WEEK), WEEK)
    assert f"{week}: 70% (7 of 10)" not in chart
    with app.app_context():  # this week's bundle figures come in: a new point on the chart
        measure = db.session.get(Measure, ward["bundle"])
        f.make_values(measure, db.session.get(Site, world.site_a), [(7, 10)])
        db.session.commit()
    html = amy.get("/dashboard").get_data(True)
    assert f"{week}: 70% (7 of 10)" in section(html, 'id="chart-', "</section>")


def test_a_sites_sections_are_made_once_for_everyone_on_its_team_with_the_same_role(
        app, login, world, ward, count_queries):
    with app.app_context():
        token = f.make_user(site=db.session.get(Site, world.site_a), name="Ned Nurse",
                            email="ned@example.org").session_token
        db.session.commit()
    ned = app.test_client()
    with ned.session_transaction() as session:
        session["_user_id"] = token
    amy, leo = login("member_a"), login("lead_a")
    for client in (amy, leo, ned):
        client.get("/dashboard")  # their first looks write their seen time
    teams = lambda html: html[html.index('id="team-'):html.index("What's been happening")]  # noqa: E731
    amys = teams(amy.get("/dashboard").get_data(True))
    assert "Your open cycles (2)" in amys and "Feedback requests" not in amys  # no lead view
    with count_queries() as shared:  # Ned, on Amy's team, is served her sections
        assert teams(ned.get("/dashboard").get_data(True)) == amys
    app.extensions["memos"]["team_panels"].clear()
    with count_queries() as made:
        assert teams(ned.get("/dashboard").get_data(True)) == amys
    assert shared.count < made.count - 3  # open cycles, measures, feedback, requests
    assert "Feedback requests" in teams(leo.get("/dashboard").get_data(True))  # his own
    with app.app_context():  # a new test at Alpha: on its team's dashboards at once
        f.make_cycle(db.session.get(Site, world.site_a), title="Night snacks")
        db.session.commit()
    assert "Your open cycles (3)" in teams(ned.get("/dashboard").get_data(True))


def test_member_sees_feedback_waiting_for_a_reply(login, world, ward):
    html = login("member_a").get("/dashboard").get_data(True)
    waiting = section(html, "Feedback waiting for your reply", "</section>")
    assert f"#feedback-{ward['feedback']}" in waiting
    assert "Fay Faculty on “Chair by the bed”" in waiting
    assert waiting.count("not yet addressed") == 1  # the addressed one is done
    assert "Beta Hospital asks your site about “Beta&#39;s chairs”" in waiting


def test_member_without_the_lead_role_sees_no_lead_sections(login, world, ward):
    html = login("member_a").get("/dashboard").get_data(True)
    assert "Leading Alpha Hospital" not in html and "Review queue" not in html
    assert "Since your last visit" not in html


# --- a site lead -----------------------------------------------------------------------------

def test_lead_sees_measures_with_latest_value_and_signal_icon(login, world, ward):
    html = login("lead_a").get("/dashboard").get_data(True)
    assert "Alpha Hospital</a>: what to do next" in html  # a lead is on the team too
    measures = section(html, "Leading Alpha Hospital", "Cycles stalled")
    falls = section(measures, ">Falls</a>", "</tr>")
    assert "<strong>2 falls</strong>" in falls and "week of" in falls
    assert 'class="spc-badge spc-badge-variation"' in falls and "Latest week:" in falls
    assert "No data yet" in section(measures, ">Length of stay</a>", "</tr>")


def test_lead_sees_cycles_stalled_for_more_than_two_weeks(login, world, ward):
    html = login("lead_a").get("/dashboard").get_data(True)
    stalled = section(html, "Cycles stalled for more than 2 weeks", "</section>")
    assert "(1)" in stalled and "Day clothes" in stalled
    assert "Chair by the bed" not in stalled  # changed 3 days ago


def test_lead_sees_data_gaps(login, world, ward):
    html = login("lead_a").get("/dashboard").get_data(True)
    gaps = section(html, ">Data gaps<", "</section>")
    assert "Falls</a>: 1 of the last 8 weeks has no data" in gaps
    assert "Length of stay</a>: 8 of the last 8 weeks have no data" in gaps
    assert "DrEaMing</a>" not in gaps  # every complete week is in


def test_lead_sees_feedback_requests_and_their_state(app, login, world):
    now = utcnow()
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        for title, state in (("Open one", {}), ("Answered one", {"answered_at": now}),
                             ("Withdrawn one", {"withdrawn_at": now})):
            f.make_feedback_request(f.make_cycle(a, title=title), world.lead_a,
                                    created_at=now - timedelta(days=5), **state)
        db.session.commit()
    html = login("lead_a").get("/dashboard").get_data(True)
    requests = section(html, ">Feedback requests<", "</section>")
    assert "“Open one”</a> to any faculty member:" in requests
    assert "Waiting 5 days" in requests and f"Answered {now:%-d %b}" in requests
    assert "Withdrawn" in requests
    assert requests.index("Open one") < requests.index("Answered one")  # open first


def test_old_answered_requests_leave_the_lead_view_but_old_open_ones_stay(app, login, world):
    long_ago = utcnow() - timedelta(days=100)
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        f.make_feedback_request(f.make_cycle(a, title="Old answered"), world.lead_a,
                                created_at=long_ago, answered_at=long_ago)
        f.make_feedback_request(f.make_cycle(a, title="Old open"), world.lead_a,
                                created_at=long_ago)
        db.session.commit()
    requests = section(login("lead_a").get("/dashboard").get_data(True),
                       ">Feedback requests<", "</section>")
    assert "Old open" in requests and "Waiting 100 days" in requests
    assert "Old answered" not in requests


def test_lead_sees_the_next_learning_event_and_what_to_bring(app, login, world, ward):
    now = utcnow()
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        f.make_event(collab, now + timedelta(days=9), kind=EventKind.LEARNING_SESSION,
                     title="Learning session 3")
        f.make_event(collab, now + timedelta(days=30), title="Later webinar")
        db.session.commit()
    html = login("lead_a").get("/dashboard").get_data(True)
    event = section(html, ">Next learning event<", "</section>")
    assert "Learning session 3" in event and "Later webinar" not in event
    assert f'href="/reports/sites/{world.site_a}/storyboard">Your storyboard' in event
    assert "What you learned from 1 cycle in Study or Act" in event
    assert "Data brought up to date for 2 measures with gaps" in event


# --- faculty ---------------------------------------------------------------------------------

@pytest.fixture
def support(app, world):
    """Beta: no cycle and no data (two reasons); Alpha: one request waiting 6 days."""
    now = utcnow()
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        a = db.session.get(Site, world.site_a)
        measure = f.make_measure(collab.id, name="DrEaMing")
        f.make_values(measure, a, [(5, 10)] * 4)
        asked = f.make_cycle(a, title="Please look")
        f.make_feedback_request(asked, world.lead_a, created_at=now - timedelta(days=6))
        db.session.commit()


def test_faculty_see_sites_needing_support_most_urgent_first(login, world, support):
    html = login("faculty").get("/dashboard").get_data(True)
    needing = section(html, "Sites that may need support: Test DrEaMing", "</section>")
    assert needing.index("Beta Hospital") < needing.index("Alpha Hospital")
    assert "No DrEaMing data ever" in needing and "No cycle this action period" in needing
    assert "1 feedback request unanswered (oldest 6 days)" in needing
    assert f"/reports/faculty?collaborative={world.collaborative}" in needing


def test_stalled_cycles_are_a_reason_for_support(app, login, world, support):
    with app.app_context():
        f.make_cycle(db.session.get(Site, world.site_a), title="Stuck", stage=Stage.DO,
                     updated_at=utcnow() - timedelta(days=16))
        db.session.commit()
    html = login("faculty").get("/reports/faculty").get_data(True)
    assert "1 cycle unchanged for over 2 weeks (longest 16 days)" in section(
        html, "may need support", "Review queue")


def test_faculty_see_the_review_queue(login, world, support):
    html = login("faculty").get("/dashboard").get_data(True)
    queue = section(html, 'id="queue-heading"', "</section>")
    assert "1 feedback request waiting, 1 asking you" in queue
    assert "Please look" in queue and "waiting 6 days" in queue


def test_a_cycle_changed_or_begun_this_period_is_activity_a_deleted_one_is_not(
        app, login, world, support):
    """Beta's only cycle, made long ago: no activity until changed this period or its test
    set to begin in it; deleted, it counts for nothing."""
    long_ago = utcnow() - timedelta(days=400)

    def flagged() -> bool:
        html = login("faculty").get("/reports/faculty/support").get_data(True)
        return "No cycle this action period" in section(html, "Beta Hospital", "</li>")

    with app.app_context():
        old = f.make_cycle(db.session.get(Site, world.site_b), title="Old",
                           created_at=long_ago, updated_at=long_ago)
        db.session.commit()
        cycle_id = old.id
    assert flagged()

    def written(**values) -> None:
        """Written straight to the table (updated_at as given), then the site's standing
        recomputed, as every writer of the table must."""
        with app.app_context():
            db.session.execute(sa.update(Cycle).where(Cycle.id == cycle_id).values(**values))
            standing.refresh([world.site_b])
            db.session.commit()

    written(do_started_on=utcnow().date(), updated_at=long_ago)
    assert not flagged()
    written(do_started_on=None, updated_at=utcnow())
    assert not flagged()
    written(deleted_at=utcnow())
    assert flagged()


def test_the_review_queue_counts_every_request_beyond_those_shown(app, login, world, support):
    """Seven more requests, four asking this faculty member by name and three another site:
    the dashboard lists the oldest five of eight, the faculty page up to ten, and both count
    them all (those asking any faculty member ask this one too)."""
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Many asks")
        for i in range(7):
            f.make_feedback_request(cycle, world.lead_a, message=f"Ask number {i}",
                                    **({"faculty_id": world.faculty} if i % 2 == 0
                                       else {"to_site_id": world.site_b}),
                                    created_at=utcnow() - timedelta(days=i))
        db.session.commit()
    client = login("faculty")
    queue = section(client.get("/dashboard").get_data(True), 'id="queue-heading"', "</section>")
    assert "8 feedback requests waiting, 5 asking you" in queue
    assert queue.count("<li") == 5  # the five oldest
    assert "Please look" in queue and "waiting 3 days" in queue
    assert "waiting 2 days" not in queue and "waiting 0 days" not in queue  # newer: left out
    page = client.get("/reports/faculty").get_data(True)
    assert "Review queue (8 waiting)" in page and "more in the review queue" not in page
    listed = section(page, "Review queue (8 waiting)", "</section>")
    assert listed.count("<li") == 8 and listed.count("Many asks") == 7


def test_faculty_dashboard_shows_the_main_measure_across_sites(login, world, support):
    html = login("faculty").get("/reports/faculty").get_data(True)
    across = section(html, "DrEaMing across sites", "</section>")
    alpha = section(across, "Alpha Hospital", "</tr>")
    assert "<strong>50%</strong>" in alpha
    assert "No data yet" in section(across, "Beta Hospital", "</tr>")
    queue = section(html, "Review queue (1 waiting)", "</section>")
    assert "Please look" in queue and "asks any faculty member" in queue


def test_sites_needing_support_are_worded_as_they_are_read(app, world, support):
    """The ranked sites come as SiteRows when read, one at a time or a slice (a page), in the
    order by_urgency gives the same rows."""
    from tracker.reports.dashboard import by_urgency
    from tracker.reports.front import sites_needing_support

    with app.app_context():
        needing = sites_needing_support(db.session.get(Collaborative, world.collaborative),
                                        utcnow())
        assert len(needing) == 2 and bool(needing)
        rows = needing[0:2]
        assert [r.site.name for r in rows] == ["Beta Hospital", "Alpha Hospital"]
        assert [r.site.name for r in by_urgency(rows[::-1])] == ["Beta Hospital",
                                                                  "Alpha Hospital"]
        assert needing[1].reasons[0].text == "1 feedback request unanswered (oldest 6 days)"
        assert needing[1].reasons[0].days == 6
        assert [str(r) for r in needing[0].reasons][:2] == [
            "No DrEaMing data ever", "No cycle this action period"]
        assert needing[5:] == []


def test_faculty_support_ranks_by_reasons_then_by_how_long(app, world):
    from tracker.reports.dashboard import Reason, SiteRow, by_urgency
    with app.app_context():
        a, b = (db.session.get(Site, s) for s in (world.site_a, world.site_b))
        rows = [SiteRow(a, reasons=[Reason("x", 3)]), SiteRow(b, reasons=[Reason("y", 30)]),
                SiteRow(Site(name="C"), reasons=[Reason("z", 1), Reason("w", 1)]),
                SiteRow(Site(name="D"))]
        assert [r.site.name for r in by_urgency(rows)] == ["C", "Beta Hospital",
                                                            "Alpha Hospital"]


# --- partners --------------------------------------------------------------------------------

def test_partner_sees_whats_new_since_the_last_visit(app, login, world):
    client = login("partner")
    first = client.get("/dashboard").get_data(True)
    assert "Since your last visit" in first and "Welcome." in first
    with app.app_context():
        partner = db.session.get(User, world.partner)
        assert partner.dashboard_seen_at is not None  # kept on the account, across sign-ins
        partner.dashboard_seen_at -= timedelta(minutes=11)  # the next visit is a new look
        seen = partner.dashboard_seen_at
        c = f.make_cycle(db.session.get(Site, world.site_a), title="New since")
        f.make_comment(c, world.member_a, created_at=seen + timedelta(microseconds=1))
        db.session.commit()
    second = client.get("/dashboard").get_data(True)
    news = section(second, "Since your last visit", "Answers to your comments")
    assert "1 new thing since" in news and "Amy Nurse commented on “New since”" in news
    third = client.get("/dashboard").get_data(True)
    assert "Nothing new since" in section(third, "Since your last visit", "Answers to")


def test_the_seen_time_is_written_at_most_every_ten_minutes(app, login, world):
    from sqlalchemy import event

    client = login("partner")
    client.get("/dashboard")
    updates = []

    def _writes(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE"):
            updates.append(statement)

    with app.app_context():
        first = db.session.get(User, world.partner).dashboard_seen_at
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _writes)
    try:
        client.get("/dashboard")  # a refresh soon after: the same look, nothing written
    finally:
        event.remove(engine, "before_cursor_execute", _writes)
    assert updates == []
    with app.app_context():
        partner = db.session.get(User, world.partner)
        assert partner.dashboard_seen_at == first
        partner.dashboard_seen_at = first - timedelta(minutes=10)
        db.session.commit()
    client.get("/dashboard")  # ten minutes on: a new look
    with app.app_context():
        assert db.session.get(User, world.partner).dashboard_seen_at > first


def test_partner_sees_where_their_comments_were_answered(app, login, world):
    with app.app_context():
        c = f.make_cycle(db.session.get(Site, world.site_a), title="Chairs")
        mine = f.make_comment(c, world.partner, body="Did patients like it?")
        f.make_comment(c, world.lead_a, body="Yes", parent_id=mine.id)
        f.make_comment(c, world.partner, body="Thanks", parent_id=mine.id)  # my own: no
        other = f.make_comment(c, world.member_a, body="Not mine")
        reply = f.make_comment(c, world.lead_a, body="Reply to someone else",
                               parent_id=other.id)
        removed = f.make_cycle(db.session.get(Site, world.site_a), title="Gone")
        gone = f.make_comment(removed, world.partner, body="Removed since",
                              deleted_at=utcnow())
        f.make_comment(removed, world.lead_a, body="Answer to a removed comment",
                       parent_id=gone.id)
        db.session.commit()
        # Each reply records whom it answers as it is stored (the index the list reads).
        assert (reply.parent_author_id, mine.parent_author_id) == (world.member_a, None)
    html = login("partner").get("/dashboard").get_data(True)
    answers = section(html, "Answers to your comments", "</section>")
    assert answers.count("answered your comment") == 1
    assert "Leo Lead answered your comment on “Chairs”" in answers
    assert "Gone" not in answers


def test_a_partners_answers_are_read_once_until_anything_is_written(app, login, world,
                                                                    count_queries):
    """Kept for the partner (they are their comments' answers): another partner is never
    served them, and a new answer shows at once."""
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Chairs")
        mine = f.make_comment(cycle, world.partner, body="Did patients like it?")
        f.make_comment(cycle, world.lead_a, body="Yes", parent_id=mine.id)
        other = f.make_user(role="partner", email="pia@example.org", name="Pia Partner",
                            collaborative=db.session.get(Collaborative, world.collaborative))
        db.session.commit()
        cycle_id, mine_id, token = cycle.id, mine.id, other.session_token
    pat, pia = login("partner"), app.test_client()
    with pia.session_transaction() as session:
        session["_user_id"] = token
    answers = lambda client: section(client.get("/dashboard").get_data(True),  # noqa: E731
                                     "Answers to your comments", "</section>")
    pat.get("/dashboard")  # her first look
    app.extensions["memos"]["partner_answers"].clear()
    with count_queries() as made:
        first = answers(pat)
    with count_queries() as kept:
        assert answers(pat) == first
    assert "Leo Lead answered your comment on “Chairs”" in first
    assert kept.count <= made.count - 1
    assert "No one has answered your comments yet" in answers(pia)
    with app.app_context():
        f.make_comment(db.session.get(Cycle, cycle_id), world.member_a, body="Me too",
                       parent_id=mine_id)
        db.session.commit()
    assert "Amy Nurse answered your comment on “Chairs”" in answers(pat)


def test_partner_sees_the_newest_answers_they_may_see_past_hidden_ones(app, login, world,
                                                                      monkeypatch):
    # Replies are read the newest few first (ANSWERS_READ); when those are on cycles the
    # partner may no longer see, all of them are read, and the ten newest visible shown.
    from tracker.main import oversight
    monkeypatch.setattr(oversight, "ANSWERS_READ", 4)
    start = datetime(2026, 3, 1, 9, 0)
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        shared = f.make_cycle(site, title="Shared")
        draft = f.make_cycle(site, title="Now a draft", visibility=Visibility.SITE)
        mine = f.make_comment(shared, world.partner, body="How did it go?",
                              created_at=start)
        on_draft = f.make_comment(draft, world.partner, body="And here?", created_at=start)
        for n in range(12):  # older answers, visible
            f.make_comment(shared, world.lead_a, body=f"Answer {n}", parent_id=mine.id,
                           created_at=start + timedelta(hours=n + 1))
        for n in range(6):  # newer answers, on a cycle the partner can no longer see
            f.make_comment(draft, world.lead_a, body=f"Hidden {n}", parent_id=on_draft.id,
                           created_at=start + timedelta(days=2, hours=n))
        db.session.commit()
        answers = [int(i) for i in re.findall(
            r'href="[^"]*/comments/(\d+)"', section(
                login("partner").get("/dashboard").get_data(True),
                "Answers to your comments", "</section>"))]
        bodies = [db.session.get(Comment, i).body for i in answers]
    assert bodies == [f"Answer {n}" for n in range(11, 1, -1)]


# --- several roles, and the cost --------------------------------------------------------------

def test_someone_with_several_roles_sees_each_roles_sections(app, login, world, ward):
    with app.app_context():
        db.session.add(CollaborativeRole(user_id=world.lead_a, collaborative_id=world.collaborative,
                                         role=CollaborativeRoleKind.FACULTY))
        db.session.commit()
    html = login("lead_a").get("/dashboard").get_data(True)
    for heading in ("Alpha Hospital</a>: what to do next", "Leading Alpha Hospital",
                    "Sites that may need support: Test DrEaMing", 'id="queue-heading"'):
        assert heading in html


def _grow(app, world, n: int) -> None:
    """n more of everything a dashboard lists: cycles, measures and their data, feedback,
    requests, comments, events, sites."""
    now = utcnow()
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        a = db.session.get(Site, world.site_a)
        for i in range(n):
            c = f.make_cycle(a, stage=list(Stage)[i % 4], updated_at=now - timedelta(days=i))
            db.session.add(CycleQuestion(cycle_id=c.id, question="Q", prediction="P"))
            f.make_feedback(c, world.faculty)
            f.make_feedback_request(c, world.lead_a, created_at=now - timedelta(days=i))
            mine = f.make_comment(c, world.partner)
            f.make_comment(c, world.lead_a, parent_id=mine.id)
            m = f.make_measure(collab.id, site_id=a.id if i % 2 else None)
            f.make_values(m, a, [(i, 10)] * 6)
            f.make_event(collab, now + timedelta(days=i + 1), kind=EventKind.LEARNING_SESSION)
            f.make_site(collab)
        db.session.commit()


@pytest.mark.parametrize("who", ["member_a", "lead_a", "faculty", "partner", "admin"])
def test_dashboard_costs_the_same_queries_for_few_or_many_rows(app, login, world, who,
                                                               count_queries):
    with app.app_context():
        if who == "lead_a":  # a lead who is faculty too: most sections at once
            db.session.add(CollaborativeRole(user_id=world.lead_a,
                                             collaborative_id=world.collaborative,
                                             role=CollaborativeRoleKind.FACULTY))
            db.session.commit()
    _grow(app, world, 2)
    client = login(who)
    client.get("/dashboard")  # the first visit writes the first seen time
    app.extensions["memos"].clear()  # both made afresh (that write leaves what is kept)
    with count_queries() as few:
        client.get("/dashboard")
    _grow(app, world, 12)
    with count_queries() as many:
        assert client.get("/dashboard").status_code == 200
    assert many.count == few.count


def test_faculty_dashboard_costs_the_same_queries_with_more_data(app, login, world,
                                                                 count_queries):
    _grow(app, world, 2)
    client = login("faculty")
    with count_queries() as few:
        client.get("/reports/faculty")
    _grow(app, world, 10)
    with count_queries() as many:
        client.get("/reports/faculty")
    assert many.count == few.count


def test_the_dashboard_offers_the_tally_exactly_where_tally_bundle_opens_it(app, world):
    from tracker.measures import bundles
    from tracker.models import Measure
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        whole = f.make_measure(collab.id, name="Whole")
        for part in ("Drink", "Eat"):
            f.make_measure(collab.id, name=part, composite_id=whole.id)
        odd = f.make_measure(collab.id, name="Odd")
        f.make_measure(collab.id, name="Part", composite_id=odd.id)
        f.make_measure(collab.id, name="Counted", composite_id=odd.id, data_kind="count")
        f.make_measure(collab.id, name="Alone")
        gone = f.make_measure(collab.id, name="Gone")
        f.make_measure(collab.id, name="Its part", composite_id=gone.id)
        gone.deleted_at = utcnow()
        db.session.flush()
        live = db.session.scalars(db.select(Measure).where(Measure.deleted_at.is_(None))).all()
        expected = {m.id for m in live if bundles.tally_bundle(m) is not None}
        assert bundles.tally_heads(live) == expected == {whole.id}


def test_a_faculty_members_sections_are_kept_for_them_until_anything_is_written(
        app, login, world, support, count_queries):
    """The queue names the requests asking them: Fred is never served Fay's sections."""
    with app.app_context():
        fred = f.make_user(role="faculty", email="fred@example.org", name="Fred Faculty",
                           collaborative=db.session.get(Collaborative, world.collaborative))
        named = f.make_cycle(db.session.get(Site, world.site_b), title="For Fay")
        f.make_feedback_request(named, world.lead_b, faculty_id=world.faculty)
        db.session.commit()
        token, named_id = fred.session_token, named.id
    fay, freds = login("faculty"), app.test_client()
    with freds.session_transaction() as session:
        session["_user_id"] = token
    fay.get("/dashboard")  # her first look
    app.extensions["memos"]["support_panels"].clear()
    with count_queries() as made:
        first = fay.get("/dashboard").get_data(True)
    with count_queries() as kept:
        again = fay.get("/dashboard").get_data(True)
    queue = lambda html: section(html, 'id="queue-heading"', "</section>")  # noqa: E731
    assert queue(again) == queue(first)
    assert "2 feedback requests waiting, 2 asking you" in queue(first)
    assert kept.count <= made.count - 1  # the queue (its sites with it)
    assert "2 feedback requests waiting, 1 asking you" in queue(freds.get("/dashboard").get_data(
        True))
    with app.app_context():
        f.make_feedback_request(db.session.get(Cycle, named_id), world.lead_b)
        db.session.commit()
    assert "3 feedback requests waiting" in queue(fay.get("/dashboard").get_data(True))
