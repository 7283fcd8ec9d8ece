"""Learning events: the collaborative's (and its networks') calendar."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import EventKind, enum_column, utcnow
from .people import Collaborative, User


class LearningEvent(db.Model):
    """A learning session, webinar or deadline in a collaborative's (or network's) calendar."""

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaborative.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[Optional[datetime]]
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    details: Mapped[str] = mapped_column(sa.Text, default="")
    agenda: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Links to materials, one a line: "https://example.org/slides.pdf Slides".
    materials: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[Optional[datetime]] = mapped_column(onupdate=utcnow)  # None: never edited
    # iCalendar SEQUENCE: bumped on every change so subscribed calendars take the update.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    deleted_at: Mapped[Optional[datetime]]

    collaborative: Mapped[Collaborative] = relationship()

    def can_view(self, user: User) -> bool:
        return user.can_view_collaborative(self.collaborative.root_id)

    def can_manage(self, user: User) -> bool:
        """Faculty of the collaborative (national or one of its networks) manage its calendar."""
        return self.collaborative.can_manage_calendar(user)


class PlannedPeriod(db.Model):
    """An action period whose dates the programme team set (table `action_period`). When a
    collaborative has any, they are its periods; otherwise its learning sessions divide the time
    (tracker/events/periods.py)."""

    __tablename__ = "action_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaborative.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]  # the last day of the period
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[Optional[datetime]]  # removed: restorable from the collaborative's page

    collaborative: Mapped[Collaborative] = relationship()

    def overlaps(self, starts_on: date, ends_on: date) -> bool:
        return self.starts_on <= ends_on and starts_on <= self.ends_on
