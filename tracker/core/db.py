"""What the database needs whatever the feature: SQLite pragmas, and row locks."""

import sqlite3

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..extensions import db
from .versions import at_sites


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    # Foreign keys are off by default in SQLite; WAL plus a busy timeout let two gunicorn
    # workers write without "database is locked".
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def hold_tables(*models) -> None:
    """Keep other writers out of these models' tables until the transaction ends (readers go
    on): for recomputing derived tables whole while the app runs. Without it, on PostgreSQL, a
    save that refreshes its own rows meanwhile (a delete, then an insert) waits on the rows
    the rebuild deleted, then misses the ones it inserted, and its insert fails on their keys:
    the save is lost. A table lock (SHARE ROW EXCLUSIVE: it conflicts with every write and
    with itself) makes the save wait for the commit and then see it. SQLite has one write
    lock for the whole database, taken by the transaction's first write and held to its end:
    a rebuild that begins by writing holds it already, so there is nothing to do."""
    if db.engine.dialect.name != "postgresql":
        return
    quote = db.engine.dialect.identifier_preparer.format_table
    db.session.execute(sa.text(f"LOCK TABLE {', '.join(quote(m.__table__) for m in models)} "
                               "IN SHARE ROW EXCLUSIVE MODE"))


def hold_derived() -> None:
    """Hold every derived table (hold_tables) for recomputing them all, in the order a save's
    commit hooks write them. A table lock is taken a table at a time: in any other order, a
    save that has written the first (a cycle's feedback follow-ups) and waits for the next (its
    site's standing) would wait on the rebuild while the rebuild waits on it, and PostgreSQL
    would end one of them as a deadlock."""
    assert _DERIVED, "no derived tables registered: create_app registers them"
    hold_tables(*_DERIVED)


def refresh_statistics() -> None:
    """Have the database gather fresh statistics on every table (ANALYZE), and commit.
    SQLite never does by itself: without them its plans start some joins from the wrong
    table once the data grows (see analyze_after_bulk). PostgreSQL's autovacuum does it too;
    once more at night costs a second or two."""
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def configure_engine(app: Flask) -> None:
    """PostgreSQL's planner settings for our connections (PG_PLANNER_OPTIONS; empty leaves
    the server's). The default, random_page_cost = 1.1, tells it that reading a row by index
    costs little more than reading on (data on SSDs or in memory, as on any current server;
    PostgreSQL's own default of 4 models spinning disks). With 4 it hashed all 29,000 cycles
    of a national collaborative to join the fortnight's 1,400 changes to them: 49 ms for the
    dashboard's activity feed instead of 7. And max_parallel_workers_per_gather = 0: a page's
    queries are short, and starting parallel workers for one (on a server busy with other
    requests) cost more than it saved: the faculty dashboard's activity heatmap took 35-74 ms
    with two workers, 24-39 ms without."""
    options = app.config.get("PG_PLANNER_OPTIONS")
    if not options or not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        return
    engine = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(engine.get("connect_args") or {})
    setting = " ".join(f"-c {option.strip()}" for option in options.split(",") if option.strip())
    connect_args["options"] = f"{connect_args.get('options', '')} {setting}".strip()
    engine["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine


def init_app(app: Flask) -> None:
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


def lock(column: InstrumentedAttribute, *ids: int) -> None:
    """Hold the rows with these ids until the transaction ends, by setting `column` (one the
    row has, left unchanged) to itself. Re-read the rows afterwards to see the latest save.

    Why lock first: two saves that compare their base version before either writes both pass,
    then write the same next version (a unique-constraint error) or overwrite each other. The
    check must read the row after taking it.
    Why a no-op UPDATE, not SELECT ... FOR UPDATE: the same statement locks on both engines.
    PostgreSQL (READ COMMITTED) makes it wait for another holder's commit, and the re-read, a
    new statement, sees that commit. SQLite ignores FOR UPDATE and lets two readers read the
    same version, but its one write lock is taken by a transaction's first write (pysqlite
    begins transactions there) and held to the end, so the re-read is current too.
    A conditional UPDATE (WHERE version = :expected) would detect the race as well, but each
    verb would then need a reload-and-retry loop. The view's commit, or the rollback at the
    end of the request, releases the lock. Ids are taken in order, so two holders never
    deadlock.
    """
    model = column.class_
    with at_sites(()):  # it changes nothing: no page shows it
        for row_id in sorted(ids):
            db.session.execute(
                sa.update(model).where(model.id == row_id).values({column.key: column})
                .execution_options(synchronize_session=False))


def hold_rows(column: InstrumentedAttribute, *rows, options: tuple = ()) -> None:
    """Hold these loaded rows until the transaction ends (lock, by `column`) and read them
    again, in one query (with `options`, e.g. what to load with them): what the caller checks
    next is what the last commit left, and no one changes it before this commit. Changes to
    them not yet flushed are dropped."""
    if not rows:
        return
    model, ids = column.class_, [row.id for row in rows]
    lock(column, *ids)
    for row in rows:
        db.session.expire(row)
    db.session.scalars(sa.select(model).where(model.id.in_(ids)).options(*options)
                       .execution_options(populate_existing=True)).all()


# A write this large moves the planner's statistics enough to matter (a 10,000-row import is
# a few percent of a national collaborative's measure values).
ANALYZE_AFTER_ROWS = 1000


def analyze_after_bulk(rows: int, *tables: sa.Table) -> None:
    """After a bulk write of `rows` rows, have the database gather fresh statistics on the
    tables it wrote, so that its plans fit the data: PostgreSQL's autovacuum may take minutes
    to notice; SQLite gathers none by itself, and without them it may start a join from the
    wrong table (the dashboard's activity feed read every cycle of the collaborative: 200 ms
    instead of 1). Call after the commit."""
    if rows < ANALYZE_AFTER_ROWS:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE " + ", ".join(t.name for t in tables)))
    else:  # SQLite's ANALYZE takes one name
        for table in tables:
            db.session.execute(sa.text(f"ANALYZE {table.name}"))
    db.session.commit()


# The session.info keys where the derived tables' flush hooks keep what is due.
_DUE_KEYS: set[str] = set()
# The derived tables' models, in the order their commit hooks write them.
_DERIVED: list[type] = []


def _forget_due(session: Session, previous_transaction) -> None:
    """A rollback: nothing marked due is to be recomputed."""
    for key in _DUE_KEYS:
        session.info.pop(key, None)


def keep_derived(models: tuple[type, ...], before_flush, before_commit, *due: str) -> None:
    """Register the session hooks that keep derived tables (`models`, in the order the commit
    hook writes them) current with what they sum up (chart summaries, idea standings, site
    standings, feedback follow-ups): mark what a flush changed due (in session.info, under the
    keys `due`), recompute it before the commit, forget it on a rollback. Once only, however
    many apps are made. The commit hooks run in the order they are first registered (see
    create_app), and so write the derived tables in that order (hold_derived's)."""
    _DUE_KEYS.update(due)
    _DERIVED.extend(m for m in models if m not in _DERIVED)
    for name, hook in (("before_flush", before_flush), ("before_commit", before_commit),
                       ("after_soft_rollback", _forget_due)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


def touches(session: Session, obj, *attributes: str) -> bool:
    """Whether the flush writes `obj` in a way a derived table cares about: added, deleted, or
    one of these attributes changed (marking feedback addressed changes nothing it sums up)."""
    if obj in session.new or obj in session.deleted:
        return True
    state = sa.inspect(obj).attrs
    return any(state[name].history.has_changes() for name in attributes)
