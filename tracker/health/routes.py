"""/healthz (the process answers), /readyz (it can reach its database and Redis) and /metrics.

None of them needs a sign-in: load balancers and monitoring call them. They say only whether
each dependency answered, never why it failed (that goes to the log). /metrics is served to the
machine itself, or to whoever sends METRICS_TOKEN as a bearer token.
"""

import hmac

import redis
from flask import abort, current_app, jsonify, request
from sqlalchemy import text

from ..extensions import csrf, db, limiter
from . import bp, metrics

LOOPBACK = {"127.0.0.1", "::1"}


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Liveness: the worker is up and answering (no dependency is touched)."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Readiness: every dependency answered; 503 naming any that did not."""
    checks = {"database": _database_ok()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis_ok(current_app.config["REDIS_URL"])
    ready = all(checks.values())
    body = {"status": "ok" if ready else "unavailable",
            "checks": {name: "ok" if ok else "failed" for name, ok in checks.items()}}
    return jsonify(body), 200 if ready else 503


@bp.get("/metrics")
@limiter.exempt
def prometheus():
    """Request counts and latencies per endpoint, in Prometheus' text format."""
    if not _may_scrape():
        abort(404)
    content, content_type = metrics.render(request.headers.get("Accept"))
    return content, 200, {"Content-Type": content_type}


def _may_scrape() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    return request.remote_addr in LOOPBACK


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure means not ready; the reason goes to the log
        current_app.logger.exception("Readiness: the database did not answer")
        db.session.rollback()
        return False
    return True


def _redis_ok(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        current_app.logger.exception("Readiness: Redis did not answer")
        return False
    finally:
        client.close()


csrf.exempt(bp)  # GET only; nothing here changes state
