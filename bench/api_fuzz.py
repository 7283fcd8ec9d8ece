"""Property-based run of schemathesis against the live API: no 5xx, no response the OpenAPI
document does not allow, and nothing changed through a read-only token.

Run from the repository root: `python -m bench.api_fuzz [--examples N] [--reset]`. It builds
a fresh database (a temporary SQLite file, or DATABASE_URL; `--reset` empties a PostgreSQL
schema first), seeds the demo, makes a read+write and a read-only token for a site member,
serves the app with gunicorn and runs schemathesis twice. Exits non-zero on any failure. It is
not a unit test: the examples are random (bounded by --examples), so it runs in .ci/run.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

BIN = Path(sys.executable).parent
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance")


def flask(env: dict, *args: str) -> str:
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], env=env, check=True,
                          capture_output=True, text=True).stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def member_email(url: str) -> str:
    """A site member of the demo (a token acts as them)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        email = conn.execute(sa.text(
            'SELECT u.email FROM "user" u JOIN membership m ON m.user_id = u.id '
            "ORDER BY m.id LIMIT 1")).scalar_one()
    engine.dispose()
    return email


def fingerprint(url: str) -> dict[str, int]:
    """Rows per table, and a checksum of their text, except the tokens' (each use is recorded)
    and the data's version, which that write moves (tracker/core/versions.py)."""
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name in ("api_token", "alembic_version", "data_version"):
                continue
            rows = sorted(repr(tuple(r)) for r in conn.execute(table.select()))
            out[table.name] = hash(tuple(rows))
    engine.dispose()
    return out


def reset(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def schemathesis(base: str, token: str, examples: int, workdir: str) -> int:
    """One run; its cache and reports stay in `workdir`, out of the repository."""
    return subprocess.run([
        str(BIN / "schemathesis"), "run", f"{base}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}", "--checks", CHECKS,
        "--max-examples", str(examples), "--seed", "1", "--phases", "examples,coverage,fuzzing",
        "--suppress-health-check", "all"], cwd=workdir).returncode


def serve(env: dict, port: int) -> subprocess.Popen:
    # No request-line limit: schemathesis's invalid examples can repeat a query parameter into
    # an address longer than gunicorn's 4 KB line, and gunicorn's refusal (414, an HTML page
    # of its own, as a proxy's would be) is outside the API's contract; the app's answer to
    # such a request is what is under test.
    server = subprocess.Popen([str(BIN / "gunicorn"), "--no-control-socket", "-w", "2",
                               "--limit-request-line", "0",
                               "-b", f"127.0.0.1:{port}", "wsgi:app"], env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the app did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--reset", action="store_true", help="empty DATABASE_URL's schema")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/api-fuzz.sqlite"
        if args.reset:
            reset(url)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "api-fuzz-" + os.urandom(8).hex(),
               "API_LIMITS_PER_TOKEN": "100000 per minute", "MAIL_BACKEND": "log"}
        flask(env, "db", "upgrade")
        flask(env, "seed-demo")
        email = member_email(url)
        write = flask(env, "create-token", "--email", email, "--name", "fuzz", "--scope",
                      "write").strip()
        read = flask(env, "create-token", "--email", email, "--name", "fuzz-read", "--scope",
                     "read").strip()
        port = free_port()
        server = serve(env, port)
        try:
            base = f"http://127.0.0.1:{port}"
            failed = schemathesis(base, write, args.examples, tmp)
            before = fingerprint(url)
            failed |= schemathesis(base, read, args.examples, tmp)
            changed = [t for t, h in fingerprint(url).items() if before.get(t) != h]
        finally:
            server.terminate()
            server.wait(timeout=30)
    if changed:
        print(f"A read-only token changed: {', '.join(changed)}")
    return 1 if failed or changed else 0


if __name__ == "__main__":
    sys.exit(main())
