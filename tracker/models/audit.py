"""The audit log: who did what, when, with the state before and after."""

from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .people import Site, User


class AuditEvent(db.Model):
    """Who did what, when, with the object's state before and after."""

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)  # e.g. "auth.login_failed"
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[Optional[int]]
    # The site the event concerns, when it concerns one (a cycle's, a team's, a tally's...).
    site_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("site.id"), index=True)
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[Optional[User]] = relationship()
    site: Mapped[Optional[Site]] = relationship()

    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)
