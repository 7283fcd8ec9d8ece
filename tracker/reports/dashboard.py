"""The faculty dashboard: sites needing support ranked by urgency, the review queue, activity
per site per week, the main measure across sites and each site's profession mix. About sites
and teams, never a ranking of people. A fixed number of queries whatever the number of sites;
the per-site sections show one page of sites at a time (PAGE_SIZE, by name), so what a request
reads and prints does not grow with them.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

import sqlalchemy as sa

from ..core.queries import LeadingJoin, Unindexed
from ..cycles.queries import revised_since
from ..events.periods import ActionPeriod
from ..extensions import db
from ..feedback.review import Asked, oldest_waiting
from ..measures.front import measure_at_sites, period_start
from ..models import (
    Collaborative,
    Comment,
    Cycle,
    CycleRevision,
    Feedback,
    Measure,
    MeasureValue,
    Membership,
    Profession,
    Site,
    SiteStanding,
    User,
)
from . import standing
from .figures import main_measure, main_measure_with_summaries

WEEKS = 12
PAGE_SIZE = 25  # sites per page of the per-site sections
SUPPORT_SHOWN = 20  # the most urgent sites listed on the dashboard; the rest one link away
SUPPORT_PAGE_SIZE = 100  # sites per page of the full list of those that may need support
QUEUE_SHOWN = 10  # the oldest feedback requests waiting; the rest in the review queue
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
    site: Site  # or a row of its id, name, collaborative_id and created_at (the ranking)
    weeks: list[int] = field(default_factory=list)  # activity per week, oldest first
    reasons: list[Reason] = field(default_factory=list)  # why the site may need support
    mix: list[tuple[str, int]] = field(default_factory=list)  # (profession, people)

    @property
    def total(self) -> int:
        return sum(self.weeks)


def by_urgency(rows: list[SiteRow]) -> list[SiteRow]:
    """The sites with a reason to need support, the most urgent first (then by name)."""
    needing = [r for r in rows if r.reasons]
    return sorted(needing, key=lambda r: _rank(r.site, [x.days for x in r.reasons]))


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def heat(count: int) -> int:
    """A shade from 0 to 4 for a week's activity."""
    return 0 if count == 0 else 1 if count <= 2 else 2 if count <= 5 else 3 if count <= 10 else 4


def heat_words(count: int) -> str:
    """The shade in words, so the heatmap never rests on colour alone."""
    return HEAT_WORDS[heat(count)]


def build(sites: list[Site], now: datetime) -> list[SiteRow]:
    """Each site's activity per week and team mix (two queries): the per-site sections, for
    one page of sites."""
    rows = {s.id: SiteRow(s) for s in sites}
    ids = list(rows)
    if not ids:
        return []
    _activity(rows, ids, week_starts(now.date()))
    _mix(rows, ids)
    return [rows[s.id] for s in sites]


def support(sites: list[Site], period: ActionPeriod, now: datetime, *,
            ids: sa.Select | None = None) -> "Needing":
    """The sites that may need support, each with its reasons, most urgent first (one query,
    and one for each collaborative's main measure not yet looked up). `ids`, a select of the
    same sites' ids, spares the query a list of every id (1,500 at 10x: expanding them into
    the statement took longer than running it)."""
    if not sites:
        return Needing([])
    facts = _support(sites, [s.id for s in sites] if ids is None else ids, period, now)
    found = ((site, reasons) for site in sites if (reasons := facts.reasons(site)))
    return Needing(sorted(found, key=lambda pair: _rank(pair[0], [d for d, _ in pair[1]])))


def _rank(site, days: list[int]) -> tuple:
    """The ranking rule, as a sort key: more reasons first, then the longest-standing
    problem (the most days of any reason), then by name."""
    return -len(days), -max(days, default=0), site.name


class Needing(Sequence):
    """The sites that may need support, most urgent first, as SiteRows. A site's reasons are
    ranked by their numbers and put into words only when its row is read: a page shows 20 or
    100 of them, and wording every reason of 1,500 sites took longer than finding them."""

    def __init__(self, ranked: list[tuple]) -> None:
        self._ranked = ranked  # (site, [(days, words)]), in order

    def __len__(self) -> int:
        return len(self._ranked)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [_worded(*pair) for pair in self._ranked[index]]
        return _worded(*self._ranked[index])


def _worded(site, reasons: list[tuple]) -> SiteRow:
    return SiteRow(site, reasons=[Reason(words(), days) for days, words in reasons])


def overview(collaborative: Collaborative, sites: list[Site], user: User,
             now: datetime, asked: Asked) -> dict:
    """The main measure at each of `sites` (latest value and signal icons) and the feedback
    requests waiting in the collaborative (those `asked` holds, see feedback.review.asked_of),
    the oldest QUEUE_SHOWN and how many in all: two queries."""
    measure, stored = main_measure_with_summaries(collaborative.id, [s.id for s in sites])
    waiting, total, _ = oldest_waiting(user, {collaborative.id}, now, asked, shown=QUEUE_SHOWN)
    return {
        "measure": measure,
        "across": measure_at_sites(measure, sites, now.date(), stored=stored) if measure else [],
        "waiting": waiting,
        "waiting_total": total,
    }


def _activity(rows: dict, ids: list[int], starts: list[date]) -> None:
    """Things done at each site per day (cycle changes, data entered, comments and feedback
    by its team), summed into weeks."""
    since = datetime.combine(starts[0], datetime.min.time())
    team = db.select(Membership.site_id, Membership.user_id).where(
        Membership.site_id.in_(ids)).subquery()
    # The sites' cycles changed lately, then their recent changes: both read from indexes
    # alone (ix_cycle_site_updated, ix_cycle_revision_cycle_id_created_at; likewise the
    # values').
    sources = [
        db.select(Cycle.site_id.label("site_id"), CycleRevision.created_at.label("at"))
        .join(CycleRevision, CycleRevision.cycle_id == Cycle.id)
        .where(Cycle.site_id.in_(ids), revised_since(since), CycleRevision.created_at >= since),
        db.select(MeasureValue.site_id, MeasureValue.updated_at)
        .where(MeasureValue.site_id.in_(ids), MeasureValue.updated_at >= since),
        db.select(team.c.site_id, Comment.created_at).join(
            team, team.c.user_id == Comment.author_id).where(Comment.created_at >= since),
        # From the team to what each member wrote (few, by author): left to itself, SQLite
        # read all the feedback since then (mostly faculty's) to find the team's.
        db.select(team.c.site_id, Feedback.created_at)
        .select_from(LeadingJoin(team, Feedback, team.c.user_id == Feedback.author_id))
        .where(Unindexed(Feedback.created_at) >= since),
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


def _support(sites: list[Site], ids: list[int] | sa.Select, period: ActionPeriod,
             now: datetime) -> "_Facts":
    """No data for 3+ weeks, no cycle this action period, feedback asked for and unanswered,
    cycles stalled: one query, a row per site of its latest period of the main measure (the
    last entry of its run of the (measure, site, period) index, where grouping would read
    every value) and its stored standing (reports.standing)."""
    measures = {c: m for c in sorted({s.collaborative_id for s in sites})
                if (m := main_measure(c)) is not None}
    latest_of = {c: db.select(sa.func.max(MeasureValue.period_start))
                 .where(MeasureValue.measure_id == m.id, MeasureValue.site_id == Site.id)
                 .scalar_subquery() for c, m in measures.items()}
    if len(latest_of) == 1:
        latest = next(iter(latest_of.values()))
    elif latest_of:
        latest = sa.case(*((Site.collaborative_id == c, q) for c, q in latest_of.items()))
    else:
        latest = sa.null()
    rows = db.session.execute(
        db.select(Site.id, sa.type_coerce(latest, sa.Date), *standing.read_columns(period.start))
        .select_from(Site).outerjoin(SiteStanding, SiteStanding.site_id == Site.id)
        .where(Site.id.in_(ids)))
    found = {site_id: (last, standing.Standing(*stored)) for site_id, last, *stored in rows}
    return _Facts(found, measures, period, now)


_NOTHING = standing.Standing(0, None, None, None)


@dataclass
class _Facts:
    """What the support query found, and the rules that make reasons of it."""

    found: dict[int, tuple[date | None, standing.Standing]]  # site: (latest period, standing)
    measures: dict[int, Measure]  # the main measure of each collaborative
    period: ActionPeriod
    now: datetime

    def __post_init__(self) -> None:
        now = self.now
        self.cutoffs = {c: period_start(now.date(), m.frequency) - timedelta(weeks=NO_DATA_WEEKS)
                        for c, m in self.measures.items()}
        self.quiet_days = (now - self.period.start).days
        self.stalled_before = standing.stalled_since(now)

    def reasons(self, site) -> list[tuple[int, Callable[[], str]]]:
        """The site's reasons to need support, as (days it has been so, its words)."""
        out = []
        now, today = self.now, self.now.date()
        last, stood = self.found.get(site.id, (None, _NOTHING))
        measure = self.measures.get(site.collaborative_id)
        if measure is not None and (last is None or last < self.cutoffs[site.collaborative_id]):
            # Never: as long-standing as the site itself.
            out.append(((today - (last or site.created_at.date())).days,
                        partial(_no_data_words, measure.name, last)))
        if not stood.active:
            out.append((self.quiet_days, _quiet_words))
        if stood.requests_open:
            days = (now - stood.request_oldest_at).days
            out.append((days, partial(_asked_words, stood.requests_open, days)))
        count, oldest = stood.stalled(self.stalled_before)
        if count:
            days = (now - oldest).days
            out.append((days, partial(_stalled_words, count, days)))
        return out


def _no_data_words(name: str, last: date | None) -> str:
    return f"No {name} data {f'since {last:%-d %b %Y}' if last else 'ever'}"


def _quiet_words() -> str:
    return "No cycle this action period"


def _asked_words(count: int, days: int) -> str:
    return (f"{count} feedback request{'s' if count != 1 else ''} unanswered "
            f"(oldest {days} day{'s' if days != 1 else ''})")


def _stalled_words(count: int, days: int) -> str:
    return (f"{count} cycle{'s' if count != 1 else ''} unchanged for over 2 weeks "
            f"(longest {days} days)")


def _mix(rows: dict, ids: list[int]) -> None:
    """Each team's professions, alphabetically, as numbers of people."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for site_id, profession in db.session.execute(
            db.select(Membership.site_id, User.profession).join(Membership.user)
            .where(Membership.site_id.in_(ids), User.active.is_(True))):
        counts[site_id][Profession(profession)] += 1
    for site_id, counter in counts.items():
        rows[site_id].mix = sorted((p.label, n) for p, n in counter.items())
