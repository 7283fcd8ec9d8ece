"""A site's monthly progress score on the IHI 0.5–5.0 scale (models.PROGRESS_SCALE).

The site lead (or anyone who manages the site, Site.can_manage) sets one score per month with
a note; it can be changed until the month ends, and every save is kept as a revision. The app
suggests a score from the evidence but never saves one: `suggest` applies these rules, first
match from the top wins, and says which rule it used:

  5.0  a core measure shows special-cause improvement AND its last SUSTAINED_PERIODS plotted
       points all meet its target (sustained at goal)
  4.0  special-cause improvement on the collaborative's aim measure, or on two or more core
       measures (significant improvement)
  3.0  special-cause improvement on one core measure (modest improvement)
  2.5  changes tested and decided on (a cycle with Adopt or Adapt), no improvement signal yet
  2.0  cycles tested (in Do or later), no data change yet (activity, no changes)
  1.5  cycles planned, none tested yet
  1.0  a team, no cycles yet (forming team)
  0.5  no team members yet (intent to participate)

"Core measure": one of the collaborative's shared measures (not a site's own), not a balancing
measure. Signals are tracker.spc's, as the site's charts show them.
"""

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..measures import series, signals
from ..measures.front import load_chart, measures_at_sites
from ..models import (
    PROGRESS_SCALE,
    Collaborative,
    Cycle,
    Decision,
    Direction,
    MeasureKind,
    Membership,
    ProgressScore,
    ProgressScoreRevision,
    Site,
    Stage,
    User,
    utcnow,
)
from ..spc import PointType

SUSTAINED_PERIODS = 6
SCORES = tuple(PROGRESS_SCALE)


def month_of(day: date) -> date:
    return day.replace(day=1)


@dataclass(frozen=True)
class Suggestion:
    score: float
    reason: str

    @property
    def label(self) -> str:
        return PROGRESS_SCALE[self.score]


def _improving(chart) -> bool:
    return any(e.point_type is PointType.IMPROVEMENT for e in signals.events(chart))


def _at_goal(measure, chart) -> bool:
    if measure.target is None:
        return False
    shown = [p.value for p in chart.points if not p.missing][-SUSTAINED_PERIODS:]
    if len(shown) < SUSTAINED_PERIODS:
        return False
    if measure.direction == Direction.DECREASE:
        return all(v <= measure.target for v in shown)
    return all(v >= measure.target for v in shown)


def suggest(site: Site, today: date) -> Suggestion:
    """The score the evidence points to (the module's rules), with the rule in words."""
    team = db.session.scalar(db.select(sa.func.count(Membership.id))
                             .where(Membership.site_id == site.id)) or 0
    if not team:
        return Suggestion(0.5, "No one is on the team yet.")
    stages = dict(db.session.execute(
        db.select(Cycle.stage, sa.func.count(Cycle.id))
        .where(Cycle.site_id == site.id, Cycle.deleted_at.is_(None))
        .group_by(Cycle.stage)).all())
    if not stages:
        return Suggestion(1.0, "A team is formed but no cycle is logged yet.")
    core = [m for m in measures_at_sites([site], today).get(site.id, [])
            if m.measure.site_id is None and m.measure.kind != MeasureKind.BALANCING]
    # This one site's core charts, computed in full: a signal anywhere in the series counts,
    # not only the latest point the stored summaries keep.
    charts = {m.measure.id: load_chart(m.measure, site, series.default_view(m.measure))
              for m in core}
    improving = [m for m in core if _improving(charts[m.measure.id])]
    if any(_at_goal(m.measure, charts[m.measure.id]) for m in improving):
        return Suggestion(5.0, f"A core measure improved and its last {SUSTAINED_PERIODS} "
                               "points all meet the target.")
    aim = site.collaborative.aim_measure_id
    if len(improving) >= 2 or any(m.measure.id == aim for m in improving):
        names = ", ".join(m.measure.name for m in improving)
        return Suggestion(4.0, f"Special-cause improvement on the aim or several core "
                               f"measures ({names}).")
    if improving:
        return Suggestion(3.0, f"Special-cause improvement on {improving[0].measure.name}.")
    tested = sum(n for s, n in stages.items() if Stage(s) != Stage.PLAN)
    decided = db.session.scalar(db.select(sa.func.count(Cycle.id)).where(
        Cycle.site_id == site.id, Cycle.deleted_at.is_(None),
        Cycle.decision.in_([Decision.ADOPT, Decision.ADAPT]))) or 0
    if decided:
        return Suggestion(2.5, "Changes tested and adopted or adapted; no improvement signal "
                               "on a core measure yet.")
    if tested:
        return Suggestion(2.0, "Cycles tested; no change in the data yet.")
    return Suggestion(1.5, "Cycles planned; none tested yet.")


def history(site_id: int) -> list[ProgressScore]:
    return list(db.session.scalars(
        db.select(ProgressScore).where(ProgressScore.site_id == site_id)
        .options(sa.orm.joinedload(ProgressScore.set_by))
        .order_by(ProgressScore.month.desc())))


def revisions(score_ids: Collection[int]) -> dict[int, list[ProgressScoreRevision]]:
    out: dict[int, list[ProgressScoreRevision]] = defaultdict(list)
    if score_ids:
        for r in db.session.scalars(
                db.select(ProgressScoreRevision)
                .where(ProgressScoreRevision.score_id.in_(list(score_ids)))
                .options(sa.orm.joinedload(ProgressScoreRevision.user))
                .order_by(ProgressScoreRevision.created_at, ProgressScoreRevision.id)):
            out[r.score_id].append(r)
    return out


def set_score(site: Site, score: float, note: str, *, by: User,
              today: date | None = None) -> ProgressScore:
    """This month's score for the site, made or changed, the save kept. Caller commits."""
    if score not in PROGRESS_SCALE:
        raise ValueError(f"{score} is not on the progress scale")
    month = month_of(today or utcnow().date())
    row = db.session.scalar(db.select(ProgressScore).filter_by(site_id=site.id, month=month))
    if row is None:
        row = ProgressScore(site_id=site.id, month=month, score=score, note=note,
                            set_by_id=by.id)
        db.session.add(row)
    else:
        row.score, row.note, row.set_by_id, row.updated_at = score, note, by.id, utcnow()
    db.session.flush()
    db.session.add(ProgressScoreRevision(score_id=row.id, score=score, note=note,
                                         user_id=by.id))
    return row


@dataclass
class Distribution:
    """How many sites had each score, per month, for one group of sites."""

    name: str
    months: list[date]
    counts: dict[date, Counter]
    sites: int

    def count(self, month: date, score: float) -> int:
        # No Counter made for a month without scores: this runs for every cell of every
        # group's table (a thousand a page), and building an empty Counter costs 7 µs.
        counts = self.counts.get(month)
        return counts[score] if counts else 0

    def unscored(self, month: date) -> int:
        counts = self.counts.get(month)
        return self.sites - (sum(counts.values()) if counts else 0)

    def table(self, scale: dict[float, str]) -> list[tuple[float, str, list[int]]]:
        """The table's rows, highest score first: (score, label, count in each month). Built
        here in one pass: a call from the template for each cell cost more than the counts."""
        return [(score, label, [self.count(m, score) for m in self.months])
                for score, label in reversed(scale.items())]


def distributions(ids: sa.Select | Collection[int], months: int = 6, *,
                  today: date | None = None, networks=None) -> list[Distribution]:
    """The score distribution per month over the last `months` months: all the sites (`ids`,
    a select of their ids or a list), then each regional network among them. One query
    however many sites (the scores counted by network, month and score, and the sites by
    network), and one for the networks' names unless `networks` (Collaborative rows already
    read) holds them all."""
    today = today or utcnow().date()
    first = month_of(today)
    shown = []
    for _ in range(months):
        shown.append(first)
        first = month_of(first - timedelta(days=1))
    shown.reverse()
    ids = ids if isinstance(ids, sa.Select) else list(ids)
    # A few hundred rows however many sites: the pages that show this read a page of sites,
    # never all of them (1,500 sites read and counted in Python took longer than the rest of
    # the distribution).
    scores = (db.select(Site.network_id, ProgressScore.month, ProgressScore.score,
                        sa.func.count())
              .join(Site, Site.id == ProgressScore.site_id)
              .where(ProgressScore.site_id.in_(ids), ProgressScore.month >= shown[0])
              .group_by(Site.network_id, ProgressScore.month, ProgressScore.score))
    sizes = (db.select(Site.network_id, sa.cast(sa.null(), ProgressScore.month.type),
                       sa.cast(sa.null(), ProgressScore.score.type), sa.func.count())
             .where(Site.id.in_(ids)).group_by(Site.network_id))
    rows = db.session.execute(sa.union_all(scores, sizes)).all()
    sites = Counter({network_id: count for network_id, month, _, count in rows
                     if month is None})
    if not sites:
        return []
    wanted = {n for n in sites if n is not None}
    known = {n.id: n.name for n in networks or ()}
    names = {i: known[i] for i in wanted} if wanted <= known.keys() else dict(
        db.session.execute(db.select(Collaborative.id, Collaborative.name)
                           .where(Collaborative.id.in_(wanted))).all())
    groups: dict[int | None, Distribution] = {
        None: Distribution("All sites", shown, {}, sites.total())}
    for network_id, name in names.items():
        groups[network_id] = Distribution(name, shown, {}, sites[network_id])
    for network_id, month, score, count in rows:
        if month is not None:
            for key in {None, network_id}:
                groups[key].counts.setdefault(month, Counter())[score] += count
    return [groups[None], *sorted((g for k, g in groups.items() if k is not None),
                                  key=lambda g: g.name)]
