"""Operations: liveness and readiness for load balancers, Prometheus metrics for monitoring."""

from flask import Blueprint

bp = Blueprint("health", __name__)

from . import jobs, routes  # noqa: E402,F401  (registers the views and the nightly job)
