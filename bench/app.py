"""The app as the benchmark serves it: the real app, plus a bare route to measure against and a
count of the queries each request made (in the X-Queries header). Benchmark use only."""

from flask import g, request
from sqlalchemy import event
from werkzeug.datastructures import ImmutableMultiDict

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


# A request with ?fresh=... (bench/fresh.lua) cannot read the data's version or a site's, so
# nothing kept under them is served or kept (versions.current is None, as in a transaction that
# has written): the page's cost just after a write at the reader's site. With ?elsewhere=...
# only the data's version is unread: as just after a write at another site, what is kept under
# the sites' own versions (a team's dashboard sections) is still served. What is kept by its
# own content (a chart by its values) is served in both.
_read_version = versions.current
_read_site_versions = versions.site_versions


@app.before_request
def _fresh() -> None:
    args = request.args
    g.bench_fresh, g.bench_elsewhere = "fresh" in args, "elsewhere" in args
    if g.bench_fresh or g.bench_elsewhere:
        # The page sees its address as asked: a body kept by its arguments (versions.kept_body)
        # is kept under the sites' versions as for any reader, not under a new argument.
        request.__dict__["args"] = ImmutableMultiDict(
            [(k, v) for k, v in args.items(multi=True) if k not in ("fresh", "elsewhere")])


def _current() -> int | None:
    version = _read_version()  # read as a real request reads it
    return None if g.get("bench_fresh") or g.get("bench_elsewhere") else version


def _site_versions(site_ids):
    found = _read_site_versions(site_ids)
    return None if g.get("bench_fresh") else found


versions.current = _current
versions.site_versions = _site_versions
