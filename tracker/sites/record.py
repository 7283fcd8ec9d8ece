"""A site's sign-up record as its page shows it: the team by profession and grade, so that
domination by one professional group, and whether junior members lead with senior support,
can be seen (never a ranking of people)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from ..events.periods import current_period
from ..extensions import db
from ..models import Comment, Cycle, Grade, Membership, Profession, SiteRole, User, utcnow

# A team this size or larger is flagged when one profession is more than half of it.
DOMINATION_MIN_TEAM = 4


@dataclass
class MixRow:
    profession: Profession
    by_grade: dict[Grade, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_grade.values())


@dataclass
class TeamMix:
    rows: list[MixRow]
    grades: list[Grade]
    leads: list[Membership]
    total: int

    @property
    def dominant(self) -> MixRow | None:
        """The profession that is more than half of a team of some size, if any."""
        if self.total < DOMINATION_MIN_TEAM or not self.rows:
            return None
        top = max(self.rows, key=lambda r: r.total)
        return top if top.total * 2 > self.total else None

    @property
    def junior_leads(self) -> list[Membership]:
        return [m for m in self.leads if m.user.grade == Grade.JUNIOR]

    @property
    def has_senior(self) -> bool:
        return any(r.by_grade.get(Grade.SENIOR) for r in self.rows)


def team_mix(memberships: list[Membership]) -> TeamMix:
    """Counts by profession and grade, and the site leads, from already-loaded memberships."""
    counts = Counter((m.user.profession, m.user.grade) for m in memberships)
    professions = sorted({p for p, _ in counts}, key=lambda p: p.label)
    rows = [MixRow(p, {g: counts[(p, g)] for g in Grade}) for p in professions]
    return TeamMix(rows=rows, grades=list(Grade), total=len(memberships),
                   leads=[m for m in memberships if m.role == SiteRole.SITE_LEAD])


# Issue 16's balance of the team, from the work itself (the mix above counts the people): over
# an action period, one profession writing more than DOMINANT_SHARE of the cycles and comments
# (once the site has at least MIN_CONTRIBUTIONS of them), or no cycle led by a junior member.
# Shown to the site's leads and to faculty only.
DOMINANT_SHARE = 0.7
MIN_CONTRIBUTIONS = 5
_EPSILON = timedelta(seconds=1)  # "until now" includes what was written this second


@dataclass
class Balance:
    """A site's work over a period: who wrote it, by profession, and who led its cycles."""

    by_profession: Counter = field(default_factory=Counter)
    cycles: int = 0
    junior_led: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_profession.values())

    @property
    def dominant(self) -> tuple[Profession, float] | None:
        """The profession writing more than DOMINANT_SHARE of the work, with its share."""
        if self.total < MIN_CONTRIBUTIONS:
            return None
        profession, n = self.by_profession.most_common(1)[0]
        share = n / self.total
        return (profession, share) if share > DOMINANT_SHARE else None

    @property
    def flags(self) -> list[str]:
        out = []
        if (top := self.dominant) is not None:
            out.append(f"{top[0].label}s wrote {round(top[1] * 100)}% of the cycles and "
                       f"comments this action period ({self.total} in all): invite other "
                       "professions to lead and comment.")
        if self.cycles and not self.junior_led:
            out.append(f"None of the {self.cycles} cycle{'s' if self.cycles != 1 else ''} "
                       "begun this action period is led by a junior member of staff: "
                       "encourage junior members to lead, with senior support.")
        return out


def work_balance(site_ids: list[int], start, end) -> dict[int, Balance]:
    """Each site's Balance for cycles begun and comments written in [start, end): one query
    however many sites. A cycle is led by its author; a comment counts for the cycle's site."""
    out = {i: Balance() for i in site_ids}
    if not site_ids:
        return out
    # (site, profession, grade, cycles, comments): cycles by their authors' profession and
    # grade, then comments by their authors' profession (no grade, no cycles).
    cycles = (
        db.select(Cycle.site_id, User.profession, User.grade, db.func.count(Cycle.id),
                  sa.literal_column("0", sa.Integer))
        .join(User, User.id == Cycle.author_id)
        .where(Cycle.site_id.in_(site_ids), Cycle.deleted_at.is_(None),
               Cycle.created_at >= start, Cycle.created_at < end)
        .group_by(Cycle.site_id, User.profession, User.grade))
    # The comments on the sites' cycles from their (site, time) index: every comment of the
    # span in the collaborative, each joined to its cycle, grew with every site's.
    comments = (
        db.select(Comment.site_id, User.profession, sa.null(), sa.literal_column("0", sa.Integer),
                  db.func.count(Comment.id))
        .join(Cycle, Cycle.id == Comment.cycle_id).join(User, User.id == Comment.author_id)
        .where(Comment.site_id.in_(site_ids), Cycle.deleted_at.is_(None),
               Comment.deleted_at.is_(None), Comment.created_at >= start,
               Comment.created_at < end)
        .group_by(Comment.site_id, User.profession))
    for site_id, profession, grade, led, written in db.session.execute(
            sa.union_all(cycles, comments)):
        balance = out[site_id]
        balance.by_profession[Profession(profession)] += led + written
        balance.cycles += led
        if led and Grade(grade) == Grade.JUNIOR:
            balance.junior_led += led
    return out


def balance_now(site) -> list[str]:
    """The site's balance flags over the current action period."""
    now = utcnow()
    period = current_period(site.collaborative, now)
    return work_balance([site.id], period.start, period.until(now) + _EPSILON)[site.id].flags
