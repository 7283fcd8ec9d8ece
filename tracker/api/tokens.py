"""Token verbs: create (the secret returned once), find the usable token a request names,
record its use, revoke. They flush, never commit; the caller commits."""

import secrets
from datetime import datetime, timedelta

from ..core import audit
from ..extensions import db
from ..models import ApiToken, TokenScope, User, utcnow
from ..models.tokens import token_digest

PREFIX = "pdsa_"  # recognisable in logs and by secret scanners
MAX_EXPIRY_DAYS = 366


def create_token(user: User, *, name: str, scope: TokenScope,
                 expires_days: int | None) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, which is not kept anywhere: show it once."""
    secret = PREFIX + secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=expires_days) if expires_days else None
    token = ApiToken(user_id=user.id, name=name.strip(), scope=scope, digest=token_digest(secret),
                     hint=secret[:len(PREFIX) + 4], expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    audit.record("api.token_created", actor=user, obj=token, detail=f"{token.name} ({scope})")
    return token, secret


def usable_token(secret: str, *, now: datetime) -> ApiToken | None:
    """The token with this secret, if it is neither revoked nor expired (its user active)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalars(
        db.select(ApiToken).where(ApiToken.digest == token_digest(secret))
    ).first()
    return token if token is not None and token.is_usable(now) else None


def record_use(token: ApiToken, *, address: str, now: datetime) -> None:
    """Every use is recorded: when, and from which address."""
    token.last_used_at = now
    token.last_used_from = address[:45]


def revoke_token(token: ApiToken, *, by: User) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit.record("api.token_revoked", actor=by, obj=token, detail=token.name)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked ones too: they show when they stopped)."""
    return list(db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
