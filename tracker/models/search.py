"""The search documents that one search box reads."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class SearchDocument(db.Model):
    """The searchable text of one idea, cycle or comment, kept in step by tracker.search.

    The engine's own index lives beside it, outside the models: an FTS5 table on SQLite and
    a GIN full-text index on PostgreSQL (see tracker/search/engine.py).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # idea, cycle, comment
    object_id: Mapped[int]
    collaborative_id: Mapped[int] = mapped_column(index=True)
    site_id: Mapped[Optional[int]]
    site_only: Mapped[bool] = mapped_column(default=False)  # a site's draft cycle (or its comments)
    title: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("kind", "object_id"),)
