"""Request ids and structured logs.

Every request gets an id: the proxy's `X-Request-ID` when it sent a sane one, else a new one. It
is echoed in the response header and attached to every log record written while the request is
handled, so one line in a proxy's log leads to the app's lines for the same request. With
LOG_FORMAT=json (the production default) each record is one JSON object per line, with the
request id, method and path, and one summary line per request (status and duration).
"""

import json
import logging
import re
import time
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


class RequestContextFilter(logging.Filter):
    """Adds request_id, method and path to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        inside = has_request_context()
        record.request_id = request_id()
        record.method = request.method if inside else None
        record.path = request.path if inside else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the request fields, extras."""

    EXTRAS = ("status", "duration_ms", "endpoint", "remote_addr")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "method": getattr(record, "method", None),
            "path": getattr(record, "path", None),
        }
        entry.update({k: getattr(record, k) for k in self.EXTRAS if hasattr(record, k)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def init_app(app: Flask) -> None:
    context = RequestContextFilter()
    # app.logger is one logger per process, shared by every app built in it (tests build many).
    if not any(isinstance(f, RequestContextFilter) for f in app.logger.filters):
        app.logger.addFilter(context)
    if app.config.get("LOG_FORMAT") == "json":
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(context)
        app.logger.handlers[:] = [handler]
        app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
        app.logger.propagate = False

    @app.before_request
    def assign_request_id():
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = sent if _SANE_ID.fullmatch(sent) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def echo_request_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        if app.config.get("LOG_REQUESTS") and "request_started" in g:
            app.logger.info("%s %s %s", request.method, request.path, response.status_code,
                            extra={"status": response.status_code,
                                   "duration_ms": round(
                                       (time.perf_counter() - g.request_started) * 1000, 1),
                                   "endpoint": request.endpoint,
                                   "remote_addr": request.remote_addr})
        return response
