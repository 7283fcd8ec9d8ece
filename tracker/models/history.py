"""Revisions of PDSA cycles: every save keeps the whole worksheet, so any version can come back."""

from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .people import User


class CycleRevision(db.Model):
    """The state of a cycle's worksheet after one change, with what changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"))
    version: Mapped[int]  # the cycle's version after this change
    action: Mapped[str] = mapped_column(sa.String(40))  # created, edited, stage, deleted, ...
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # field: [old, new]

    user: Mapped[Optional[User]] = relationship()

    __table_args__ = (sa.UniqueConstraint("cycle_id", "version"),)
