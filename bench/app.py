"""The app as the benchmark serves it: the real app, plus a bare route to measure against and a
count of the queries each request made (in the X-Queries header). Benchmark use only."""

from flask import request
from sqlalchemy import event

from tracker import create_app
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
