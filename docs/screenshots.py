"""Screenshots of each role's dashboard and of the measure page, at 360 and 1366 px wide.

Builds the demo collaborative in a fresh SQLite file, serves the app on a local port, signs in
as each demo account in Chromium (Playwright, the system browser from the PATH) and writes
PNGs to docs/screenshots/. Rerun it whenever the pages change:

    .venv/bin/python docs/screenshots.py            # every shot
    .venv/bin/python docs/screenshots.py --only nurse faculty

Each shot is the top of the page (at most MAX_HEIGHT px of it). The shots are the pages as
they are when the script runs, so after a change to a dashboard just run it again and commit
the PNGs it rewrites; README.md shows them by these file names.
"""

import argparse
import logging
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WIDTHS = {"phone": (360, 740), "desktop": (1366, 900)}
MAX_HEIGHT = {"phone": 2200, "desktop": 1400}
# (name, demo account, page): the dashboards of each role and the main measure's page.
SHOTS = [
    ("nurse", "nurse@northgate.example.org", "/dashboard"),
    ("site-lead", "lead@northgate.example.org", "/dashboard"),
    ("faculty", "faculty@dreaming.example.org", "/dashboard"),
    ("faculty-report", "faculty@dreaming.example.org", "/reports/faculty"),
    ("partner", "partner@dreaming.example.org", "/dashboard"),
    ("measure", "nurse@northgate.example.org", "{measure}"),
    ("worksheet", "nurse@northgate.example.org", "{worksheet}"),
]


def build_app(database: Path):
    """The app on a fresh SQLite file holding the demo collaborative."""
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("MAIL_BACKEND", "memory")
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.demo import build_demo
    from tracker.extensions import db

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        build_demo(echo=lambda _: None)
        db.session.commit()
    return app


def demo_paths(app) -> dict[str, str]:
    """The measure page of the collaborative's first core measure at the nurse's site, and
    the worksheet of a cycle there that is under way."""
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.models import Cycle, Measure, Stage, User

    with app.app_context():
        nurse = db.session.scalar(sa.select(User).where(User.email == SHOTS[0][1]))
        site_id = min(nurse.site_ids)
        measure = db.session.scalar(sa.select(Measure).where(
            Measure.site_id.is_(None), Measure.composite_id.is_(None),
            Measure.balances_id.is_(None)).order_by(Measure.position, Measure.id))
        # The cycle furthest on that is still open (Study, then Act, Do, Plan).
        rank = {Stage.STUDY: 0, Stage.ACT: 1, Stage.DO: 2, Stage.PLAN: 3}
        open_cycles = db.session.scalars(sa.select(Cycle).where(
            Cycle.site_id == site_id, Cycle.deleted_at.is_(None),
            Cycle.stage.in_(list(rank))).order_by(Cycle.id)).all()
        cycle = min(open_cycles, key=lambda c: rank[c.stage], default=None)
        return {"measure": f"/measures/{measure.id}?site_id={site_id}",
                "worksheet": f"/cycles/{cycle.id}/edit" if cycle else "/cycles/"}


def serve(app) -> str:
    """The app on a free local port, in a daemon thread: its base URL."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def shoot(base: str, shots: list, password: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        for size, (width, height) in WIDTHS.items():
            for email in dict.fromkeys(e for _, e, _ in shots):  # one sign-in per account
                context = browser.new_context(viewport={"width": width, "height": height},
                                              is_mobile=size == "phone",
                                              has_touch=size == "phone",
                                              device_scale_factor=1)
                page = context.new_page()
                page.goto(f"{base}/auth/login")
                page.get_by_label("Email").fill(email)
                page.get_by_label("Password").fill(password)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{base}/dashboard")
                for name, _, path in (s for s in shots if s[1] == email):
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    full = page.evaluate("document.documentElement.scrollHeight")
                    # A window as tall as the shot, so sticky bars sit at its foot as on a
                    # screen, not across the middle of a stitched full-page image.
                    page.set_viewport_size({"width": width,
                                            "height": min(full, MAX_HEIGHT[size])})
                    target = OUT / f"{name}-{width}.png"
                    page.screenshot(path=str(target))
                    page.set_viewport_size({"width": width, "height": height})
                    written.append(target)
                context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="only these shots: "
                        + ", ".join(name for name, _, _ in SHOTS))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp) / "demo.sqlite")
        from tracker.demo import DEMO_PASSWORD

        paths = demo_paths(app)
        shots = [(n, e, p.format(**paths)) for n, e, p in SHOTS
                 if not args.only or n in args.only]
        for target in shoot(serve(app), shots, DEMO_PASSWORD):
            print(target.relative_to(ROOT))


if __name__ == "__main__":
    main()
