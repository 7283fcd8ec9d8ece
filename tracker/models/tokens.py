"""Personal access tokens for the API: stored hashed, named, scoped, expiring and revocable."""

import hashlib
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Labelled, enum_column, utcnow
from .people import User


class TokenScope(Labelled):
    READ = "read"  # GET only
    WRITE = "write"  # read and write: whatever the user may do in the browser


def token_digest(secret: str) -> str:
    """The stored form of a token. A token is 256 random bits, so one SHA-256 is enough: there
    is nothing to guess (unlike a password), and it lets a request find its token by index."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(db.Model):
    """A user's personal access token; the secret itself is shown once and never stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope), default=TokenScope.READ)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hint: Mapped[str] = mapped_column(sa.String(16))  # the first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[Optional[datetime]]
    revoked_at: Mapped[Optional[datetime]]
    last_used_at: Mapped[Optional[datetime]]
    last_used_from: Mapped[str] = mapped_column(sa.String(45), default="")

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        """Neither revoked nor expired, and its user still active."""
        return (self.revoked_at is None and self.user.active
                and (self.expires_at is None or now < self.expires_at))

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    def can_revoke(self, user: User) -> bool:
        """Its owner revokes it (an admin deactivating the user stops every token too)."""
        return user.id == self.user_id

    def __repr__(self) -> str:
        return f"<ApiToken {self.name!r} of user {self.user_id}>"
