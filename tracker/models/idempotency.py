"""The idempotency keys a user's device has used: each offline entry is stored exactly once."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class UsedKey(db.Model):
    """A key (a UUID the device made for one entry) whose POST was stored, with its outcome.

    Written in the same transaction as the entry itself, so the entry and its key are stored
    together or not at all; a replay of the key gets this outcome back and stores nothing new.
    Only successes are kept: a refused entry can be fixed and sent again under the same key.
    """

    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    key: Mapped[str] = mapped_column(sa.String(36))
    endpoint: Mapped[str] = mapped_column(sa.String(64))  # what was stored: "cycles.quick", ...
    location: Mapped[str] = mapped_column(sa.String(500))  # where the original POST redirected
    message: Mapped[str] = mapped_column(sa.String(300), default="")  # what it told the user
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<UsedKey {self.key} of user {self.user_id} for {self.endpoint}>"
