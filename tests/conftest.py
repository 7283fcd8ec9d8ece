"""Fixtures: one app per test session on the engine DATABASE_URL names (SQLite when unset);
each test runs in a transaction that is rolled back (see tests/isolation.py)."""

import functools
import os
import re
import sys
import tempfile
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from config import TestConfig
from tests import factories as f
from tests import isolation
from tracker import create_app
from tracker.core import versions
from tracker.extensions import db, limiter
from tracker.search import engine as _search_engine  # noqa: F401  (its DDL hooks)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "committed: the test's data is truly committed (threads, processes and "
        "live servers see it); every table is emptied afterwards")


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch):
    """Every request of a test is made in the minute the test began. What is kept per minute
    (core.versions.this_minute is in its key) stays kept between a test's requests even when
    they fall either side of hh:mm:00, so a test that counts the queries of a second visit, or
    compares two readers' pages, does not fail one run in many. Every module of the app that
    took this_minute by name gets the frozen one."""
    minute = versions.this_minute()
    real = versions.this_minute

    def frozen(now=None):
        return minute

    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("tracker") and \
                getattr(module, "this_minute", None) is real:
            monkeypatch.setattr(module, "this_minute", frozen)


def without_tokens(html: str) -> str:
    """A page with its form tokens left out: each request is given a fresh one, signed with the
    second it is made in (a kept page too, core.versions), so two requests either side of a
    second's turn differ there alone."""
    return re.sub(r'(name="csrf_token" value=")[^"]*', r"\1", html)


def main_of(html: str) -> str:
    """A page's <main>: what its view drew, without the navigation around it or its form tokens
    (tests that two readers were served the same page compare these)."""
    return without_tokens(html[html.index("<main"):html.index("</main>")])


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database: DATABASE_URL (e.g. PostgreSQL in CI), else a temporary SQLite file."""
    return os.environ.get("DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    )


@pytest.fixture(scope="session")
def _schema(database_url):
    """Build the schema once per session from the models (migrations have their own test)."""
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            db.metadata.drop_all(conn)
        db.metadata.create_all(conn)
    engine.dispose()
    return database_url


# Uploaded files go to a folder of their own per test run, never the instance folder.
UPLOADS = tempfile.mkdtemp(prefix="pdsa-tracker-uploads-")


def make_config(url: str, **settings) -> type:
    return type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url,
                                          "UPLOAD_ROOT": UPLOADS, **settings})


@pytest.fixture(scope="session")
def _joinable(_schema):
    with isolation.joinable_sessions():
        yield _schema


def _session_app(url: str, *, rolled_back: bool):
    app = create_app(make_config(url))
    with app.app_context():
        engine = db.engine
    if rolled_back:
        isolation.emit_our_own_begin(engine)
    yield app
    engine.dispose()


@pytest.fixture(scope="session")
def _app(_joinable):
    """The one app most tests share; their work is rolled back."""
    yield from _session_app(_joinable, rolled_back=True)


@pytest.fixture(scope="session")
def _committed_app(_joinable):
    """A second app, with the engine settings the app really runs with, for committing tests."""
    yield from _session_app(_joinable, rolled_back=False)


@pytest.fixture
def app(request):
    """The shared app; the test's database work is rolled back, its config changes undone.

    Tests marked `committed` get an app whose commits are real, and empty tables afterwards.
    """
    committed = request.node.get_closest_marker("committed") is not None
    if committed and isolation.JoinedSession.test_connection is not None:
        pytest.fail("a committed test cannot run while module_rollback holds a transaction "
                    "open (SQLite would lock): run it before the module's rolled-back data")
    app = request.getfixturevalue("_committed_app" if committed else "_app")
    config = dict(app.config)
    app.extensions["mail_outbox"] = []
    app.extensions["memos"] = {}  # kept results start afresh, as in a new server
    try:
        if committed:
            # From empty tables with their ids restarted, as a fresh database would be: on
            # PostgreSQL the rolled-back tests before it still used up sequence numbers.
            isolation.empty_every_table(app)
            yield app
        else:
            with isolation.rolled_back(app):
                yield app
    finally:
        if committed:
            isolation.empty_every_table(app)
        app.config.clear()
        app.config.update(config)
        with app.app_context():
            limiter.reset()  # sign-in throttles count per test, not across the session


@pytest.fixture(scope="module")
def module_rollback(_app):
    """The shared app in a transaction held for the whole module, for data a module builds
    once (e.g. the demo); each test nests inside it and only its own changes roll back."""
    with isolation.rolled_back(_app):
        yield _app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class World:
    """A small known world, as ids: one collaborative with a regional network and two sites."""

    collaborative: int
    network: int
    site_a: int
    site_b: int
    member_a: int
    lead_a: int
    member_b: int
    lead_b: int
    faculty: int
    partner: int
    admin: int
    emails: dict[str, str]
    tokens: dict[str, str]


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        collab = f.make_collaborative("Test DrEaMing")
        network = f.make_collaborative("Test North", parent_id=collab.id)
        site_a = f.make_site(collab, "Alpha Hospital", network_id=network.id)
        site_b = f.make_site(collab, "Beta Hospital", network_id=network.id)
        # One flush for all the people: the world is built for most tests, so it must be cheap.
        person = functools.partial(f.make_user, flush=False)
        users = {
            "member_a": person(site=site_a, email="member.a@example.org", name="Amy Nurse"),
            "lead_a": person(site=site_a, role="site_lead", email="lead.a@example.org",
                             name="Leo Lead"),
            "member_b": person(site=site_b, email="member.b@example.org", name="Bea Physio"),
            "lead_b": person(site=site_b, role="site_lead", email="lead.b@example.org"),
            "faculty": person(role="faculty", collaborative=collab, email="faculty@example.org",
                              name="Fay Faculty"),
            "partner": person(role="partner", collaborative=collab, email="partner@example.org",
                              name="Pat Partner"),
            "admin": person(role="admin", email="admin@example.org", name="Ada Admin"),
        }
        db.session.flush()
        # Read before the commit, which expires every object (a reload per object after it).
        known = World(
            collaborative=collab.id, network=network.id, site_a=site_a.id, site_b=site_b.id,
            emails={k: u.email for k, u in users.items()},
            tokens={k: u.session_token for k, u in users.items()},
            **{k: u.id for k, u in users.items()},
        )
        db.session.commit()
        return known


@pytest.fixture
def login(app, world):
    """login("member_a") -> a test client signed in as that world user."""

    def _login(who: str):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = world.tokens[who]
            session["_fresh"] = True
        return client

    return _login


@pytest.fixture
def outbox(app):
    """Emails sent during the test."""
    return app.extensions.setdefault("mail_outbox", [])


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ... ; counter.count is the number of SQL statements,
    counter.statements their text."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        counter = type("Counter", (), {"count": 0, "statements": []})()

        def _on_execute(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(isolation.SCAFFOLDING):
                counter.count += 1
                counter.statements.append(statement)

        with app.app_context():
            engine = db.engine
        checked = app.config["CHECK_KEPT"]
        app.config["CHECK_KEPT"] = False  # a kept result made again for the check: not counted
        sa.event.listen(engine, "before_cursor_execute", _on_execute)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", _on_execute)
            app.config["CHECK_KEPT"] = checked

    return _count
