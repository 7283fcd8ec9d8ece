"""The demo data set: deterministic, idempotent, and telling the DrEaMing story it should."""

import hashlib
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tracker.core import pid
from tracker.demo import DEMO_PASSWORD, LADDER, build_demo, demo_accounts
from tracker.extensions import db
from tracker.models import (
    Attachment,
    ChangeIdea,
    CollaborativeRoleKind,
    Comment,
    Cycle,
    CycleQuestion,
    CycleRevision,
    DataVersion,
    Decision,
    LearningEvent,
    Measure,
    MeasureValue,
    Membership,
    Site,
    SiteRole,
    Stage,
    User,
    Visibility,
)

TODAY = date(2026, 3, 11)  # a Wednesday: the last complete week starts on Monday 2 March


def _build(lines: list[str] | None = None) -> None:
    build_demo(echo=(lines.append if lines is not None else lambda line: None), today=TODAY)
    db.session.commit()


def _digest() -> str:
    """A hash of every row of every table, except the (salted) password hash and the data's
    version (a random number each write sets)."""
    digest = hashlib.sha256()
    conn = db.session.connection()  # the test's own transaction sees what the build wrote
    for table in db.metadata.sorted_tables:
        if table is DataVersion.__table__:
            continue
        rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns))
        for row in rows.mappings():
            digest.update(repr(sorted(
                (k, v) for k, v in row.items() if k != "password_hash")).encode())
    return digest.hexdigest()


def _all(model) -> list:
    return list(db.session.scalars(sa.select(model)))


@pytest.fixture(scope="module")
def _built(module_rollback):
    # Built once for the tests below, which only read it.
    with module_rollback.app_context():
        _build()


@pytest.fixture
def demo(_built, app):
    """The app with the demo built (once for the module), its context pushed."""
    with app.app_context():
        yield app


@pytest.mark.committed  # drops and recreates every table: not inside the test transaction
def test_build_is_deterministic(app):
    with app.app_context():
        _build()
        first = _digest()
        db.session.remove()
        db.drop_all()
        db.create_all()
        _build()
        assert _digest() == first


def test_second_build_changes_nothing(app):
    with app.app_context():
        lines: list[str] = []
        _build(lines)
        assert len(lines) == 15 and lines[0].startswith("Created the DrEaMing collaborative")
        before = _digest()
        again: list[str] = []
        _build(again)
        assert again == ["Demo already present: nothing changed."]
        assert _digest() == before


def test_accounts_exist_with_their_roles(demo):
    accounts = dict(demo_accounts())
    assert len(accounts) == 6
    users = {u.email: u for u in _all(User) if u.email in accounts}
    northgate = db.session.scalar(sa.select(Site).where(Site.name.startswith("Northgate")))
    nurse, hca, lead = (users[f"{who}@northgate.example.org"] for who in ("nurse", "hca", "lead"))
    assert [m.site for m in nurse.memberships] == [northgate] == [m.site for m in hca.memberships]
    assert lead.lead_site_ids == {northgate.id}
    assert users["faculty@dreaming.example.org"].is_faculty
    assert users["partner@dreaming.example.org"].collaborative_roles[0].role == (
        CollaborativeRoleKind.PARTNER)
    assert users["admin@dreaming.example.org"].is_admin
    assert nurse.check_password(DEMO_PASSWORD)
    assert len({u.session_token for u in _all(User)}) == len(_all(User))


def test_sites_teams_and_ideas(demo):
    sites = _all(Site)
    assert len(sites) == 8 and len({s.network_id for s in sites}) == 2
    assert len(_all(User)) >= 40
    leads = Counter(m.site_id for m in _all(Membership) if m.role == SiteRole.SITE_LEAD)
    assert all(1 <= leads[s.id] <= 2 for s in sites)
    ideas = _all(ChangeIdea)
    assert len(ideas) >= 25
    assert all(i.driver.parent and i.tags and i.origin_site and i.author for i in ideas)


def test_cycles_form_growing_ramps_through_every_stage(demo):
    cycles = _all(Cycle)
    assert len(cycles) >= 60
    followed = {c.previous_id for c in cycles if c.previous_id}
    assert all(c.previous_id or c.id in followed for c in cycles)  # no cycle stands alone
    rank = {(amount, unit): n for n, (amount, unit, *_) in enumerate(LADDER)}
    for c in cycles:
        if c.previous:
            assert (c.previous.site_id, c.previous.idea_id) == (c.site_id, c.idea_id)
            assert rank[c.scale_amount, c.scale_unit] > rank[
                c.previous.scale_amount, c.previous.scale_unit]
            assert c.previous.decision == Decision.ADAPT
            assert c.created_at >= c.previous.updated_at
    assert {c.stage for c in cycles} == set(Stage)
    assert {c.decision for c in cycles} >= set(Decision)
    assert any(c.visibility == Visibility.SITE for c in cycles)
    for c in cycles:
        past_plan, past_do = c.stage != Stage.PLAN, c.stage not in (Stage.PLAN, Stage.DO)
        assert c.questions and c.measures and c.objective and c.scale_unit
        assert bool(c.do_started_on) == past_plan
        assert bool(c.study_learning) == past_do
        assert all((q.result != "") == past_do for q in c.questions)
        assert (c.decision is not None) == (c.stage in (Stage.ACT, Stage.COMPLETE))
    assert any(q.prediction_value is not None for q in _all(CycleQuestion))


def test_weekly_data_with_a_gap_and_consistent_components(demo):
    measures = {m.name: m for m in _all(Measure)}
    bundle = measures["DrEaMing (all three within 24 h)"]
    components = [m for m in measures.values() if m.composite_id == bundle.id]
    assert len(components) == 3
    values = _all(MeasureValue)
    weeks: dict[int, set[date]] = defaultdict(set)
    by_key = {(v.measure_id, v.site_id, v.period_start): v for v in values}
    for v in values:
        if v.measure_id == bundle.id:
            weeks[v.site_id].add(v.period_start)
            assert 15 <= v.denominator <= 40 and v.entered_by_id
            for component in components:
                part = by_key[component.id, v.site_id, v.period_start]
                assert v.numerator <= part.numerator <= part.denominator == v.denominator
    # Every site but the struggling one (stopped six weeks ago), the one with a gap and the two
    # that enter a batch at a time (their latest week not in yet) has all 52 weeks.
    assert sorted(len(w) for w in weeks.values()) == [46, 49, 51, 51] + [52] * 4
    assert max(max(w) for w in weeks.values()) == date(2026, 3, 2)
    assert all(d.weekday() == 0 for w in weeks.values() for d in w)


def test_adopted_change_lines_up_with_a_step_up(demo):
    northgate = db.session.scalar(sa.select(Site).where(Site.name.startswith("Northgate")))
    adopted = min((c for c in _all(Cycle) if c.site_id == northgate.id
                   and c.decision == Decision.ADOPT), key=lambda c: c.do_ended_on)
    # The first measure made (PostgreSQL returns an updated row last without an order).
    bundle = db.session.scalar(sa.select(Measure).where(Measure.composite_id.is_(None))
                               .order_by(Measure.id))
    rates = {v.period_start: v.numerator / v.denominator for v in _all(MeasureValue)
             if v.measure_id == bundle.id and v.site_id == northgate.id}
    step = adopted.do_ended_on + timedelta(days=3)
    before = [r for d, r in rates.items() if d < step]
    after = [r for d, r in rates.items() if d >= step]
    assert 0.5 <= sum(before) / len(before) <= 0.65
    assert sum(after) / len(after) >= sum(before) / len(before) + 0.08


def test_a_snack_box_photo_on_a_snack_box_cycle(demo):
    from tracker.attachments.queries import photos_for_cycles

    (photo,) = _all(Attachment)
    assert photo.caption.startswith("The evening snack box")
    cycle = db.session.get(Cycle, photo.cycle_id)
    assert cycle.idea.title == "Evening snack boxes"
    (stored,) = photos_for_cycles([cycle.id])
    assert stored.read().startswith(b"\x89PNG") and b"Exif" not in stored.read()


def test_comments_and_events(demo):
    comments = _all(Comment)
    assert len(comments) >= 25 and any(c.parent_id for c in comments)
    assert {c.author.profession.value for c in comments} >= {"patient_partner", "anaesthetist"}
    events = _all(LearningEvent)
    assert len(events) == 4
    assert {e.starts_at.date() < TODAY for e in events} == {True, False}
    assert any(e.collaborative.parent_id for e in events)


def test_no_patient_identifiable_text(demo):
    conn = db.session.connection()
    for table in db.metadata.sorted_tables:
        texts = [c for c in table.columns if isinstance(c.type, sa.String)
                 and c.name not in ("password_hash", "session_token")]
        for row in conn.execute(sa.select(*texts)) if texts else ():
            for text in row:
                findings = pid.scan(text)
                assert not findings.refused and not findings.warnings, (table.name, text)


def test_faculty_have_feedback_requests_waiting_and_answered(demo):
    from tracker.models import Feedback, FeedbackRequest

    requests = _all(FeedbackRequest)
    waiting = [r for r in requests if r.answered_at is None]
    assert len(requests) >= 6 and waiting
    feedback = _all(Feedback)
    assert len(feedback) == len(requests) - len(waiting)
    assert any(f.addressed_at for f in feedback) and any(not f.addressed_at for f in feedback)
    assert all(r.cycle.visibility.value == "collaborative" for r in requests)


def _site(name: str) -> Site:
    return db.session.scalar(sa.select(Site).where(Site.name.startswith(name)))


def _activity_by_week(site: Site) -> list[int]:
    """Things the site's team did in each of the last 12 weeks (stage moves, data, comments)."""
    monday = TODAY - timedelta(days=TODAY.weekday())
    starts = [monday - timedelta(weeks=n) for n in range(11, -1, -1)]
    team = {m.user_id for m in _all(Membership) if m.site_id == site.id}
    cycles = {c.id for c in _all(Cycle) if c.site_id == site.id}
    moments = [r.created_at for r in _all(CycleRevision) if r.cycle_id in cycles]
    moments += [v.updated_at for v in _all(MeasureValue) if v.site_id == site.id]
    moments += [c.created_at for c in _all(Comment) if c.author_id in team]
    return [sum(start <= m.date() < start + timedelta(weeks=1) for m in moments)
            for start in starts]


def test_engagement_varies_from_a_star_site_to_one_that_stopped(demo):
    per_site = Counter(c.site_id for c in _all(Cycle))
    star, stopped = _site("Northgate"), _site("St Aidan")
    assert per_site[star.id] == max(per_site.values()) == 14
    assert per_site[stopped.id] == min(per_site.values()) == 4
    assert len(set(per_site.values())) >= 4
    star_weeks, stopped_weeks = _activity_by_week(star), _activity_by_week(stopped)
    assert all(star_weeks[:-1]) and sum(star_weeks) > 2 * sum(stopped_weeks)
    assert not any(stopped_weeks[-6:])  # nothing at all in its last six weeks
    last = max(v.period_start for v in _all(MeasureValue) if v.site_id == stopped.id)
    assert last == date(2026, 3, 2) - timedelta(weeks=6)
    assert not any(c.stage in (Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT)
                   for c in _all(Cycle) if c.site_id == stopped.id)
    totals = sorted(sum(_activity_by_week(s)) for s in _all(Site))
    assert len(set(totals)) >= 5 and totals[0] == sum(stopped_weeks)
    assert sum(star_weeks) >= totals[len(totals) // 2]
    assert len(set(star_weeks)) >= 3  # not the same number of things every week


def test_batch_entry_sites_enter_data_a_few_times_a_month(demo):
    for name, every in (("Queen Eleanor", 4), ("Chalk Downs", 2)):
        values = [v for v in _all(MeasureValue) if v.site_id == _site(name).id]
        weeks = {v.period_start for v in values}
        sessions = {v.updated_at.date() for v in values}
        assert date(2026, 3, 2) not in weeks  # the latest batch is not in yet
        assert len(sessions) == -(-len(weeks) // every)  # a session per batch of weeks
        assert all(d.weekday() == 0 for d in sessions)
    northgate = [v for v in _all(MeasureValue) if v.site_id == _site("Northgate").id]
    assert len({v.updated_at.date() for v in northgate}) == 52  # entered every week


def test_one_site_never_got_feedback_and_requests_have_waited_days(demo):
    from tracker.models import FeedbackRequest

    requests = _all(FeedbackRequest)
    unanswered = _site("Chalk Downs")
    theirs = [r for r in requests if r.cycle.site_id == unanswered.id]
    assert theirs and all(r.answered_at is None for r in theirs)
    others = [r for r in requests if r.cycle.site_id != unanswered.id]
    assert all(r.answered_at for r in others if r.cycle.stage == Stage.COMPLETE)
    waiting = [r for r in requests if r.answered_at is None]
    assert max((datetime.combine(TODAY, datetime.min.time()) - r.created_at).days
               for r in waiting) >= 14


def test_cycles_have_a_revision_per_stage_move(demo):
    cycles = _all(Cycle)
    revisions = defaultdict(list)
    for r in _all(CycleRevision):
        revisions[r.cycle_id].append(r)
    for c in cycles:
        history = sorted(revisions[c.id], key=lambda r: r.version)
        assert [r.version for r in history] == list(range(1, c.version + 1))
        assert [r.action for r in history] == ["created"] + ["stage"] * (c.version - 1)
        assert history[-1].snapshot["stage"] == c.stage.value
        assert history[-1].created_at == c.updated_at
        assert [r.created_at for r in history] == sorted(r.created_at for r in history)
        # Completed when its revision says it moved to Complete (the report counts from it).
        assert c.completed_at == (history[-1].created_at if c.stage == Stage.COMPLETE
                                  else None)
        if c.version >= 3:
            assert history[2].changes["stage"] == ["do", "study"]
            assert history[2].snapshot["study_learning"] == c.study_learning
            assert history[1].snapshot["study_learning"] == ""


def test_comments_are_notified_and_the_nurse_has_unread_news(demo):
    from tracker.models import Notification, NotificationKind

    notes = _all(Notification)
    kinds = Counter(n.kind for n in notes)
    assert kinds[NotificationKind.COMMENT] >= 20 and kinds[NotificationKind.REPLY] >= 5
    nurse = db.session.scalar(sa.select(User).where(User.email == "nurse@northgate.example.org"))
    unread = [n for n in notes if n.user_id == nurse.id and n.read_at is None]
    assert len(unread) >= 6
    assert all(n.emailed_at for n in notes)  # a digest run on the demo sends nothing


def test_search_index_is_what_a_full_reindex_makes(demo):
    from tracker.models import SearchDocument
    from tracker.search.engine import reindex_all

    def documents():
        return sorted((d.kind, d.object_id, d.collaborative_id, d.site_id, d.site_only,
                       d.title, d.body, d.updated_at) for d in _all(SearchDocument))

    built = documents()
    assert {kind for kind, *_ in built} == {"idea", "cycle", "comment"}
    reindex_all()
    db.session.expire_all()
    assert documents() == built


def test_one_site_sustained_its_change_and_one_slipped_with_progress_scores(demo):
    """Issue 16: check-ins on adopted changes (a site that sustained, one that slipped) and
    six months of progress scores per site, the slipped site's falling in the last month."""
    from tracker.models import CheckAnswer, ProgressScore, SustainCheck
    from tracker.sustain import watch

    answered = [c for c in _all(SustainCheck) if c.answer is not None]
    by_site: dict[str, list] = {}
    for check in sorted(answered, key=lambda c: (c.cycle_id, c.months)):
        by_site.setdefault(check.cycle.site.name, []).append(check.answer)
    assert len(by_site) == 2
    stories = sorted(by_site.values(), key=lambda answers: CheckAnswer.NO in answers)
    assert set(stories[0]) == {CheckAnswer.YES}
    assert CheckAnswer.YES in stories[1] and CheckAnswer.NO in stories[1]
    assert any(watch.sustained_sites(c.cycle.idea_id) for c in answered)
    scores = _all(ProgressScore)
    sites = {s.site_id for s in scores}
    assert len(scores) == 6 * len(sites) and len(sites) == len(_all(Site))
    assert {s.score for s in scores} >= {1.0, 2.0, 3.0, 4.5}


def test_a_cquin_quarter_missed_and_one_met_notes_and_an_excluded_week(demo):
    from tracker.measures import quarters
    from tracker.models import ChartNote, PointFlag, ReportingPeriod, SubmittedFigure

    first = db.session.scalars(sa.select(Site).order_by(Site.id)).first()
    periods = _all(ReportingPeriod)
    assert [p.name for p in periods] == ["CQUIN Q1 2025/26", "CQUIN Q3 2025/26"]
    results = []
    for p in periods:
        rows = db.session.scalars(sa.select(MeasureValue).where(
            MeasureValue.measure_id == p.measure_id, MeasureValue.site_id == first.id)).all()
        results.append(quarters.site_quarter(p.measure, p.starts_on, p.ends_on, p.threshold,
                                             p.min_periods, rows).status)
    assert results == [quarters.NOT_MET, quarters.MET]
    assert [f.site_id for f in _all(SubmittedFigure)] == [first.id]
    assert len(_all(ChartNote)) == 2
    flag = _all(PointFlag)[0]
    assert flag.kind == "excluded" and "day-case" in flag.reason
    assert periods[0].measure.data_source and periods[0].measure.collected_by
