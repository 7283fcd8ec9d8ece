"""Fixtures: a fresh app per test on the engine DATABASE_URL names (SQLite when unset)."""

import os
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from config import TestConfig
from tests import factories as f
from tracker import create_app
from tracker.extensions import db
from tracker.search import engine as _search_engine  # noqa: F401  (its DDL hooks)


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


def make_config(url: str, **settings) -> type:
    return type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **settings})


@pytest.fixture
def app(_schema):
    """A fresh app; every table is emptied after the test."""
    app = create_app(make_config(_schema))
    yield app
    with app.app_context():
        db.session.remove()
        tables = db.metadata.sorted_tables
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    conn.execute(table.delete())
        db.engine.dispose()


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
        users = {
            "member_a": f.make_user(site=site_a, email="member.a@example.org", name="Amy Nurse"),
            "lead_a": f.make_user(site=site_a, role="site_lead", email="lead.a@example.org",
                                  name="Leo Lead"),
            "member_b": f.make_user(site=site_b, email="member.b@example.org", name="Bea Physio"),
            "lead_b": f.make_user(site=site_b, role="site_lead", email="lead.b@example.org"),
            "faculty": f.make_user(role="faculty", collaborative=collab,
                                   email="faculty@example.org", name="Fay Faculty"),
            "partner": f.make_user(role="partner", collaborative=collab,
                                   email="partner@example.org", name="Pat Partner"),
            "admin": f.make_user(role="admin", email="admin@example.org", name="Ada Admin"),
        }
        db.session.commit()
        return World(
            collaborative=collab.id, network=network.id, site_a=site_a.id, site_b=site_b.id,
            emails={k: u.email for k, u in users.items()},
            tokens={k: u.session_token for k, u in users.items()},
            **{k: u.id for k, u in users.items()},
        )


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
    """with count_queries() as counter: ... ; counter.count is the number of SQL statements."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        counter = type("Counter", (), {"count": 0})()

        def _on_execute(*args, **kwargs):
            counter.count += 1

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", _on_execute)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", _on_execute)

    return _count
