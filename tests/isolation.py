"""How tests keep out of each other's way: a rolled-back transaction, or emptied tables.

Most tests run inside one transaction on one connection that is rolled back afterwards
(SQLAlchemy's "joining a Session into an external transaction" recipe). Every session a test
opens, in its own app contexts or in the requests it makes, joins that connection with a
SAVEPOINT, so a view's `db.session.commit()` releases the savepoint and `rollback()` returns to
it, while nothing ever reaches the database for good. Tests whose data other connections must
see (threads, processes, live servers) commit for real and have every table emptied instead.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy.session import Session
from sqlalchemy.orm import close_all_sessions

from tracker.extensions import db
from tracker.models import DataVersion

# Transaction control the test scaffolding adds; the app itself never sends these.
SCAFFOLDING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN")


class JoinedSession(Session):
    """Flask-SQLAlchemy's session, run on the current test's connection when there is one."""

    # Not `connection`: that name is Session's own method.
    test_connection: ClassVar[sa.Connection | None] = None

    def get_bind(self, *args, **kwargs):
        # Flask-SQLAlchemy 3 picks the app's engine itself and ignores a session's `bind`, so
        # the test connection is handed out here, to every app on the same database.
        joined = JoinedSession.test_connection
        if joined is not None and self._db.engine.url == joined.engine.url:
            return joined
        return super().get_bind(*args, **kwargs)


@contextmanager
def joinable_sessions() -> Iterator[None]:
    """Make `db.session` join a test connection (with a SAVEPOINT) while one is set."""
    factory = db.session.session_factory
    saved_class, saved_kw = factory.class_, dict(factory.kw)
    factory.class_ = JoinedSession
    factory.configure(join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        factory.class_ = saved_class
        factory.kw.clear()
        factory.kw.update(saved_kw)


def emit_our_own_begin(engine: sa.Engine) -> None:
    """Let SQLite run SAVEPOINTs inside the test transaction (for the test engine only).

    Python's sqlite3 starts transactions itself, late, and does not know SAVEPOINT; SQLAlchemy's
    SQLite dialect documentation gives this fix: sqlite3 stays out of it and SQLAlchemy emits
    BEGIN. It changes when a transaction starts, so the app's own engines keep the default.
    """
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection, connection_record) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN")


@contextmanager
def rolled_back(app: Flask) -> Iterator[None]:
    """Run the block in one transaction that every session joins, then roll it all back.

    Inside another such block (data a module builds once for its tests) it nests, as a
    savepoint: the test's changes are undone and the module's data stays for the next test.
    """
    if JoinedSession.test_connection is not None:
        yield from _nested(JoinedSession.test_connection)
        return
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    outer = connection.begin()
    JoinedSession.test_connection = connection
    try:
        yield
    finally:
        JoinedSession.test_connection = None
        # Sessions still open (an app context the test kept) hold savepoints on the connection.
        close_all_sessions()
        outer.rollback()
        connection.close()


def _nested(connection: sa.Connection) -> Iterator[None]:
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        close_all_sessions()
        if savepoint.is_active:
            savepoint.rollback()


def empty_every_table(app: Flask, attempts: int = 5) -> None:
    """Delete what a committing test left, so the next test starts from empty tables.

    TRUNCATE locks its tables one by one, so a request still being answered on another
    connection (a browser's late fetch) can lock them in another order; PostgreSQL then ends
    one of the two as a deadlock. If it ends ours, the other finishes and we try again.
    """
    with app.app_context():
        db.session.remove()
        # The data's version row stays (a committed write changes it, as in a real database):
        # without it nothing would be kept in these tests.
        tables = [t for t in db.metadata.sorted_tables if t is not DataVersion.__table__]
        for attempt in range(attempts):
            try:
                with db.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        names = ", ".join(f'"{t.name}"' for t in tables)
                        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                    else:
                        for table in reversed(tables):
                            conn.execute(table.delete())
                return
            except sa.exc.OperationalError as error:
                deadlock = getattr(error.orig, "sqlstate", None) == "40P01"
                if not deadlock or attempt == attempts - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
