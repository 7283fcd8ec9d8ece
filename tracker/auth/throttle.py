"""Throttles for sign-in and account emails: growing waits, counted in the limiter's storage.

A rule is a config setting holding tiers such as "5 per minute; 10 per 10 minutes", counted in a
moving window: once a tier is full the next attempt waits until its oldest entry leaves the
window, so the wait grows from a minute to ten as failures go on, and never exceeds the longest
tier. The storage is Flask-Limiter's (Redis when REDIS_URL is set), so every worker and server
counts together. If that storage fails (Redis down), the counting goes on in this worker's
memory and the failure is logged: sign-in keeps working and stays throttled.

Per-account waits stay short because anyone can run them up for someone else's email. A browser
that has signed in to an account before carries a signed "known device" cookie: it is counted on
its own allowance instead, so an outsider hammering an address cannot keep its owner out.
"""

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Sequence

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter
from wtforms import Field

from ..extensions import limiter
from ..models.people import normalise_email

DEVICE_COOKIE = "known_device"

Check = tuple[str, str]  # (config setting naming the tiers, key counted against them)


def wait_seconds(checks: Sequence[Check]) -> int:
    """Seconds until every check allows one more attempt; 0 when none is full."""
    if not limiter.enabled:  # RATELIMIT_ENABLED = False
        return 0
    return _counted(lambda strategy: _wait(strategy, checks))


def _wait(strategy: RateLimiter, checks: Sequence[Check]) -> int:
    waits = [0]
    for setting, key in checks:
        for tier in parse_many(current_app.config[setting]):
            if not strategy.test(tier, _prefix(), setting, key):
                reset_at, _remaining = strategy.get_window_stats(tier, _prefix(), setting, key)
                waits.append(max(1, math.ceil(reset_at - time.time())))
    return max(waits)


def refuse(checks: Sequence[Check], field: Field) -> bool:
    """True, with "try again in ..." under `field`, when an attempt must wait."""
    wait = wait_seconds(checks)
    if wait:
        field.errors.append(message(wait))
    return bool(wait)


def record(checks: Sequence[Check]) -> None:
    """Count one attempt against every check."""
    if not limiter.enabled:
        return
    _counted(lambda strategy: _hit(strategy, checks))


def _hit(strategy: RateLimiter, checks: Sequence[Check]) -> None:
    for setting, key in checks:
        for tier in parse_many(current_app.config[setting]):
            strategy.hit(tier, _prefix(), setting, key)


# Where counting goes on while the shared storage is unreachable: this worker only.
_fallback = MovingWindowRateLimiter(MemoryStorage())


def _counted(work):
    """`work(strategy)` on the shared storage, or on this worker's memory if that fails."""
    try:
        return work(limiter.limiter)
    except Exception:  # any storage failure: a connection refused, a timeout, a lost server
        current_app.logger.exception("Throttle storage unavailable; counting in this worker")
        return work(_fallback)


def message(seconds: int) -> str:
    """The refusal shown next to the form."""
    if seconds < 120:
        return f"Too many attempts, try again in {seconds} seconds."
    return f"Too many attempts, try again in {math.ceil(seconds / 60)} minutes."


def client_address() -> str:
    # The proxy-corrected address (see TRUSTED_PROXIES); never empty, so it is always counted.
    return request.remote_addr or "unknown"


def login_checks(email: str) -> list[Check]:
    """What a sign-in attempt for `email` from this browser counts against."""
    device = known_device(email)
    if device:
        return [("LOGIN_LIMITS_PER_DEVICE", device)]
    return [
        ("LOGIN_LIMITS_PER_ACCOUNT", _email_key(email)),
        ("LOGIN_LIMITS_PER_ADDRESS", client_address()),
    ]


def reset_checks(email: str) -> list[Check]:
    """What a password-reset request counts against: the address, and the mailbox it fills."""
    return [
        ("RESET_LIMITS_PER_EMAIL", _email_key(email)),
        ("RESET_LIMITS_PER_ADDRESS", client_address()),
    ]


def remember_device(response: Response, email: str) -> None:
    """Mark this browser as one that signed in to `email`, so it keeps its own allowance."""
    token = _device_serializer().dumps({"e": _email_key(email), "n": secrets.token_urlsafe(16)})
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE, token, max_age=int(config["KNOWN_DEVICE_MAX_AGE"].total_seconds()),
        path="/auth/", httponly=True, samesite="Lax",
        secure=bool(config.get("SESSION_COOKIE_SECURE")),
    )


def known_device(email: str) -> str | None:
    """The device's own key if this browser has signed in to `email` before, else None."""
    token = request.cookies.get(DEVICE_COOKIE)
    if not token:
        return None
    max_age = current_app.config["KNOWN_DEVICE_MAX_AGE"].total_seconds()
    try:
        data = _device_serializer().loads(token, max_age=max_age)
    except BadSignature:  # also covers an expired cookie
        return None
    if not isinstance(data, dict) or not hmac.compare_digest(
        str(data.get("e", "")), _email_key(email)
    ):
        return None
    return str(data.get("n", "")) or None


def _email_key(email: str) -> str:
    # A keyed digest: the storage and the device cookie never hold the address itself.
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, normalise_email(email or "").encode(), hashlib.sha256).hexdigest()[:32]


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _prefix() -> str:
    return current_app.config["RATELIMIT_KEY_PREFIX"]
