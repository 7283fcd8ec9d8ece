"""A live server on a real, committed database, for tests that need two requests at once.

Self-contained on purpose: the rest of the suite may run each test inside a rolled-back
transaction, which two concurrent requests on their own connections could never see. This
fixture builds its own schema (a temporary SQLite file, or a schema of its own inside the
PostgreSQL database DATABASE_URL names), commits for real, and drops it all afterwards.
"""

import logging
import os
import threading
import uuid

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from config import TestConfig
from tests import factories as f
from tracker import create_app
from tracker.extensions import db
from tracker.models import Profession
from tracker.search import engine as _search_engine  # noqa: F401  (its DDL hooks)

from .browser import Browser


def _database(tmp_path_factory) -> tuple[str, dict, str | None]:
    """(url, engine options, PostgreSQL schema to drop afterwards or None)."""
    url = os.environ.get("DATABASE_URL")
    if not url or url.startswith("sqlite"):
        path = tmp_path_factory.mktemp("live") / "live.sqlite"
        return f"sqlite:///{path}", {}, None
    schema = f"live_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return url, {"connect_args": {"options": f"-csearch_path={schema}"}}, schema


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """(base URL, app) of a threaded server on its own committed database."""
    url, engine_options, schema = _database(tmp_path_factory)
    config = type("LiveConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": True,
        "SQLALCHEMY_ENGINE_OPTIONS": {**TestConfig.SQLALCHEMY_ENGINE_OPTIONS, **engine_options},
    })
    app = create_app(config)
    with app.app_context():
        db.metadata.create_all(db.engine)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not one line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if schema:
            engine = sa.create_engine(url)
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()


@pytest.fixture(scope="session")
def team(live):
    """Two members of one site (a nurse and an HCA), by email."""
    _, app = live
    with app.app_context():
        collaborative = f.make_collaborative("Live collaborative")
        site = f.make_site(collaborative, "Live Hospital")
        nurse = f.make_user(site=site, email="nurse@example.org", name="Nia Nurse")
        hca = f.make_user(site=site, email="hca@example.org", name="Hal Assistant",
                          profession=Profession.HCA)
        db.session.commit()
        return {"site": site.id, "collaborative": collaborative.id,
                "nurse": nurse.email, "hca": hca.email}


@pytest.fixture
def sign_in(live, team):
    """sign_in("nurse") -> a Browser signed in through the real login form."""

    def _sign_in(who: str) -> Browser:
        browser = Browser(live[0])
        browser.sign_in(team[who], f.PASSWORD)
        return browser

    return _sign_in
