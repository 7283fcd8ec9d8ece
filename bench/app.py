"""The app as the benchmark serves it: the real app, plus a bare route to measure against and a
count of the queries each request made (in the X-Queries header). Benchmark use only."""

from flask import g, request
from sqlalchemy import event

from tracker import create_app
from tracker.core import versions
from tracker.extensions import db

app = create_app()
_queries = {"count": 0}


@app.route("/_bench/bare")
def bare() -> str:
    return "ok"


@app.before_request
def _start_count() -> None:
    _queries["count"] = 0


@app.after_request
def _report_count(response):
    if request.path != "/_bench/bare":
        response.headers["X-Queries"] = str(_queries["count"])
    return response


with app.app_context():
    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(*args) -> None:
        _queries["count"] += 1


# A request with ?fresh=... (bench/fresh.lua) cannot read the data's version, so nothing kept
# under it is served or kept (versions.current is None, as in a transaction that has written):
# the page's cost just after any write. What is kept by its own content (a chart by its values)
# is still served: a write elsewhere leaves it as it was.
_read_version = versions.current


@app.before_request
def _fresh() -> None:
    g.bench_fresh = "fresh" in request.args


def _current() -> int | None:
    version = _read_version()  # read as a real request reads it
    return None if g.get("bench_fresh") else version


versions.current = _current
