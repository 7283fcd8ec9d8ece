"""Fixtures for the scale-out tests: a database of their own, migrated by `flask db upgrade`
(as a deployment is), two running app servers and the people they serve."""

import os
import uuid
from dataclasses import dataclass

import pytest
import redis as redis_lib
import sqlalchemy as sa

from config import TestConfig
from tests import factories as f
from tracker import create_app
from tracker.extensions import db
from tracker.models import Profession

from . import servers as proc


def _database(tmp_path_factory):
    """(url, drop): a new PostgreSQL database beside DATABASE_URL's, or a SQLite file."""
    base = os.environ.get("DATABASE_URL")
    if not base or base.startswith("sqlite"):
        path = tmp_path_factory.mktemp("scaleout") / "shared.sqlite"
        return f"sqlite:///{path}", lambda: None
    name = f"scaleout_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False), drop


@dataclass
class Deployment:
    urls: tuple[str, str]
    env: dict[str, str]
    app: object  # an app in this process on the same database, to look at what was stored


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    url, drop = _database(tmp_path_factory)
    store = redis_lib.Redis.from_url(proc.REDIS_URL)
    store.flushdb()
    env = proc.environment(url)
    proc.flask(env, "db", "upgrade")
    logs = tmp_path_factory.mktemp("scaleout-logs")
    ports = proc.free_port(), proc.free_port()
    running = [proc.start_server(env, port, logs / f"server-{port}.log") for port in ports]
    urls = tuple(f"http://127.0.0.1:{port}" for port in ports)
    app = create_app(type("Look", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    try:
        for base, process, port in zip(urls, running, ports, strict=True):
            proc.wait_until_live(base, process, logs / f"server-{port}.log")
        yield Deployment(urls, env, app)
    finally:
        for process in running:
            proc.stop(process)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        store.flushdb()
        drop()


@pytest.fixture(scope="module")
def people(servers):
    """A site with a nurse, an assistant and a site lead, and one cycle, committed."""
    with servers.app.app_context():
        collaborative = f.make_collaborative("Two-server collaborative")
        site = f.make_site(collaborative, "Shared Hospital")
        nurse = f.make_user(site=site, email="nurse@example.org", name="Nia Nurse")
        hca = f.make_user(site=site, email="hca@example.org", name="Hal Assistant",
                          profession=Profession.HCA)
        lead = f.make_user(site=site, role="site_lead", email="lead@example.org",
                           name="Leo Lead")
        f.make_user(role="admin", email="admin@example.org", name="Ada Admin")
        cycle = f.make_cycle(site, title="Breakfast in the day room", objective="Start")
        db.session.commit()
        return {"nurse": nurse.email, "hca": hca.email, "lead": lead.email,
                "lead_id": lead.id, "cycle": cycle.id, "site": site.id}
