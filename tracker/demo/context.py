"""What the build phases share: the seeded RNG, the calendar, the site stories and the rows."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ..models import ChangeIdea, Collaborative, Cycle, Measure, Site, User
from .tables import Scale, Template

SEED = 2026  # one seed for everything: the same `today` always gives the same rows


@dataclass
class Profile:
    """A site and the story its data and cycles tell."""

    site: Site
    domain: str
    ward: str
    baseline: float
    patients: int
    key: Template | None
    step_week: int | None
    gap_week: int | None
    team: list[User] = field(default_factory=list)


@dataclass
class Context:
    """Everything the phases share: the RNG, the calendar and the rows made so far."""

    scale: Scale
    today: date
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    networks: list[Collaborative] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    faculty: list[User] = field(default_factory=list)
    partner: User | None = None
    ideas: dict[str, ChangeIdea] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    cycles: list[Cycle] = field(default_factory=list)
    open_ramps: int = 0
    national: Collaborative = field(init=False)
    weeks: list[date] = field(init=False)  # the 52 Mondays, ending with last complete week's

    def __post_init__(self) -> None:
        last = self.today - timedelta(days=self.today.weekday(), weeks=1)
        self.weeks = [last - timedelta(weeks=51 - i) for i in range(52)]

    def at(self, day: date, hour: int = 9) -> datetime:
        """A timestamp on a day, never later than 08:00 today: nothing is stamped in the future."""
        if day < self.today:
            return datetime.combine(day, time(hour))
        return datetime.combine(self.today, time(min(hour, 8)))
