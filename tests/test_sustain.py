"""Issue 16 (sustain and spread), on designed data: the progress score's suggestion rules and
history, check-ins after Adopt and their notifications (once each, digest-safe), the concern
alert after Adopt, the tally-to-Study offer, the balance flags, and constant query counts."""

import threading
from datetime import date, datetime, timedelta

import pytest

from tests import factories as f
from tests.concurrency.together import paused, run_together
from tracker.cycles import services as cycle_services
from tracker.cycles import study
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import (
    PROGRESS_SCALE,
    CheckAnswer,
    DataKind,
    Decision,
    Direction,
    Frequency,
    Grade,
    MeasureKind,
    Notification,
    NotificationKind,
    Profession,
    ProgressScore,
    ProgressScoreRevision,
    Site,
    Stage,
    SustainAlert,
    SustainCheck,
    TallyEntry,
    User,
    utcnow,
)
from tracker.notifications.delivery import send_digests
from tracker.sites import record
from tracker.sustain import progress, watch


def _site(world) -> Site:
    return db.session.get(Site, world.site_a)


def _user(world, who="member_a") -> User:
    return db.session.get(User, getattr(world, who))


def _continuous(world, **kw):
    return f.make_measure(world.collaborative, data_kind=DataKind.CONTINUOUS,
                          direction=kw.pop("direction", Direction.INCREASE), **kw)


FLAT = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9]
RISE = FLAT + [20, 21, 19, 20, 21, 19, 20, 21]  # a sustained shift upwards (8 above the mean)
FALL = FLAT + [2, 1, 3, 2, 1, 3, 2, 1]  # and downwards


# --- the progress score's suggestion rules ------------------------------------------------

def _suggest(app, site):
    with app.test_request_context():
        return progress.suggest(site, utcnow().date())


def test_suggestion_no_team_is_intent_to_participate(app, world):
    with app.app_context():
        collab = db.session.get(Site, world.site_a).collaborative
        empty = f.make_site(collab, "Gamma Hospital")
        assert _suggest(app, empty).score == 0.5


def test_suggestion_team_without_cycles_is_forming(app, world):
    with app.app_context():
        assert _suggest(app, _site(world)).score == 1.0


@pytest.mark.parametrize("stage,decision,expected", [
    (Stage.PLAN, None, 1.5), (Stage.DO, None, 2.0), (Stage.ACT, Decision.ADOPT, 2.5),
    (Stage.ACT, Decision.ABANDON, 2.0)])
def test_suggestion_from_cycles_without_a_data_change(app, world, stage, decision, expected):
    with app.app_context():
        site = _site(world)
        f.make_cycle(site, stage=stage, decision=decision)
        f.make_values(_continuous(world, name="Flat"), site, FLAT)
        assert _suggest(app, site).score == expected


def test_suggestion_improvement_on_one_core_measure_is_modest(app, world):
    with app.app_context():
        site = _site(world)
        f.make_cycle(site, stage=Stage.DO)
        f.make_values(_continuous(world, name="Rising"), site, RISE)
        f.make_values(_continuous(world, name="Flat"), site, FLAT)
        # A site's own measure and a balancing measure are not core measures.
        f.make_values(_continuous(world, name="Own", site_id=site.id), site, RISE)
        f.make_values(_continuous(world, name="Balance", kind=MeasureKind.BALANCING), site, RISE)
        got = _suggest(app, site)
        assert (got.score, "Rising" in got.reason) == (3.0, True)


def test_suggestion_improvement_on_two_core_measures_or_the_aim_is_significant(app, world):
    with app.app_context():
        site = _site(world)
        f.make_cycle(site, stage=Stage.DO)
        aim = _continuous(world, name="Aim")
        site.collaborative.aim_measure_id = aim.id
        f.make_values(aim, site, RISE)
        assert _suggest(app, site).score == 4.0


def test_suggestion_sustained_at_goal_is_outstanding(app, world):
    with app.app_context():
        site = _site(world)
        f.make_cycle(site, stage=Stage.DO)
        at_goal = _continuous(world, name="At goal", target=18.0)
        f.make_values(at_goal, site, RISE)
        assert _suggest(app, site).score == 5.0
        # One of the last 6 below the target: improvement, not yet sustained at goal.
        site2 = f.make_site(site.collaborative, "Delta Hospital")
        f.make_user(site=site2)
        f.make_cycle(site2, stage=Stage.DO)
        f.make_values(at_goal, site2, FLAT + [20, 21, 19, 20, 21, 17, 20, 21])
        assert _suggest(app, site2).score == 3.0


# --- setting the score: one per month, revisions kept, the suggestion never saved ----------

def test_lead_sets_the_score_and_revisions_are_kept(app, world, login):
    client = login("lead_a")
    page = client.get(f"/sustain/sites/{world.site_a}/progress")
    assert b"The evidence suggests 1.0" in page.data
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ProgressScore.id))) == 0  # never saved
    url = f"/sustain/sites/{world.site_a}/progress"
    client.post(url, data={"score": "1.0", "note": "Team met"})
    client.post(url, data={"score": "1.5", "note": "Planned"})
    with app.app_context():
        rows = db.session.scalars(db.select(ProgressScore)).all()
        assert [(r.score, r.note, r.month) for r in rows] == [
            (1.5, "Planned", utcnow().date().replace(day=1))]
        assert [r.score for r in db.session.scalars(
            db.select(ProgressScoreRevision).order_by(ProgressScoreRevision.id))] == [1.0, 1.5]


def test_score_refusals_keep_what_was_typed(app, world, login):
    client = login("lead_a")
    page = client.post(f"/sustain/sites/{world.site_a}/progress",
                       data={"score": "2.2", "note": "Kept note"})
    assert page.status_code == 422 and b"Kept note" in page.data
    page = client.post(f"/sustain/sites/{world.site_a}/progress",
                       data={"score": "2.0", "note": "Patient 943 476 5919 improved"})
    assert page.status_code == 422 and b"NHS number" in page.data
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ProgressScore.id))) == 0


def test_members_read_the_score_but_do_not_set_it(app, world, login):
    client = login("member_a")
    assert client.get(f"/sustain/sites/{world.site_a}/progress").status_code == 200
    assert b"The evidence suggests" not in client.get(
        f"/sustain/sites/{world.site_a}/progress").data
    assert client.post(f"/sustain/sites/{world.site_a}/progress",
                       data={"score": "1.0"}).status_code == 403
    assert login("member_b").get(f"/sustain/sites/{world.site_a}/progress").status_code == 403


def test_distribution_per_month_all_sites_and_networks(app, world):
    with app.app_context():
        a, b = _site(world), db.session.get(Site, world.site_b)
        other = f.make_site(a.collaborative, "No network")
        today = date(2026, 6, 15)
        lead = _user(world, "lead_a")
        progress.set_score(a, 2.0, "", by=lead, today=date(2026, 5, 3))
        progress.set_score(a, 3.0, "", by=lead, today=today)
        progress.set_score(b, 3.0, "", by=lead, today=today)
        groups = progress.distributions([a.id, b.id, other.id], months=2, today=today)
        assert [g.name for g in groups] == ["All sites", "Test North"]
        june, may = date(2026, 6, 1), date(2026, 5, 1)
        assert groups[0].months == [may, june]
        assert (groups[0].count(june, 3.0), groups[0].unscored(june)) == (2, 1)
        assert (groups[0].count(may, 2.0), groups[0].unscored(may)) == (1, 2)
        assert (groups[1].sites, groups[1].count(june, 3.0)) == (2, 2)
        # The table as the page draws it: a row per score, highest first, a month a column.
        rows = {score: counts for score, _, counts in groups[0].table(PROGRESS_SCALE)}
        assert list(rows) == sorted(PROGRESS_SCALE, reverse=True)
        assert (rows[3.0], rows[2.0], rows[5.0]) == ([0, 2], [1, 0], [0, 0])


def test_the_pages_draw_the_distribution_of_every_site(app, world, login):
    with app.app_context():
        progress.set_score(_site(world), 2.5, "", by=_user(world, "lead_a"))
        db.session.commit()
    for url in (f"/reports/faculty?collaborative={world.collaborative}",
                f"/reports/action-period?collaborative={world.collaborative}"):
        html = login("faculty").get(url).get_data(True)
        part = html[html.index("Progress scores by month"):]
        part = part[:part.index("</table>")]  # all sites: Alpha scored 2.5 this month
        row = part[part.index(">2.5 <"):]
        assert row[:row.index("</tr>")].endswith("<td></td>" * 5 + "<td>1</td>")
        row = part[part.index(">Not scored<"):]
        assert row[:row.index("</tr>")].endswith("<td>2</td>" * 5 + "<td>1</td>")


# --- check-ins after Adopt ------------------------------------------------------------------

def _adopt(world, title="Drink on the ward", today=None):
    site, member = _site(world), _user(world)
    cycle = cycle_services.log_cycle(site, by=member, title=title)
    db.session.flush()
    mine = cycle_services.snapshot(cycle)
    mine["decision"] = Decision.ADOPT.value
    cycle_services.save_worksheet(cycle, mine, base_version=cycle.version, by=member)
    return cycle


def test_adopting_plans_the_default_check_ins_once(app, world):
    with app.app_context():
        cycle = _adopt(world)
        checks = watch.checks_of(cycle.id)
        today = utcnow().date()
        assert [(c.months, c.due_on) for c in checks] == [
            (m, watch.add_months(today, m)) for m in (1, 3, 6)]
        # Adapt, then Adopt again: the plan is kept, not doubled.
        for decision in ("adapt", "adopt"):
            mine = {**cycle_services.snapshot(cycle), "decision": decision}
            cycle_services.save_worksheet(cycle, mine, base_version=cycle.version,
                                          by=_user(world))
        assert len(watch.checks_of(cycle.id)) == 3


def test_add_months_keeps_to_the_month_end():
    assert watch.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert watch.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_the_team_changes_the_plan_and_answered_check_ins_stay(app, world, login):
    with app.app_context():
        cycle = _adopt(world)
        first = watch.checks_of(cycle.id)[0]
        watch.answer(first, CheckAnswer.YES, "", by=_user(world))
        db.session.commit()
        cycle_id = cycle.id
    client = login("member_a")
    client.post(f"/sustain/cycles/{cycle_id}/plan", data={"months": "2, 12"})
    bad = client.post(f"/sustain/cycles/{cycle_id}/plan", data={"months": "soon"},
                      follow_redirects=True)
    assert b"Nothing was changed" in bad.data
    assert login("member_b").post(f"/sustain/cycles/{cycle_id}/plan",
                                  data={"months": "4"}).status_code == 403
    with app.app_context():
        assert [(c.months, c.answer) for c in watch.checks_of(cycle_id)] == [
            (1, CheckAnswer.YES), (2, None), (12, None)]


@pytest.mark.committed  # an answer and a change of plan at once, each on its own connection
def test_an_answer_and_a_change_of_plan_at_once_lose_nothing(app, world, login, monkeypatch):
    """The plan drops the 6-month check-in while a member answers it. Each pauses after what it
    read, for the other: the cycle held from the read to the commit makes one wait for the
    other, so the answer is either kept (answered first: the plan keeps it) or refused with the
    reason (dropped first), never saved and then dropped, nor a server error."""
    with app.app_context():
        cycle_id = _adopt(world).id
        db.session.commit()
        six = next(c.id for c in watch.checks_of(cycle_id) if c.months == 6)
    both = threading.Barrier(2, timeout=2)  # past their reads together, unless one must wait
    monkeypatch.setattr(watch, "set_months", paused(watch.set_months, both, before=True))
    monkeypatch.setattr(watch, "answer", paused(watch.answer, both, before=True))
    pages = run_together({
        "plan": lambda: [login("lead_a").post(f"/sustain/cycles/{cycle_id}/plan",
                                              data={"months": "1, 3"}, follow_redirects=True)],
        "answer": lambda: [login("member_a").post(f"/sustain/checks/{six}", follow_redirects=True,
                                                  data={"answer": "yes", "note": "Still on"})],
    })
    plan, answer = pages["plan"][0], pages["answer"][0]
    assert plan.status_code == 200
    with app.app_context():
        kept = {c.months: (c.answer, c.note) for c in watch.checks_of(cycle_id)}
    if 6 in kept:  # answered first
        assert kept[6] == (CheckAnswer.YES, "Still on") and "Check-in saved: yes" in answer.text
    elif answer.status_code == 404:  # the answer came after the plan's commit (a busy machine)
        assert "taken out of the plan" not in answer.text
    else:
        assert "taken out of the plan meanwhile: nothing was saved" in answer.text
    assert kept[1] == kept[3] == (None, "")


def _due_now(cycle_id):
    for check in watch.checks_of(cycle_id):
        if check.months == 1:
            check.due_on = utcnow().date() - timedelta(days=1)
    db.session.commit()


def test_a_due_check_in_is_announced_once_to_the_team_and_digest_safe(app, world):
    with app.app_context():
        cycle = _adopt(world)
        assert watch.announce_due() == 0  # nothing due yet
        _due_now(cycle.id)
        assert watch.announce_due() == 1
        send_digests(base_url="http://localhost")
        assert watch.announce_due() == 0  # a second run (or after the digest): told once
        rows = db.session.scalars(db.select(Notification).filter_by(
            kind=NotificationKind.SUSTAIN_CHECK)).all()
        assert sorted(r.user_id for r in rows) == sorted([world.member_a, world.lead_a])
        assert all("still happening, 1 month after" in r.text for r in rows)


def test_the_digest_emails_the_check_in_once(app, world, outbox):
    with app.app_context():
        cycle = _adopt(world)
        _due_now(cycle.id)
        watch.announce_due()
        send_digests(base_url="http://localhost")
        send_digests(base_url="http://localhost")
        told = [m for m in outbox if "still happening" in str(m)]
        assert len(told) == 2  # one email each for member_a and lead_a, never again


def test_due_check_in_on_the_dashboard_and_answered_by_the_team(app, world, login):
    with app.app_context():
        cycle = _adopt(world)
        _due_now(cycle.id)
        check_id = watch.checks_of(cycle.id)[0].id
    client = login("member_a")
    assert b"Is \xe2\x80\x9cDrink on the ward\xe2\x80\x9d still happening?" in client.get(
        "/dashboard").data
    assert b"still happening" not in login("member_b").get("/dashboard").data
    assert login("member_b").get(f"/sustain/checks/{check_id}").status_code == 403
    refused = client.post(f"/sustain/checks/{check_id}", data={"note": "Kept"})
    assert refused.status_code == 422 and b"Kept" in refused.data
    client.post(f"/sustain/checks/{check_id}", data={"answer": "partly", "note": "Nights"})
    with app.app_context():
        check = db.session.get(SustainCheck, check_id)
        assert (check.answer, check.note, check.answered_by_id) == (
            CheckAnswer.PARTLY, "Nights", world.member_a)
    assert b"due-checks" not in client.get("/dashboard").data


def test_sustained_at_n_sites_counts_latest_yes(app, world, login):
    with app.app_context():
        site = _site(world)
        idea = f.make_idea(site, title="Early drinks")
        cycle = _adopt(world)
        cycle.idea_id = idea.id
        checks = watch.checks_of(cycle.id)
        watch.answer(checks[0], CheckAnswer.YES, "", by=_user(world))
        db.session.commit()
        assert watch.sustained_sites(idea.id) == 1
        checks[1].answer, checks[1].answered_at = CheckAnswer.NO, utcnow() + timedelta(days=1)
        db.session.commit()
        assert watch.sustained_sites(idea.id) == 0  # the latest check-in says no
        checks[2].answer, checks[2].answered_at = CheckAnswer.YES, utcnow() + timedelta(days=2)
        db.session.commit()
        idea_id = idea.id
    assert b"sustained at 1 site" in login("member_b").get(f"/ideas/{idea_id}").data


# --- the concern alert after Adopt ----------------------------------------------------------

def test_a_concern_after_adopting_alerts_the_site_lead_once(app, world):
    with app.app_context():
        site = _site(world)
        measure = _continuous(world, name="Drinks by 10am")
        f.make_values(measure, site, FALL)
        cycle = _adopt(world)
        cycle.measures = [measure]
        # Adopted the week the fall began (12 weeks after the first value).
        start = periods.recent_periods(Frequency.WEEKLY, len(FALL))[-1]
        fall_starts = start + timedelta(weeks=12)
        for check in watch.checks_of(cycle.id):
            check.adopted_on = fall_starts
        db.session.commit()
        assert watch.watch_site(site.id) == 1
        assert watch.watch_site(site.id) == 0  # the same signal: never again
        assert watch.watch_site(site.id, measure.id) == 0
        rows = db.session.scalars(db.select(Notification).filter_by(
            kind=NotificationKind.MEASURE_CONCERN)).all()
        assert [r.user_id for r in rows] == [world.lead_a]
        assert rows[0].text.startswith("Drinks by 10am has fallen since you adopted")
        assert db.session.scalar(db.select(SustainAlert.signal_start)) == fall_starts


def test_a_concern_before_adopting_raises_nothing(app, world):
    with app.app_context():
        site = _site(world)
        measure = _continuous(world, name="Drinks by 10am")
        f.make_values(measure, site, FALL)
        cycle = _adopt(world)  # adopted today, after the fall began
        cycle.measures = [measure]
        db.session.commit()
        assert watch.watch_site(site.id) == 0


def test_a_grid_save_runs_the_watch(app, world, login):
    """The measure-value write path runs the watch (no Redis here: the job runs at once)."""
    with app.app_context():
        site = _site(world)
        measure = _continuous(world, name="Drinks by 10am")
        weeks = periods.recent_periods(Frequency.WEEKLY, len(FALL))
        f.make_values(measure, site, FALL[:-1], start=weeks[-1])  # this week still empty
        cycle = _adopt(world)
        cycle.measures = [measure]
        for check in watch.checks_of(cycle.id):
            check.adopted_on = weeks[-1] + timedelta(weeks=12)
        db.session.commit()
        measure_id = measure.id
    client = login("member_a")
    form = client.get(f"/measures/{measure_id}/data?site_id={world.site_a}").data.decode()
    import re
    data = {name: value for name, value in re.findall(
        r'name="([^"]+)"[^>]*value="([^"]*)"', form)}
    data["rows-0-value"] = "1"
    saved = client.post(f"/measures/{measure_id}/data?site_id={world.site_a}", data=data)
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SustainAlert.id))) == 1
        assert db.session.scalar(db.select(db.func.count(Notification.id)).filter_by(
            kind=NotificationKind.MEASURE_CONCERN)) == 1


def test_the_daily_command_announces_and_watches(app, world, runner):
    with app.app_context():
        cycle = _adopt(world)
        _due_now(cycle.id)
    result = runner.invoke(args=["sustain-watch"])
    assert "1 check-in announced, 0 alerts raised." in result.output
    assert "0 check-ins announced" in runner.invoke(args=["sustain-watch"]).output


# --- from tally to Study ----------------------------------------------------------------------

def test_tally_during_the_test_is_offered_beside_the_prediction(app, world, login):
    with app.app_context():
        site, member = _site(world), _user(world)
        bundle = f.make_measure(world.collaborative, name="Bundle")
        drink = f.make_measure(world.collaborative, name="Drink", composite_id=bundle.id)
        cycle = f.make_cycle(site, title="Drinks test", stage=Stage.STUDY, author_id=member.id,
                             do_started_on=date(2026, 3, 2), do_ended_on=date(2026, 3, 8))
        cycle.measures = [drink]
        db.session.flush()
        from tracker.models import CycleQuestion
        db.session.add(CycleQuestion(cycle_id=cycle.id, question="How many drink?",
                                     prediction="Most", prediction_value=80))

        def tally(day, met, undone=None):
            db.session.add(TallyEntry(measure_id=bundle.id, site_id=site.id,
                                      period_start=day, results={str(drink.id): met},
                                      met_all=met, created_by_id=member.id,
                                      created_at=datetime(day.year, day.month, day.day, 10),
                                      undone_at=undone))
        for day, met in [(date(2026, 3, 2), True), (date(2026, 3, 5), True),
                         (date(2026, 3, 8), False), (date(2026, 3, 8), True)]:
            tally(day, met)
        tally(date(2026, 3, 1), False)  # before the test
        tally(date(2026, 3, 9), False)  # after it
        tally(date(2026, 3, 4), False, undone=utcnow())  # taken back off
        db.session.commit()
        offers = study.tally_offers(db.session.get(type(cycle), cycle.id))
        assert [(o.measure.name, o.met, o.counted, o.value) for o in offers] == [
            ("Drink", 3, 4, 75.0)]
        cycle_id = cycle.id
    client = login("member_a")
    page = client.get(f"/cycles/{cycle_id}/edit").data.decode()
    assert "3 of 4 patients tallied" in page and "Use 75.0 as the result number" in page
    accepted = client.get(f"/cycles/{cycle_id}/edit?use_tally={drink_id(app)}&q=0")
    assert b'value="75"' in accepted.data
    # Ignored: nothing is saved unless the worksheet is.
    with app.app_context():
        assert db.session.get(type(offers[0].measure), offers[0].measure.id) is not None
        from tracker.models import CycleQuestion
        assert db.session.scalar(db.select(CycleQuestion.result_value)) is None


def drink_id(app):
    with app.app_context():
        from tracker.models import Measure
        return db.session.scalar(db.select(Measure.id).filter_by(name="Drink"))


def test_no_offer_outside_study(app, world):
    with app.app_context():
        cycle = f.make_cycle(_site(world), stage=Stage.DO, do_started_on=date(2026, 3, 2))
        assert study.tally_offers(cycle) == []


# --- balance of the team --------------------------------------------------------------------

def _person(site, profession, grade=Grade.MIDDLE):
    user = f.make_user(site=site, profession=profession)
    user.grade = grade
    return user


def test_balance_flags_one_profession_over_70_percent_and_no_junior_lead(app, world):
    with app.app_context():
        site = _site(world)
        nurse = _person(site, Profession.NURSE)
        physio = _person(site, Profession.PHYSIOTHERAPIST)
        for _ in range(4):
            cycle = f.make_cycle(site, author_id=nurse.id)
        f.make_comment(cycle, physio, "One view")
        start, end = utcnow() - timedelta(days=1), utcnow() + timedelta(days=1)
        balance = record.work_balance([site.id], start, end)[site.id]
        assert balance.dominant[0] == Profession.NURSE and round(balance.dominant[1], 2) == 0.8
        assert len(balance.flags) == 2 and "80%" in balance.flags[0]
        assert "junior" in balance.flags[1]
        # 70% exactly is no flag; a junior-led cycle clears the other.
        junior = _person(site, Profession.PHYSIOTHERAPIST, Grade.JUNIOR)
        f.make_cycle(site, author_id=junior.id)
        f.make_comment(cycle, physio, "Another")
        f.make_comment(cycle, nurse, "Mine")
        f.make_comment(cycle, nurse, "Mine too")
        f.make_comment(cycle, nurse, "And this")
        balance = record.work_balance([site.id], start, end)[site.id]
        assert (balance.total, balance.by_profession[Profession.NURSE]) == (10, 7)
        assert balance.flags == []
        # Outside the period: nothing.
        assert record.work_balance([site.id], end, end + timedelta(days=1))[site.id].flags == []


def test_few_contributions_are_not_flagged_for_domination(app, world):
    with app.app_context():
        site = _site(world)
        nurse = _person(site, Profession.NURSE, Grade.JUNIOR)
        for _ in range(4):
            f.make_cycle(site, author_id=nurse.id)
        start, end = utcnow() - timedelta(days=1), utcnow() + timedelta(days=1)
        assert record.work_balance([site.id], start, end)[site.id].flags == []


def test_balance_shown_to_leads_and_faculty_only(app, world, login):
    with app.app_context():
        site = _site(world)
        nurse = _person(site, Profession.NURSE)
        for _ in range(5):
            f.make_cycle(site, author_id=nurse.id)
        db.session.commit()
    for who, shown in [("lead_a", True), ("faculty", True), ("member_a", False),
                       ("member_b", False), ("partner", False)]:
        page = login(who).get(f"/sites/{world.site_a}").data
        assert (b"team-balance" in page) is shown, who
    faculty = login("faculty").get(f"/reports/faculty?collaborative={world.collaborative}").data
    assert b"Alpha Hospital:</strong> Nurses wrote 100%" in faculty
    assert b"Progress scores by month" in faculty


# --- query counts -----------------------------------------------------------------------------

def _scores(app, world, months):
    with app.app_context():
        site, lead = _site(world), _user(world, "lead_a")
        for i in range(months):
            day = date(2025, 1, 1) + timedelta(days=31 * i)
            progress.set_score(site, 2.0, "x", by=lead, today=day)
            progress.set_score(site, 2.5, "y", by=lead, today=day)
        db.session.commit()


def test_progress_page_query_count_does_not_grow_with_history(app, world, login, count_queries):
    client = login("lead_a")
    _scores(app, world, 1)
    with count_queries() as few:
        client.get(f"/sustain/sites/{world.site_a}/progress")
    _scores(app, world, 8)
    with count_queries() as many:
        client.get(f"/sustain/sites/{world.site_a}/progress")
    assert many.count == few.count


def test_check_in_and_cycle_pages_query_counts_do_not_grow(app, world, login, count_queries):
    with app.app_context():
        cycle = _adopt(world)
        db.session.commit()
        cycle_id, check_id = cycle.id, watch.checks_of(cycle.id)[0].id
    client = login("member_a")
    with count_queries() as few_c:
        client.get(f"/cycles/{cycle_id}")
    with count_queries() as few:
        client.get(f"/sustain/checks/{check_id}")
    client.post(f"/sustain/cycles/{cycle_id}/plan", data={"months": "1, 2, 3, 4, 5, 6, 9, 12"})
    with count_queries() as many_c:
        client.get(f"/cycles/{cycle_id}")
    with count_queries() as many:
        client.get(f"/sustain/checks/{check_id}")
    assert (many.count, many_c.count) == (few.count, few_c.count)


def test_faculty_and_report_sections_query_counts_do_not_grow_with_sites(
        app, world, login, count_queries):
    client = login("faculty")
    urls = [f"/reports/faculty?collaborative={world.collaborative}",
            f"/reports/action-period?collaborative={world.collaborative}"]
    from tracker.sustain import rollups
    ids = db.select(Site.id)
    with app.app_context():
        sites = db.session.scalars(db.select(Site)).all()
    with count_queries() as few:
        with app.app_context():
            rollups.faculty(ids, _period(app, world), utcnow(), sites)
    with app.app_context():
        collab = _site(world).collaborative
        lead = _user(world, "lead_a")
        for i in range(5):
            extra = f.make_site(collab, f"Extra {i}", network_id=world.network)
            progress.set_score(extra, 1.0, "", by=lead)
            f.make_cycle(extra, author_id=lead.id)
        db.session.commit()
        sites = db.session.scalars(db.select(Site)).all()
    with count_queries() as many:
        with app.app_context():
            rollups.faculty(ids, _period(app, world), utcnow(), sites)
    assert many.count == few.count
    for url in urls:
        assert client.get(url).status_code == 200


def _period(app, world):
    from tracker.events.periods import current_period
    return current_period(_site(world).collaborative, utcnow())



def test_worksheet_offer_query_count_does_not_grow_with_tallies(app, world, login,
                                                              count_queries):
    with app.app_context():
        site, member = _site(world), _user(world)
        bundle = f.make_measure(world.collaborative, name="Bundle")
        parts = [f.make_measure(world.collaborative, name=n, composite_id=bundle.id)
                 for n in ("Drink", "Eat")]
        cycle = f.make_cycle(site, stage=Stage.STUDY, author_id=member.id,
                             do_started_on=date(2026, 3, 2), do_ended_on=date(2026, 3, 8))
        cycle.measures = parts
        from tracker.models import CycleQuestion
        db.session.add(CycleQuestion(cycle_id=cycle.id, question="Drink and eat?",
                                     prediction="Most", prediction_value=80))
        db.session.commit()
        cycle_id, bundle_id, part_ids = cycle.id, bundle.id, [p.id for p in parts]

    def tallies(n):
        with app.app_context():
            db.session.add_all([TallyEntry(
                measure_id=bundle_id, site_id=world.site_a, period_start=date(2026, 3, 2),
                results={str(part_ids[0]): True, str(part_ids[1]): i % 2 == 0},
                met_all=i % 2 == 0, created_by_id=world.member_a,
                created_at=datetime(2026, 3, 3, 9)) for i in range(n)])
            db.session.commit()
    client = login("member_a")
    tallies(1)
    with count_queries() as few:
        page = client.get(f"/cycles/{cycle_id}/edit")
    assert page.data.count(b"tally-offer") == 2  # each linked part, beside the question
    tallies(12)
    with count_queries() as many:
        client.get(f"/cycles/{cycle_id}/edit")
    assert many.count == few.count


def test_due_check_ins_are_read_once_for_a_team_while_other_sites_write(
        app, world, login, monkeypatch):
    app.config["CHECK_KEPT"] = False  # (which would read them again to compare)
    with app.app_context():
        cycle = _adopt(world)
        _due_now(cycle.id)
    reads, real = [], watch.due_checks
    monkeypatch.setattr(watch, "due_checks", lambda *a: reads.append(1) or real(*a))
    amy, leo = login("member_a"), login("lead_a")
    assert b"still happening?" in amy.get("/dashboard").data
    assert b"still happening?" in leo.get("/dashboard").data and len(reads) == 1  # shared
    with app.app_context():  # Beta's work: Alpha's check-ins are not read again
        f.make_cycle(db.session.get(Site, world.site_b))
        db.session.commit()
    assert b"still happening?" in amy.get("/dashboard").data and len(reads) == 1
