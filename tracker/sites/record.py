"""A site's sign-up record as its page shows it: the team by profession and grade, so that
domination by one professional group, and whether junior members lead with senior support,
can be seen (never a ranking of people)."""

from collections import Counter
from dataclasses import dataclass, field

from ..models import Grade, Membership, Profession, SiteRole

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
