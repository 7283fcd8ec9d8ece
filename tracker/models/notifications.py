"""Notifications: what a user should know about, and how each user wants to be told."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Labelled, NotificationKind, enum_column, index_of_set, utcnow
from .people import User


class EmailChoice(Labelled):
    """How a user wants one kind of notification emailed (in the app it always shows)."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"  # in the daily digest
    NEVER = "never"

    @property
    def label(self) -> str:
        return {"daily": "In a daily digest"}.get(self.value, super().label)


class Notification(db.Model):
    """Something a user should know about; read in the app, optionally emailed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind))
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(sa.String(500))
    # Where the notification leads: an endpoint's object, e.g. ("cycle", 12).
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[Optional[int]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[Optional[datetime]]
    emailed_at: Mapped[Optional[datetime]]
    # Email delivery claims a row before sending (tracker.feedback.delivery): a row claimed by a
    # run that stopped before sending stays unsent rather than risk being sent twice.
    email_claim: Mapped[Optional[str]] = mapped_column(sa.String(32))  # indexed, while set
    email_claimed_at: Mapped[Optional[datetime]]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[Optional[User]] = relationship(foreign_keys=[actor_id])

    __table_args__ = (sa.Index("ix_notification_user_read", "user_id", "read_at"),
                      index_of_set("notification", "email_claim"))


class NotificationPreference(db.Model):
    """A user's email choice for one kind of notification (no row: the kind's default)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind))
    email: Mapped[EmailChoice] = mapped_column(enum_column(EmailChoice))

    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)
