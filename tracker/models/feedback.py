"""Structured feedback on cycles, the requests for it, and how each user wants to be told."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Labelled, NotificationKind, enum_column, utcnow
from .people import Site, User
from .work import Cycle

# The worksheet sections a piece of feedback can point at (criteria: tracker.cycles.quality).
SECTIONS = ("plan", "do", "study", "act")


class EmailChoice(Labelled):
    """How a user wants one kind of notification emailed (in the app it always shows)."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"  # in the daily digest
    NEVER = "never"

    @property
    def label(self) -> str:
        return {"daily": "In a daily digest"}.get(self.value, super().label)


class FeedbackRequest(db.Model):
    """A site team asking for feedback on a cycle: from any faculty, a named one, or a site."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    # Neither set: any faculty member of the collaborative may answer.
    faculty_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"), index=True)
    to_site_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("site.id"), index=True)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[Optional[datetime]] = mapped_column(index=True)
    withdrawn_at: Mapped[Optional[datetime]]

    cycle: Mapped[Cycle] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    faculty: Mapped[Optional[User]] = relationship(foreign_keys=[faculty_id])
    to_site: Mapped[Optional[Site]] = relationship()

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.withdrawn_at is None

    def is_for(self, user: User, collaborative_id: int) -> bool:
        """Whether `user` is one of the people this request asks."""
        if self.faculty_id is not None:
            return self.faculty_id == user.id
        if self.to_site_id is not None:
            return self.to_site_id in user.site_ids
        return user.is_faculty_of(collaborative_id)

    @property
    def addressee(self) -> str:
        if self.faculty is not None:
            return self.faculty.name
        if self.to_site is not None:
            return self.to_site.name
        return "any faculty member"


class Feedback(db.Model):
    """Feedback on a cycle, optionally on one worksheet section and one PDSA-quality criterion."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    request_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("feedback_request.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)  # the safe Markdown subset
    section: Mapped[str] = mapped_column(sa.String(20), default="")  # one of SECTIONS, or ""
    criterion: Mapped[str] = mapped_column(sa.String(40), default="")  # a quality.CRITERIA key
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    addressed_at: Mapped[Optional[datetime]]
    addressed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    deleted_at: Mapped[Optional[datetime]]

    cycle: Mapped[Cycle] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    addressed_by: Mapped[Optional[User]] = relationship(foreign_keys=[addressed_by_id])
    request: Mapped[Optional[FeedbackRequest]] = relationship()


class NotificationPreference(db.Model):
    """A user's email choice for one kind of notification (no row: the kind's default)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind))
    email: Mapped[EmailChoice] = mapped_column(enum_column(EmailChoice))

    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)


__all__ = ["SECTIONS", "EmailChoice", "Feedback", "FeedbackRequest", "NotificationPreference"]
