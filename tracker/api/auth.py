"""Who is asking: a personal access token in `Authorization: Bearer ...`, never a cookie.

The token's user becomes Flask-Login's current user for this request only (nothing is put in
the session), so the loaders and the permission predicates the pages use decide here too: a
token can never do more than its user can in the browser. A read token only reads.
"""

import io
import math
import time

from flask import current_app, g, request
from limits import parse_many
from werkzeug.exceptions import RequestEntityTooLarge

from ..auth import throttle
from ..core.versions import unshown
from ..core.web import load_user
from ..extensions import db, limiter
from ..models import ApiToken, utcnow
from . import tokens
from .problems import ApiProblem

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def authenticate() -> None:
    """Run before every API view: size limit, token (an address sending unknown tokens is
    made to wait: API_LIMITS_BAD_TOKEN), rate limit, scope; then the user."""
    limit = current_app.config["API_MAX_BODY"]
    if (request.content_length or 0) > limit:  # checked before the body is read at all
        raise RequestEntityTooLarge(f"Send at most {limit // 1024} KB in one request.")
    secret = _bearer_secret()
    now = utcnow()
    guesses = [("API_LIMITS_BAD_TOKEN", request.remote_addr or "")]
    if secret and (wait := throttle.wait_seconds(guesses)):
        raise ApiProblem(429, f"Too many unknown tokens from your address: try again in {wait} "
                              "seconds.", headers={"Retry-After": str(wait)})
    token = tokens.usable_token(secret, now=now) if secret else None
    if token is None:
        if secret:  # a wrong, revoked or expired token: counted against its address
            throttle.record(guesses)
        detail = ("Send a personal access token as `Authorization: Bearer <token>` (create one "
                  "on your profile page)." if not secret else
                  "This token is unknown, revoked or expired.")
        challenge = 'Bearer realm="api"' + ("" if not secret else ', error="invalid_token"')
        raise ApiProblem(401, detail, headers={"WWW-Authenticate": challenge})
    _throttle(token)
    if request.method not in READ_METHODS and not token.can_write:
        raise ApiProblem(403, "This token may only read: create a read and write token to "
                              "make changes.",
                         headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'})
    with unshown():  # bookkeeping no kept report shows: what is kept stays kept
        tokens.record_use(token, address=request.remote_addr or "", now=now)
    session_token = token.user.session_token
    db.session.commit()
    g._login_user = load_user(session_token)  # Flask-Login's per-request user
    g.api_token_id = token.id


def limit_body() -> None:
    """The API's body limit on the body itself: a chunked body (no Content-Length to check
    first) is read up to the limit, and one longer is a 413; Werkzeug would only cut it
    short. It runs first among the app's before-request hooks, before anything opens the
    body, and hands the rest of the request the body it read."""
    if request.blueprint != "api":
        return
    limit = current_app.config["API_MAX_BODY"]
    request.max_content_length = limit
    environ = request.environ
    if request.content_length is not None or not environ.get("wsgi.input_terminated"):
        return  # a Content-Length: authenticate() checks it; Werkzeug reads no further
    chunks, size = [], 0
    while size <= limit and (chunk := environ["wsgi.input"].read(limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise RequestEntityTooLarge(f"Send at most {limit // 1024} KB in one request.")
    environ["wsgi.input"] = io.BytesIO(b"".join(chunks))
    environ["CONTENT_LENGTH"] = str(size)


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _throttle(token: ApiToken) -> None:
    """Each token has its own allowance (API_LIMITS_PER_TOKEN), counted in the limiter's
    storage (Redis when set), so every worker counts together."""
    if not limiter.enabled:
        return
    prefix, key = current_app.config["RATELIMIT_KEY_PREFIX"], str(token.id)
    for tier in parse_many(current_app.config["API_LIMITS_PER_TOKEN"]):
        if not limiter.limiter.hit(tier, prefix, "api-token", key):
            reset_at, _ = limiter.limiter.get_window_stats(tier, prefix, "api-token", key)
            wait = max(1, math.ceil(reset_at - time.time()))
            raise ApiProblem(429, f"Too many requests with this token: try again in {wait} "
                                  "seconds.", headers={"Retry-After": str(wait)})
