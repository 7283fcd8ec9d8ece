"""Action periods: the time between one learning session and the next (IHI Breakthrough Series).

A collaborative's rhythm is set by its national learning sessions; regional networks' own
sessions do not split the national period. When the programme team has set the periods' dates
(admin: PlannedPeriod), those are the periods instead.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select

from ..extensions import db
from ..models import Collaborative, EventKind, LearningEvent, PlannedPeriod

# With no learning session yet, the period runs from the collaborative's start (or this long ago).
DEFAULT_SPAN = timedelta(days=90)


@dataclass(frozen=True)
class ActionPeriod:
    start: datetime
    end: datetime | None  # the next learning session; None when none is planned yet
    opened_by: LearningEvent | None = None
    closed_by: LearningEvent | None = None
    planned: PlannedPeriod | None = None  # set when the team set this period's dates

    def contains(self, moment: datetime) -> bool:
        return moment >= self.start and (self.end is None or moment < self.end)

    def until(self, now: datetime) -> datetime:
        """The end of the period, or `now` while it is still running."""
        return min(self.end, now) if self.end is not None else now

    @property
    def label(self) -> str:
        if self.planned is not None:
            return (f"{self.planned.name}: {self.planned.starts_on:%-d %b %Y} to "
                    f"{self.planned.ends_on:%-d %b %Y}")
        start = f"{self.start:%-d %b %Y}"
        end = f"{self.end:%-d %b %Y}" if self.end else "the next learning session"
        return f"{start} to {end}"

    @property
    def key(self) -> str:
        """A stable value for choosing this period in a form: the opening event's id."""
        if self.planned is not None:
            return f"p{self.planned.id}"
        return str(self.opened_by.id) if self.opened_by else "start"


def learning_sessions(collaborative_id: int) -> list[LearningEvent]:
    """The collaborative's national learning sessions, oldest first."""
    return list(db.session.scalars(
        db.select(LearningEvent).where(
            LearningEvent.collaborative_id == collaborative_id,
            LearningEvent.kind == EventKind.LEARNING_SESSION,
            LearningEvent.deleted_at.is_(None))
        .order_by(LearningEvent.starts_at)))


def planned_periods(collaborative_id: int, *, removed: bool = False) -> Select:
    """The action periods the programme team set for a collaborative, in date order: those in
    use, or (removed=True) those removed, which the admin page offers to restore."""
    gone = PlannedPeriod.deleted_at.is_not(None) if removed else PlannedPeriod.deleted_at.is_(None)
    return (db.select(PlannedPeriod)
            .where(PlannedPeriod.collaborative_id == collaborative_id, gone)
            .order_by(PlannedPeriod.starts_on))


def all_periods(collaborative: Collaborative) -> list[ActionPeriod]:
    """Every action period so far and the one planned: before the first session, between each
    pair, and after the last."""
    planned = db.session.scalars(planned_periods(collaborative.id)).all()
    if planned:
        return [ActionPeriod(_midnight(p.starts_on), _midnight(p.ends_on + timedelta(days=1)),
                             planned=p) for p in planned]
    sessions = learning_sessions(collaborative.id)
    first = (datetime.combine(collaborative.starts_on, time()) if collaborative.starts_on
             else None)
    if sessions and (first is None or first >= sessions[0].starts_at):
        first = sessions[0].starts_at - DEFAULT_SPAN
    elif first is None:
        first = collaborative.created_at - DEFAULT_SPAN
    periods = [ActionPeriod(first, sessions[0].starts_at if sessions else None, None,
                            sessions[0] if sessions else None)]
    for i, opening in enumerate(sessions):
        closing = sessions[i + 1] if i + 1 < len(sessions) else None
        periods.append(ActionPeriod(opening.starts_at, closing.starts_at if closing else None,
                                    opening, closing))
    return periods


def current_period(collaborative: Collaborative, now: datetime) -> ActionPeriod:
    """The action period running at `now`: from the latest past session to the next one."""
    return running(all_periods(collaborative), now)


def running(periods: list[ActionPeriod], now: datetime) -> ActionPeriod:
    """Among a collaborative's periods (all_periods), the one running at `now`."""
    return next((p for p in reversed(periods) if p.start <= now), periods[0])


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())
