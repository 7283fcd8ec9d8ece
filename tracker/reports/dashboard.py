"""The faculty dashboard: sites needing support ranked by urgency, the review queue, activity
per site per week, the main measure across sites and each site's profession mix. About sites
and teams, never a ranking of people. A fixed number of queries whatever the number of sites.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ..core.queries import rows_first
from ..cycles.queries import stalled_per_site
from ..events.periods import ActionPeriod
from ..extensions import db
from ..feedback.review import awaiting
from ..measures.front import measure_at_sites, period_start
from ..models import (
    Collaborative,
    Comment,
    Cycle,
    CycleRevision,
    Feedback,
    FeedbackRequest,
    MeasureValue,
    Membership,
    Profession,
    Site,
    User,
    Visibility,
)
from .figures import main_measure

WEEKS = 12
NO_DATA_WEEKS = 3
HEAT_WORDS = ("none", "a little", "some", "a lot", "very busy")


@dataclass(frozen=True)
class Reason:
    """Why a site may need support, and for how many days it has been so."""

    text: str
    days: int

    def __str__(self) -> str:
        return self.text


@dataclass
class SiteRow:
    site: Site
    weeks: list[int] = field(default_factory=list)  # activity per week, oldest first
    reasons: list[Reason] = field(default_factory=list)  # why the site may need support
    mix: list[tuple[str, int]] = field(default_factory=list)  # (profession, people)

    @property
    def total(self) -> int:
        return sum(self.weeks)

    @property
    def urgency(self) -> tuple[int, int]:
        """The ranking rule: more reasons first, then the longest-standing problem."""
        return len(self.reasons), max((r.days for r in self.reasons), default=0)


def by_urgency(rows: list[SiteRow]) -> list[SiteRow]:
    """The sites with a reason to need support, the most urgent first (then by name)."""
    needing = [r for r in rows if r.reasons]
    return sorted(needing, key=lambda r: (-r.urgency[0], -r.urgency[1], r.site.name))


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def heat(count: int) -> int:
    """A shade from 0 to 4 for a week's activity."""
    return 0 if count == 0 else 1 if count <= 2 else 2 if count <= 5 else 3 if count <= 10 else 4


def heat_words(count: int) -> str:
    """The shade in words, so the heatmap never rests on colour alone."""
    return HEAT_WORDS[heat(count)]


def build(sites: list[Site], period: ActionPeriod, now: datetime) -> list[SiteRow]:
    rows = {s.id: SiteRow(s) for s in sites}
    ids = list(rows)
    if not ids:
        return []
    starts = week_starts(now.date())
    _activity(rows, ids, starts)
    _support(rows, sites, ids, period, now)
    _mix(rows, ids)
    return [rows[s.id] for s in sites]


def support(sites: list[Site], period: ActionPeriod, now: datetime) -> list[SiteRow]:
    """Only the reasons each site may need support (no activity, no mix), by urgency."""
    rows = {s.id: SiteRow(s) for s in sites}
    if rows:
        _support(rows, sites, list(rows), period, now)
    return by_urgency([rows[s.id] for s in sites])


def overview(collaborative: Collaborative, sites: list[Site], user: User,
             now: datetime, asked=None) -> dict:
    """The main measure at every site (latest value and signal icons) and the feedback
    requests waiting in the collaborative (those meeting `asked`, see feedback.review.asked_of),
    oldest first: three queries."""
    measure = main_measure(collaborative.id)
    return {
        "measure": measure,
        "across": measure_at_sites(measure, sites, now.date()) if measure else [],
        "waiting": awaiting(user, {collaborative.id}, now, asked),
    }


def _activity(rows: dict, ids: list[int], starts: list[date]) -> None:
    """Things done at each site per day (cycle changes, data entered, comments and feedback
    by its team), summed into weeks."""
    since = datetime.combine(starts[0], datetime.min.time())
    team = db.select(Membership.site_id, Membership.user_id).where(
        Membership.site_id.in_(ids)).subquery()
    revised = rows_first((CycleRevision.cycle_id, CycleRevision.created_at),
                         CycleRevision.created_at >= since)
    sources = [
        db.select(Cycle.site_id.label("site_id"), revised.c.created_at.label("at"))
        .join(Cycle, Cycle.id == revised.c.cycle_id).where(Cycle.site_id.in_(ids)),
        db.select(MeasureValue.site_id, MeasureValue.updated_at)
        .where(MeasureValue.site_id.in_(ids), MeasureValue.updated_at >= since),
        db.select(team.c.site_id, Comment.created_at).join(
            team, team.c.user_id == Comment.author_id).where(Comment.created_at >= since),
        db.select(team.c.site_id, Feedback.created_at).join(
            team, team.c.user_id == Feedback.author_id).where(Feedback.created_at >= since),
    ]
    events = sa.union_all(*sources).subquery()
    day = sa.func.date(events.c.at)
    counts = db.session.execute(
        db.select(events.c.site_id, day, sa.func.count()).group_by(events.c.site_id, day))
    index = {start: i for i, start in enumerate(starts)}
    for row in rows.values():
        row.weeks = [0] * len(starts)
    for site_id, on, count in counts:
        on = on if isinstance(on, date) else date.fromisoformat(str(on))
        week = index.get(on - timedelta(days=on.weekday()))
        if week is not None:
            rows[site_id].weeks[week] += count


def _support(rows: dict, sites: list[Site], ids: list[int], period: ActionPeriod,
             now: datetime) -> None:
    """No data for 3+ weeks, no cycle this action period, feedback asked for and unanswered,
    cycles stalled."""
    _no_data(rows, sites, ids, now)
    active = set(db.session.scalars(
        db.select(Cycle.site_id).where(
            Cycle.site_id.in_(ids), Cycle.deleted_at.is_(None),
            sa.or_(Cycle.do_started_on >= period.start.date(),
                   Cycle.created_at >= period.start, Cycle.updated_at >= period.start))
        .distinct()))
    for site_id in sorted(set(ids) - active):
        rows[site_id].reasons.append(
            Reason("No cycle this action period", (now - period.start).days))
    _unanswered(rows, ids, now)
    for site_id, count, oldest in db.session.execute(stalled_per_site(ids, now)):
        days = (now - oldest).days
        rows[site_id].reasons.append(Reason(
            f"{count} cycle{'s' if count != 1 else ''} unchanged for over 2 weeks "
            f"(longest {days} days)", days))


def _no_data(rows: dict, sites: list[Site], ids: list[int], now: datetime) -> None:
    for collaborative_id in {s.collaborative_id for s in sites}:
        measure = main_measure(collaborative_id)
        if measure is None:
            continue
        latest = dict(db.session.execute(
            db.select(MeasureValue.site_id, sa.func.max(MeasureValue.period_start))
            .where(MeasureValue.measure_id == measure.id, MeasureValue.site_id.in_(ids))
            .group_by(MeasureValue.site_id)).all())
        cutoff = period_start(now.date(), measure.frequency) - timedelta(
            weeks=NO_DATA_WEEKS)
        for site in sites:
            last = latest.get(site.id)
            if site.collaborative_id == collaborative_id and (last is None or last < cutoff):
                since = f"since {last:%-d %b %Y}" if last else "ever"
                # Never: as long-standing as the site itself.
                days = (now.date() - (last or site.created_at.date())).days
                rows[site.id].reasons.append(Reason(f"No {measure.name} data {since}", days))


def _unanswered(rows: dict, ids: list[int], now: datetime) -> None:
    waiting = db.session.execute(
        db.select(Cycle.site_id, sa.func.count(FeedbackRequest.id),
                  sa.func.min(FeedbackRequest.created_at))
        .join(FeedbackRequest.cycle)
        .where(Cycle.site_id.in_(ids), Cycle.deleted_at.is_(None),
               Cycle.visibility == Visibility.COLLABORATIVE,
               FeedbackRequest.answered_at.is_(None), FeedbackRequest.withdrawn_at.is_(None))
        .group_by(Cycle.site_id))
    for site_id, count, oldest in waiting:
        days = (now - oldest).days
        rows[site_id].reasons.append(Reason(
            f"{count} feedback request{'s' if count != 1 else ''} unanswered "
            f"(oldest {days} day{'s' if days != 1 else ''})", days))


def _mix(rows: dict, ids: list[int]) -> None:
    """Each team's professions, alphabetically, as numbers of people."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for site_id, profession in db.session.execute(
            db.select(Membership.site_id, User.profession).join(Membership.user)
            .where(Membership.site_id.in_(ids), User.active.is_(True))):
        counts[site_id][Profession(profession)] += 1
    for site_id, counter in counts.items():
        rows[site_id].mix = sorted((p.label, n) for p, n in counter.items())
