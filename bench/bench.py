"""Benchmark the key pages against a bare route in the same server: `make bench`, or

    DATABASE_URL=... python bench/bench.py --label "SQLite, national" --out bench/RESULTS.md

on a database already holding `flask --app wsgi seed-demo --scale national` (or 10x). It starts
gunicorn (2 sync workers) on the app in bench/app.py, signs in as each demo role, then for
each round and each page runs wrk on the bare route and on the page, one after the other (so
both see the same machine load), and reports the page's requests per second as a ratio of the
bare route's (median of the rounds), wrk's p50 and p99 latency, the queries one request makes,
and the workers' memory. A benchmark to rerun and compare, never a test: on a shared machine
only the ratios within one run mean anything, so the machine's load is written beside them.
"""

import argparse
import http.cookiejar
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "dreaming-demo-2026"
ROLES = {"nurse": "nurse@northgate.example.org", "lead": "lead@northgate.example.org",
         "faculty": "faculty@dreaming.example.org", "partner": "partner@dreaming.example.org"}


@dataclass
class Page:
    name: str
    path: str
    role: str
    rates: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    queries: str = ""
    status: int | str = 0
    fresh: str = ""  # "fresh" or "elsewhere": a new such argument on every request (FRESH_SCRIPT)


def ids(url: str) -> dict[str, int | str]:
    """The ids the pages need, looked up in the database the server uses."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        one = lambda sql: conn.execute(sa.text(sql)).scalar()  # noqa: E731
        northgate = one("SELECT id FROM site WHERE name LIKE 'Northgate%'")
        found = {
            "measure": one("SELECT id FROM measure WHERE site_id IS NULL "
                           "AND composite_id IS NULL ORDER BY position LIMIT 1"),
            "site": northgate,
            "idea": one("SELECT idea_id FROM cycle GROUP BY idea_id ORDER BY count(*) DESC, "
                        "idea_id LIMIT 1"),
            "cycle": one("SELECT c.id FROM cycle c LEFT JOIN comment m ON m.cycle_id = c.id "
                         f"WHERE c.site_id = {northgate} AND c.previous_id IS NOT NULL "
                         "GROUP BY c.id ORDER BY count(m.id) DESC, c.id DESC LIMIT 1"),
            "cycles": one("SELECT count(*) FROM cycle"),
            "values": one("SELECT count(*) FROM measure_value"),
        }
    engine.dispose()
    return found


def pages(found: dict) -> list[Page]:
    m, c = found["measure"], found["cycle"]
    return [
        Page("dashboard, ward nurse", "/dashboard", "nurse"),
        Page("dashboard, site lead", "/dashboard", "lead"),
        Page("dashboard, faculty", "/dashboard", "faculty"),
        Page("dashboard, partner", "/dashboard", "partner"),
        Page("cycles list", "/cycles/", "nurse"),
        Page("cycle detail", f"/cycles/{c}", "nurse"),
        Page("ramp", f"/cycles/{c}/ramp", "nurse"),
        Page("idea library", "/ideas/", "nurse"),
        Page("idea detail (most tested)", f"/ideas/{found['idea']}", "nurse"),
        Page("measure page", f"/measures/{m}", "nurse"),
        Page("small multiples", f"/measures/{m}/sites", "faculty"),
        Page("search, common word", "/search/?q=patients", "faculty"),
        Page("search, rare word", "/search/?q=norovirus", "faculty"),
        Page("review queue", "/review", "faculty"),
        Page("faculty dashboard", "/reports/faculty", "faculty"),
        Page("action-period report", "/reports/action-period", "faculty"),
        Page("storyboard", f"/reports/sites/{found['site']}/storyboard", "lead"),
        Page("notifications (200 unread)", "/notifications/", "nurse"),
        Page("data grid", f"/measures/{m}/data", "nurse"),
    ]


# Pages that keep their body, or parts of it, under the data's version (tracker/core/versions.py):
# measured again with a new argument on every request (`?fresh=<n>`), with which bench/app.py
# reads no version, so nothing kept under it is served: their cost just after a write.
KEPT = ("dashboard, ward nurse", "dashboard, site lead", "dashboard, faculty",
        "dashboard, partner", "cycles list", "cycle detail", "ramp", "idea library",
        "idea detail (most tested)", "measure page", "small multiples", "search, common word",
        "search, rare word", "review queue", "faculty dashboard", "action-period report",
        "storyboard")
# Pages with parts kept under their sites' own versions: measured again with `?elsewhere=<n>`,
# with which bench/app.py reads the sites' versions but not the data's: their cost just after a
# write at another site.
AT_SITES = ("dashboard, ward nurse", "dashboard, site lead", "measure page", "storyboard")
FRESH_SCRIPT = Path(__file__).resolve().parent / "fresh.lua"


def fresh_pages(todo: list[Page]) -> list[Page]:
    return [*(Page(f"{p.name}, nothing kept", p.path, p.role, fresh="fresh")
              for p in todo if p.name in KEPT),
            *(Page(f"{p.name}, after another site's write", p.path, p.role, fresh="elsewhere")
              for p in todo if p.name in AT_SITES)]


def sign_in(base: str, email: str) -> str:
    """Sign in through the form (with its CSRF token); the Cookie header wrk should send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/auth/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    opener.open(f"{base}/auth/login", data.encode()).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def probe(base: str, page: Page, cookie: str) -> None:
    """Four requests: their status (the first that was not 200, if any), and the fewest
    queries any made (a kept page's, once one of the two workers keeps it; a fresh page's
    requests each have a new argument, as FRESH_SCRIPT's)."""
    counts, statuses = [], []
    for n in range(4):
        path = page.path
        if page.fresh:
            path += f"{'&' if '?' in path else '?'}{page.fresh}=probe-{n}"
        request = urllib.request.Request(base + path, headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                statuses.append(response.status)
                counts.append(response.headers.get("X-Queries", "?"))
        except OSError as error:  # e.g. the worker timed out: the table says so
            statuses.append(type(error).__name__)
    page.status = next((s for s in statuses if s != 200), 200)
    page.queries = min(counts, key=lambda c: int(c) if c.isdigit() else 1 << 30, default="?")


def wrk(url: str, cookie: str, seconds: int, connections: int, *, fresh: str = ""
        ) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 in ms (`fresh`: each request with a new argument of
    that name)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s",
               *(["-s", str(FRESH_SCRIPT)] if fresh else []), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True,
                         env={**os.environ, "BENCH_ARG": fresh or "fresh"}).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rate, _ms(out, "50%"), _ms(out, "99%")


def _ms(out: str, percentile: str) -> float:
    number, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def worker_memory(master: int) -> list[int]:
    """Resident memory of each gunicorn worker, in MB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024)
    return sizes


def machine() -> str:
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return (f"{os.cpu_count()} CPUs, {memory // 1024 // 1024} GB RAM, {platform.platform()}, "
            f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, "
            f"wrk {wrk_version[1] if len(wrk_version) > 1 else '?'}")


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def run(args: argparse.Namespace) -> str:
    url = os.environ["DATABASE_URL"]
    found = ids(url)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn",
         "--workers", "2", "--worker-class", "sync", "--no-control-socket", "--bind",
         f"127.0.0.1:{args.port}", "--timeout", "600", "bench.app:app"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        _wait(base)
        cookies = {role: sign_in(base, email) for role, email in ROLES.items()}
        todo = [p for p in pages(found)
                if not args.only or any(part in p.name for part in args.only)]
        todo += fresh_pages(todo)
        for page in todo:
            probe(base, page, cookies[page.role])
        wrk(f"{base}/_bench/bare", "", 2, args.connections)  # warm up
        before = load()
        for _ in range(args.rounds):
            for page in todo:
                _wait(base)  # the workers have finished the last page's queued requests
                page.bare.append(wrk(f"{base}/_bench/bare", "", args.bare_seconds,
                                     args.connections)[0])
                rate, p50, p99 = wrk(base + page.path, cookies[page.role], args.seconds,
                                     args.connections, fresh=page.fresh)
                page.rates.append(rate)
                page.p50.append(p50)
                page.p99.append(p99)
                print(f"{page.name}: {rate:.1f} req/s vs bare {page.bare[-1]:.0f}, p50 {p50:.0f}"
                      f" ms, p99 {p99:.0f} ms", flush=True)
        memory = worker_memory(server.pid)
        after = load()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return report(args, found, todo, memory, before, after)


def _wait(base: str) -> None:
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/_bench/bare", timeout=600).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not start")


def report(args, found, todo: list[Page], memory: list[int], before: str, after: str) -> str:
    bare = statistics.median(r for p in todo for r in p.bare)
    lines = [
        f"### {args.label}",
        "",
        f"{found['cycles']:,} cycles, {found['values']:,} measure values. gunicorn 2 sync "
        f"workers, wrk {args.connections} connections; {args.rounds} rounds, each page "
        f"{args.seconds} s right after {args.bare_seconds} s of the bare route. Bare route: "
        f"{bare:,.0f} req/s (median). Worker memory after the run: "
        f"{', '.join(f'{m} MB' for m in memory)}.",
        "",
        f"Load before: `{before}`  ",
        f"Load after: `{after}`",
        "",
        "| page | role | ratio | req/s | p50 ms | p99 ms | queries | status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in todo:
        ratios = [r / b for r, b in zip(p.rates, p.bare, strict=True) if b]
        ratio = f"{statistics.median(ratios):.4f}" if ratios else "?"
        lines.append(
            f"| {p.name} | {p.role} | {ratio} | {statistics.median(p.rates):.1f} | "
            f"{statistics.median(p.p50):,.0f} | {max(p.p99):,.0f} | {p.queries} | "
            f"{p.status} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--out", type=Path, help="append the table to this Markdown file")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--bare-seconds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", nargs="*", default=[], metavar="NAME",
                        help="only the pages whose names hold one of these (a rerun of a few)")
    args = parser.parse_args()
    table = run(args)
    print(table)
    if args.out:
        if not args.out.exists():
            args.out.write_text(f"# Benchmark results\n\nMachine: {machine()}\n\n")
        with args.out.open("a") as out:
            out.write("\n" + table)


if __name__ == "__main__":
    main()
