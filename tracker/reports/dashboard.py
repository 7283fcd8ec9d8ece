"""The faculty dashboard: sites needing support ranked by urgency, the review queue, activity
per site per week, the main measure across sites and each site's profession mix. About sites
and teams, never a ranking of people. A fixed number of queries whatever the number of sites;
the per-site sections show one page of sites at a time (PAGE_SIZE, by name), so what a request
reads and prints does not grow with them.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

import sqlalchemy as sa

from ..core.memo import kept, statement_key
from ..core.queries import LeadingJoin, Unindexed, greatest, whole_days
from ..core.versions import kept_until_written, this_minute
from ..cycles.queries import revised_since
from ..events.periods import ActionPeriod
from ..extensions import db
from ..feedback.review import Asked, oldest_waiting
from ..measures.front import measure_at_sites, period_start
from ..measures.series import VIEWS
from ..models import (
    STALLED_AFTER,
    Collaborative,
    Comment,
    Cycle,
    CycleRevision,
    Feedback,
    Measure,
    MeasureSummary,
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

    @property
    def cells(self) -> list[tuple[int, int, str]]:
        """The heatmap's cells: each week's count, its shade and the shade in words (made
        here: two calls from the template for each of a page's 300 cells cost more)."""
        return [(n, shade, HEAT_WORDS[shade]) for n in self.weeks for shade in (heat(n),)]


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


def support(collaborative_ids: Iterable[int], ids: sa.Select | list[int],
            period: ActionPeriod, now: datetime) -> "Needing":
    """The sites (`ids`, of these collaboratives: a select of their ids, or a list) that may
    need support, most urgent first, as a Needing: ranked by the database, read a page at a
    time (one query for the first, and one for each collaborative's main measure not yet
    looked up)."""
    measures = {c: m for c in sorted(set(collaborative_ids))
                if (m := main_measure(c)) is not None}
    return Needing(_Facts(measures, period, now), ids)


def _rank(site, days: list[int]) -> tuple:
    """The ranking rule, as a sort key: more reasons first, then the longest-standing
    problem (the most days of any reason), then by name. The database ranks by it
    (_Facts.ranked), names in its own order, as in every list of sites (PostgreSQL's
    collation may put "alpha ward" before "Beta"); by_urgency applies it to rows in hand."""
    return -len(days), -max(days, default=0), site.name


class Needing(Sequence):
    """The sites that may need support, most urgent first, as SiteRows. The database finds and
    ranks them, and counts them beside the first rows it returns; only the rows read are put
    into words. The first FIRST are read at once (a dashboard's 20, a page of 100), any others
    a page at a time: 1,500 sites were ranked in Python, 10-15 ms per request at 10x."""

    FIRST = 100

    def __init__(self, facts: "_Facts", ids: sa.Select | list[int]) -> None:
        self._facts, self._ids = facts, ids
        self._first: list | None = None
        self._total: int | None = None

    def _read(self, start: int, stop: int) -> list:
        # Made once per shape and day (a few hundred elements: building it was most of the
        # ranking's time), run with the time and the rows wanted as parameters.
        facts = self._facts
        ids = (statement_key(self._ids) if isinstance(self._ids, sa.Select)
               else tuple(self._ids))
        statement = kept("support_ranking", 32, None if ids is None else (facts.key, ids),
                         lambda: facts.ranked(self._ids).add_columns(
                             sa.func.count().over().label("_total"))
                         .offset(sa.bindparam("offset", type_=sa.Integer))
                         .limit(sa.bindparam("limit", type_=sa.Integer)))
        # The rows themselves are kept while the data stands still (core.versions), for a
        # minute (the days it counts are whole days): it reads a row per site.
        rows = kept_until_written(
            "support_rows", 64,
            None if ids is None else (facts.key, ids, this_minute(facts.now), start, stop),
            lambda: db.session.execute(statement, {**facts.params, "offset": start,
                                                   "limit": stop - start}).all())
        if rows or start == 0:
            self._total = rows[0]._total if rows else 0
        return rows

    def __len__(self) -> int:
        if self._first is None:
            self._first = self._read(0, self.FIRST)
        return self._total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            found = self[index:index + 1 or None] if index >= 0 else self[index:][:1]
            if not found:
                raise IndexError(index)
            return found[0]
        wanted = range(*index.indices(len(self)))
        if not wanted:
            return []
        low, high = min(wanted), max(wanted) + 1
        rows = self._first[low:high] if high <= self.FIRST else self._read(low, high)
        return [self._facts.row(rows[i - low]) for i in wanted]


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


_NOW = sa.bindparam("now", type_=sa.DateTime)
_TODAY = sa.bindparam("today", type_=sa.Date)
_STALLED_BEFORE = sa.bindparam("stalled_before", type_=sa.DateTime)


@dataclass
class _Facts:
    """The reasons a site may need support (no data for 3+ weeks, no cycle this action period,
    feedback asked for and unanswered, cycles stalled), as the database ranks them and as a
    shown row words them. Each site's facts are its latest period of the main measure (the last
    entry of its run of the (measure, site, period) index, where grouping would read every
    value) and its stored standing (reports.standing)."""

    measures: dict[int, Measure]  # the main measure of each collaborative
    period: ActionPeriod
    now: datetime

    def __post_init__(self) -> None:
        now = self.now
        self.cutoffs = {c: period_start(now.date(), m.frequency) - timedelta(weeks=NO_DATA_WEEKS)
                        for c, m in self.measures.items()}
        self.quiet_days = (now - self.period.start).days
        self.stalled_before = standing.stalled_since(now)

    @property
    def key(self) -> tuple:
        """What `ranked` is made of but the time (its parameters, `params`): the day's."""
        return (tuple((c, m.id) for c, m in self.measures.items()),
                tuple(self.cutoffs.items()), self.quiet_days, self.period.start)

    @property
    def params(self) -> dict:
        return {"now": self.now, "today": self.now.date(),
                "stalled_before": self.now - STALLED_AFTER}

    def ranked(self, ids: sa.Select | list[int]) -> sa.Select:
        """The sites with any reason, most urgent first (_rank's rule), each one's reasons
        found and their days counted by the database as `reasons` counts them. The facts are
        read once per site first (a materialized common table expression: the latest period
        is a seek per site, which the reasons refer to several times). The time is left to
        the parameters `params` names."""
        s = SiteStanding
        now, today = _NOW, _TODAY
        # The latest period entered of the main measure: from the site's stored chart summary
        # (a seek per site cost 10 ms at 1,500 sites), else (none stored) from its values.
        main = (sa.literal(next(iter(self.measures.values())).id)  # one: a join on it
                if len(self.measures) == 1 else
                sa.case(*((Site.collaborative_id == c, m.id) for c, m in self.measures.items()))
                if self.measures else sa.null())
        sought = db.select(sa.func.max(MeasureValue.period_start)).where(
            MeasureValue.measure_id == main, MeasureValue.site_id == Site.id).scalar_subquery()
        latest = sa.case((MeasureSummary.site_id.is_not(None), MeasureSummary.last_entered),
                         (main.is_not(None), sought))
        active, *stored = standing.read_columns(self.period.start)
        facts = (db.select(Site.id, Site.name, Site.collaborative_id, Site.created_at,
                           sa.type_coerce(latest, sa.Date).label("latest"),
                           active.label("active"), *stored, s.open_oldest_at)
                 .select_from(Site).outerjoin(SiteStanding, SiteStanding.site_id == Site.id)
                 .outerjoin(MeasureSummary, (MeasureSummary.measure_id == main)
                            & (MeasureSummary.site_id == Site.id)
                            & (MeasureSummary.view == VIEWS[0]))
                 .where(Site.id.in_(ids)).cte("site_facts").prefix_with("MATERIALIZED"))
        f = facts.c
        # Each reason: whether the site has it, and its days.
        no_data = sa.or_(sa.false(), *(
            (f.collaborative_id == c) & (f.latest.is_(None) | (f.latest < cutoff))
            for c, cutoff in self.cutoffs.items()))
        reasons = [
            (no_data, whole_days(today, sa.func.coalesce(f.latest, sa.func.date(f.created_at)))),
            (sa.func.coalesce(f.active, 0) == 0, sa.literal(self.quiet_days, sa.Integer)),
            (sa.func.coalesce(f.requests_open, 0) > 0, whole_days(now, f.request_oldest_at)),
            (f.open_oldest_at < _STALLED_BEFORE, whole_days(now, f.open_oldest_at)),
        ]
        count = sum((sa.case((has, 1), else_=0) for has, _ in reasons), sa.literal(0))
        most = greatest(*(sa.case((has, days), else_=-1) for has, days in reasons))
        return (db.select(*(c for c in f if c.key != "open_oldest_at"),
                          count.label("reasons"), most.label("most"))
                .where(count > 0).order_by(count.desc(), most.desc(), f.name, f.id))

    def row(self, found) -> SiteRow:
        """A ranked row as a SiteRow, its reasons worded."""
        stood = standing.Standing(found.active, found.open_changes, found.requests_open,
                                  found.request_oldest_at)
        return SiteRow(found, reasons=[Reason(words(), days)
                                       for days, words in self.reasons(found, found.latest,
                                                                       stood)])

    def reasons(self, site, last: date | None,
                stood: standing.Standing) -> list[tuple[int, Callable[[], str]]]:
        """The site's reasons to need support, as (days it has been so, its words)."""
        out = []
        now, today = self.now, self.now.date()
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
