"""Prometheus metrics from prometheus-flask-exporter: requests counted and timed per endpoint
(the route's name, not its path, so ids in URLs cannot multiply the series).

Each app has its own registry (tests build several apps in one process). Under gunicorn with
several workers set PROMETHEUS_MULTIPROC_DIR to an empty folder: each worker writes its numbers
there and /metrics adds them up (the library's multiprocess mode).
"""

from flask import Flask, current_app
from prometheus_client import CollectorRegistry
from prometheus_flask_exporter import PrometheusMetrics

QUIET = [r"^/static/", r"^/healthz$", r"^/readyz$", r"^/metrics$"]


def init_app(app: Flask) -> None:
    app.extensions["metrics"] = PrometheusMetrics(
        app, path=None, registry=CollectorRegistry(), group_by="endpoint",
        defaults_prefix="tracker", excluded_paths=QUIET)


def render(accept: str | None) -> tuple[str, str]:
    return current_app.extensions["metrics"].generate_metrics(accept_header=accept)
