"""What the build phases share: the seeded RNG, the calendar, the site stories and the rows."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from ..extensions import db
from ..models import ChangeIdea, Collaborative, Measure, Site, User
from .tables import Scale, Template

SEED = 2026  # one seed for everything: the same `today` always gives the same rows


class Draft(SimpleNamespace):
    """A row to be written in bulk: a plain object with its model's attribute names (every
    column, None until set, plus the relations the builder reads), quick to make in the tens of
    thousands and never added to the session. Each one is itself: two drafts are never equal."""

    __eq__ = object.__eq__
    __hash__ = object.__hash__


def draft(model: type[db.Model], **values: Any) -> Draft:
    """A draft of a model's row: its columns' own defaults, then the values given."""
    defaults = {c.key: c.default.arg if c.default is not None and c.default.is_scalar else None
                for c in model.__table__.columns}
    return Draft(**{**defaults, **values})


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
    cycles: int  # how many cycles the team runs
    stopped_weeks: int  # weeks since the team last did anything (0: still going)
    entry_every: int  # data entered in a batch every N weeks
    feedback: bool  # faculty answer its feedback requests
    team: list[User] = field(default_factory=list)
    local: list[Measure] = field(default_factory=list)  # the site's own measures

    def last_week(self, weeks: int) -> int:
        """Index of the last week the team was active, of `weeks` weeks."""
        return weeks - 1 - self.stopped_weeks


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
    cycles: list[Draft] = field(default_factory=list)  # drafts of Cycle, in bulk.insert_cycles
    # When each cycle was created and moved on, and by whom: its revisions.
    moves: dict[Draft, list[tuple[datetime, User]]] = field(default_factory=dict)
    comments: list[tuple[Draft | ChangeIdea, Draft]] = field(default_factory=list)
    open_ramps: int = 0
    national: Collaborative = field(init=False)
    weeks: list[date] = field(init=False)  # the scale's Mondays, ending with last complete week's

    def __post_init__(self) -> None:
        last = self.today - timedelta(days=self.today.weekday(), weeks=1)
        count = self.scale.weeks
        self.weeks = [last - timedelta(weeks=count - 1 - i) for i in range(count)]

    def at(self, day: date, hour: int = 9) -> datetime:
        """A timestamp on a day, never later than 08:00 today: nothing is stamped in the future."""
        if day < self.today:
            return datetime.combine(day, time(hour))
        return datetime.combine(self.today, time(min(hour, 8)))
