"""Conversation and record-keeping: comments, notifications, learning events, the audit log."""

from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import EventKind, NotificationKind, enum_column, utcnow
from .people import Collaborative, User


class Comment(db.Model):
    """A threaded comment on a cycle or on a change idea."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    idea_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("change_idea.id"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("comment.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[Optional[datetime]]
    deleted_at: Mapped[Optional[datetime]]

    author: Mapped[User] = relationship()
    parent: Mapped[Optional["Comment"]] = relationship(remote_side=[id])

    __table_args__ = (
        sa.CheckConstraint(
            "(cycle_id IS NULL) <> (idea_id IS NULL)", name="on_cycle_or_idea"
        ),
    )


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
    email_claim: Mapped[Optional[str]] = mapped_column(sa.String(32), index=True)
    email_claimed_at: Mapped[Optional[datetime]]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[Optional[User]] = relationship(foreign_keys=[actor_id])

    __table_args__ = (sa.Index("ix_notification_user_read", "user_id", "read_at"),)


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


class AuditEvent(db.Model):
    """Who did what, when, with the object's state before and after."""

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)  # e.g. "auth.login_failed"
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[Optional[int]]
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[Optional[User]] = relationship()

    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)
