"""Time the writes a ward makes, in-process (Flask's test client), on DATABASE_URL:

    DATABASE_URL=... python -m bench.posts --label "SQLite, demo" [--out bench/RESULTS.md]

Signs in through the login form (CSRF stays on: tokens are read from the pages) and times, as
the demo's ward nurse at Northgate: (1) the data grid save, three numerators of the first core
measure outside a bundle, and one note of the DrEaMing bundle (its numbers must agree with its
parts', so only a note changes freely; the bundle checks still run); (2) the quick log of a new
cycle with only the required fields; then, as a data lead of 8 sites, (3) a CSV import of
weekly values: upload, preview (the mapping form), confirm. Only the write is timed, not the
GET for the form's fields before it. Per request: ms, SQL statements (before_cursor_execute on
db.engine), status; then each write is looked up in the database. Any failure exits 1. Grid
saves change values and quick logs add cycles ("Bench quick log ..."): the data set drifts a
little per run, nothing more.

The import is a data lead's warehouse extract for several sites at once. Periods before 2000 are
refused, so one site's weekly file holds at most ~1,400 rows; a file with a Site column (its
header must name "site" or "hospital" for the preview to map it) holds rows of every site whose
team the uploader is on. So the setup makes a bench user, bench.data@northgate.example.org (the
demo's password), a member of 8 sites of Northgate's collaborative: Northgate and the 7 other
open sites of lowest id (made on first use, kept). The file holds, per site, the 1,250 weeks
ending with the latest complete week (back to late 2002): 8 x 1,250 = 10,000 rows. A local
measure is charted at its own site only, so the rows go to a weekly collaborative-level (core)
measure kept for this, "Bench import, 8 sites (bench/posts.py)", listed last and soft-deleted
between runs; its values, their change log and its chart summaries, at every site, are deleted
before each import (each import inserts every row) and after the last. `--import-rows N` spreads
N rows over the 8 sites (N / 8 weeks back, rounded up) and refuses an N that would need weeks
before 2000.
"""

import argparse
import csv
import io
import os
import platform
import re
import secrets
import statistics
import string
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import sqlalchemy as sa

from bench.bench import PASSWORD, ROLES, ids
from config import Config
from tracker import create_app
from tracker.core.args import FIRST_DATE
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import Cycle, Membership, Site, User
from tracker.models.base import DataKind, Frequency, MeasureKind, Profession, SiteRole, utcnow
from tracker.models.measures import Measure, MeasureSummary, MeasureValue, MeasureValueChange

BENCH_MEASURE = "Bench import, 8 sites (bench/posts.py)"
BENCH_USER = "bench.data@northgate.example.org"
IMPORT_SITES = 8
LAST_POSITION = 1_000_000  # after every real measure: `ids` and `plain_core_measure` pick those


class PostsConfig(Config):
    MAIL_BACKEND = "memory"  # a sign-in from a new device sends an email
    LOG_LEVEL = "WARNING"


@dataclass
class Result:
    name: str
    ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    status: set[int] = field(default_factory=set)
    failure: str = ""

    def check(self, ok: bool, why: str) -> None:
        self.failure = self.failure or ("" if ok else why)


class Fields(HTMLParser):
    """What a browser would send from the inputs and selects of the page's POST forms."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self.post, self.select = False, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.post = (a.get("method") or "").lower() == "post"
        elif not self.post:
            return
        elif tag == "input" and a.get("name") and a.get("type", "text") not in (
                "submit", "button", "file", "image", "reset"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and (
                "selected" in a or self.select not in self.values):
            self.values[self.select] = a.get("value") or ""

    def handle_endtag(self, tag):
        self.post = self.post and tag != "form"
        self.select = None if tag == "select" else self.select


class Bench:
    """The app, a client signed in (as the nurse, then the data lead), and a count of the SQL
    statements sent."""

    def __init__(self):
        self.app, self.count = create_app(PostsConfig), 0
        with self.app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", self._counted)
        self.sign_in(ROLES["nurse"])

    def sign_in(self, email: str) -> None:
        """From now on, requests go from a new client signed in as `email`."""
        self.client = self.app.test_client()
        form = self.fields("/auth/login")
        answer = self.client.post("/auth/login", data={
            "csrf_token": form["csrf_token"], "email": email, "password": PASSWORD})
        if answer.status_code != 302:
            raise SystemExit(f"Signing in as {email} failed: {answer.status_code}.")

    def _counted(self, *args) -> None:
        self.count += 1

    def timed(self, result: Result, method: str, path: str, **kw):
        self.count, started = 0, time.perf_counter()
        response = getattr(self.client, method)(path, **kw)
        result.ms.append(1000 * (time.perf_counter() - started))
        result.queries.append(self.count)
        result.status.add(response.status_code)
        return response

    def fields(self, path: str) -> dict[str, str]:
        return Fields(self.client.get(path).text).values

    def query(self, statement) -> list:
        with self.app.app_context():
            return db.session.execute(statement).all()


def grid(b: Bench, measure: int, site: int, repeat: int, note: bool) -> Result:
    name = b.query(sa.select(Measure.name).filter_by(id=measure))[0][0]
    result = Result(f"grid save, {name}: {'1 note' if note else '3 numerators'}")
    path, cell = f"/measures/{measure}/data?site_id={site}", "note" if note else "numerator"
    for _ in range(repeat):
        data = b.fields(path)
        rows = [k[:-10] for k in data if k.endswith("-numerator") and data[k]
                and data[k[:-9] + "denominator"] not in ("", "0")][:1 if note else 3]
        result.check(len(rows) == (1 if note else 3), "too few weeks with numbers in the grid")
        for row in rows:
            new = (int(data[f"{row}-numerator"]) + 1) % (int(data[f"{row}-denominator"]) + 1)
            data[f"{row}-{cell}"] = f"bench check {secrets.token_hex(3)}" if note else str(new)
        response = b.timed(result, "post", path, data=data)
        result.check(response.status_code == 302, f"status {response.status_code}")
        for row in rows:
            stored = b.query(sa.select(getattr(MeasureValue, cell)).filter_by(
                measure_id=measure, site_id=site,
                period_start=date.fromisoformat(data[f"{row}-period"])))
            result.check([str(v) for v, in stored] == [data[f"{row}-{cell}"]], "not saved")
    return result


def quick_log(b: Bench, site: int, repeat: int) -> Result:
    result = Result("quick log of a new cycle")
    token = b.fields("/cycles/quick")["csrf_token"]
    for _ in range(repeat):
        # Letters only: random hex digits look like a hospital number now and then (about one
        # title in 40), and the form asks whether it is one.
        title = "Bench quick log " + "".join(secrets.choice(string.ascii_lowercase)
                                             for _ in range(8))
        response = b.timed(result, "post", "/cycles/quick", data={
            "csrf_token": token, "site_id": str(site), "title": title,
            "objective": "Offer a drink in recovery to the next patient."})
        result.check(response.status_code == 302 and "/cycles/" in response.location,
                     f"status {response.status_code}")
        found = b.query(sa.select(Cycle.id).filter_by(title=title, site_id=site))
        result.check(len(found) == 1, "the cycle was not stored")
    return result


def import_weeks(rows: int) -> tuple[date, int]:
    """The latest complete week and how many weeks before it, at most, a site's rows cover."""
    newest = periods.current_period(Frequency.WEEKLY) - timedelta(weeks=1)
    weeks, most = -(-rows // IMPORT_SITES), (newest - FIRST_DATE).days // 7 + 1
    if rows < 1:
        raise SystemExit(f"--import-rows {rows:,}: the file needs at least one row.")
    if weeks > most:
        raise SystemExit(
            f"--import-rows {rows:,}: spread over {IMPORT_SITES} sites, the file would need "
            f"{weeks:,} weeks per site, back to {newest - timedelta(weeks=weeks - 1):%-d %b %Y}; "
            f"periods before {FIRST_DATE.year} are refused. Choose 1 to "
            f"{IMPORT_SITES * most:,} rows ({IMPORT_SITES} sites x {most:,} weeks).")
    return newest, weeks


def import_file(sites: list[tuple[int, str]], rows: int) -> tuple[bytes, dict]:
    """A warehouse extract: `rows` weekly rows spread over the sites, each site's ending with the
    latest complete week; and what each site should then hold, {site id: (count, numerators)}."""
    newest, _ = import_weeks(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Site", "Week commencing", "Numerator", "Denominator"])
    expected = {}
    for i, (site, name) in enumerate(sites):
        weeks = rows // len(sites) + (i < rows % len(sites))
        numerators = [(n + 5 * i) % 21 for n in range(weeks)]
        writer.writerows([name, newest - timedelta(weeks=weeks - 1 - n), numerator, 20]
                         for n, numerator in enumerate(numerators))
        if weeks:
            expected[site] = (weeks, sum(numerators))
    return out.getvalue().encode(), expected


def import_csv(b: Bench, home: int, rows: int, repeat: int) -> list[Result]:
    upload, preview, confirm = (Result(f"import {rows:,} rows, {IMPORT_SITES} sites: {step}")
                                for step in ("upload", "preview", "confirm"))
    with b.app.app_context():
        sites = import_team(home)
        measure = bench_measure(home, hidden=False)
    content, expected = import_file(sites, rows)
    b.sign_in(BENCH_USER)
    path = f"/measures/{measure}/import?site_id={home}"
    token = b.fields(path)["csrf_token"]
    try:
        for _ in range(repeat):
            with b.app.app_context():
                clear(measure)
            file = (io.BytesIO(content), f"warehouse-{rows}-rows.csv")
            response = b.timed(upload, "post", path, content_type="multipart/form-data",
                               data={"csrf_token": token, "site_id": str(home), "file": file})
            upload.check(response.status_code == 302 and "/import/" in response.location,
                         f"status {response.status_code}")
            page = b.timed(preview, "get", batch := response.location)
            preview.check(page.status_code == 200, f"status {page.status_code}")
            data = Fields(page.text).values
            preview.check(data.get("site") == "0", "the Site column was not mapped")
            response = b.timed(confirm, "post", batch, data=data | {"confirm": "Import"})
            confirm.check(response.status_code == 302 and "/import/" not in response.location,
                          f"status {response.status_code}: not imported{first_error(response)}")
            stored = {site: (count, total) for site, count, total in b.query(sa.select(
                MeasureValue.site_id, sa.func.count(), sa.func.sum(MeasureValue.numerator))
                .where(MeasureValue.measure_id == measure).group_by(MeasureValue.site_id))}
            confirm.check(stored == expected,
                          f"{sum(c for c, _ in stored.values())} values stored at {len(stored)} "
                          f"sites, not {rows} at {len(expected)}")
    finally:
        with b.app.app_context():
            clear(measure)
            bench_measure(home, hidden=True)
    return [upload, preview, confirm]


def first_error(response) -> str:
    """The preview's first problem, when a confirmation shows the page again."""
    found = re.search(r'<div class="alert alert-danger"[^>]*>([^<]+)<|<li>(Row \d+:[^<]+)<',
                      response.text)
    return f" ({(found.group(1) or found.group(2)).strip()[:120]})" if found else ""


def import_team(home: int) -> list[tuple[int, str]]:
    """The sites the data lead imports for, as (id, name): `home` (Northgate) and the
    IMPORT_SITES - 1 other open sites of its collaborative of lowest id. The data lead, made
    on first use, is a member of each site's team."""
    collaborative = db.session.get(Site, home).collaborative_id
    sites = [db.session.get(Site, home), *db.session.scalars(
        sa.select(Site).where(Site.collaborative_id == collaborative, Site.id != home,
                              Site.archived_at.is_(None))
        .order_by(Site.id).limit(IMPORT_SITES - 1))]
    if len(sites) < IMPORT_SITES:
        raise SystemExit(f"The import needs {IMPORT_SITES} sites in the collaborative; "
                         f"it has {len(sites)}.")
    user = db.session.scalar(sa.select(User).filter_by(email=BENCH_USER))
    if user is None:
        user = User(email=BENCH_USER, name="Bench Data Lead", profession=Profession.DATA_ANALYST)
        user.set_password(PASSWORD)
        db.session.add(user)
    member_of = {m.site_id for m in user.memberships}
    db.session.add_all(Membership(user=user, site=site, role=SiteRole.MEMBER)
                       for site in sites if site.id not in member_of)
    db.session.commit()
    return [(site.id, site.name) for site in sites]


def bench_measure(home: int, *, hidden: bool) -> int:
    """The import's own core measure of the collaborative, made on first use; shown only while
    timed."""
    collaborative = db.session.get(Site, home).collaborative_id
    measure = db.session.scalar(sa.select(Measure).filter_by(
        collaborative_id=collaborative, site_id=None, name=BENCH_MEASURE))
    if measure is None:
        faculty = db.session.scalar(sa.select(User.id).filter_by(email=ROLES["faculty"]))
        measure = Measure(collaborative_id=collaborative, site_id=None, name=BENCH_MEASURE,
                          kind=MeasureKind.PROCESS, data_kind=DataKind.PROPORTION,
                          frequency=Frequency.WEEKLY, position=LAST_POSITION,
                          definition="Timing imports only (bench/posts.py).",
                          created_by_id=faculty)
        db.session.add(measure)
    measure.deleted_at = utcnow() if hidden else None
    db.session.commit()
    return measure.id


def clear(measure: int) -> None:
    """Delete the bench measure's values, their change log and its chart summaries, at every
    site: as a new measure has none, and no commit hook recomputes them."""
    for model in (MeasureValueChange, MeasureValue, MeasureSummary):
        db.session.execute(sa.delete(model).filter_by(measure_id=measure))
    db.session.commit()


def plain_core_measure(b: Bench) -> int:
    """The first core proportion measure that is neither a bundle nor part of one."""
    parts = sa.select(Measure.composite_id).where(Measure.composite_id.is_not(None))
    return b.query(sa.select(Measure.id).where(
        Measure.site_id.is_(None), Measure.composite_id.is_(None), Measure.deleted_at.is_(None),
        Measure.data_kind == DataKind.PROPORTION, Measure.id.not_in(parts))
        .order_by(Measure.position).limit(1))[0][0]


def report(label: str, found: dict, results: list[Result], loads: tuple) -> str:
    jobs = "queued (REDIS_URL)" if Config.REDIS_URL else "run inline (no REDIS_URL)"
    lines = [f"### {label}: POSTs", "",
             f"{found['cycles']:,} cycles, {found['values']:,} measure values. In-process "
             f"(Flask test client), Python {platform.python_version()}, {os.cpu_count()} CPUs; "
             f"as the ward nurse at Northgate (grid, quick log) and as a data lead of "
             f"{IMPORT_SITES} sites (import); background jobs {jobs}; load average "
             f"{loads[0]:.2f} before, {loads[1]:.2f} after.", "",
             "| write | runs | min ms | median ms | max ms | queries | status |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        ms, q = r.ms or [0.0], r.queries or [0]
        queries = f"{min(q)}" if min(q) == max(q) else f"{min(q)}–{max(q)}"
        status = "/".join(map(str, sorted(r.status))) + (f" FAILED: {r.failure}" * bool(r.failure))
        lines.append(f"| {r.name} | {len(r.ms)} | {min(ms):,.0f} | {statistics.median(ms):,.0f}"
                     f" | {max(ms):,.0f} | {queries} | {status} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--out", type=Path, help="append the table to this Markdown file")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--import-repeat", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=10_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to the database to write to.")
    import_weeks(args.import_rows)  # refuses, before any write, a file reaching before 2000
    found, before = ids(os.environ["DATABASE_URL"]), os.getloadavg()[0]
    b, site = Bench(), found["site"]
    results = [grid(b, plain_core_measure(b), site, args.repeat, note=False),
               grid(b, found["measure"], site, args.repeat, note=True),
               quick_log(b, site, args.repeat),
               *import_csv(b, site, args.import_rows, args.import_repeat)]
    table = report(args.label, found, results, (before, os.getloadavg()[0]))
    print(table)
    if args.out:
        with args.out.open("a") as out:
            out.write("\n" + table)
    sys.exit(1 if any(r.failure for r in results) else 0)


if __name__ == "__main__":
    main()
