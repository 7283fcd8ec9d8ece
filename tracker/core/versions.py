"""The data's version: a number that every committed write changes, shared by every app server
and worker through the database, under which results read from much of the data at once (a
faculty dashboard over every site) are kept (core.memo.kept).

How it moves: an engine event notes on the connection that it ran an INSERT, UPDATE or DELETE
(whatever sent it: a flush, a Core statement, plain SQL); the session, about to commit, sets the
one row of `data_version` to a new random number in the same transaction. So the version and
the data it names are committed together or not at all, and a rolled-back write changes
neither. Random, not counted up: two states of the data never share a number, even after a
database is restored from a backup (it brings back its own number with its own data).

How it is read (`current`): once per transaction, before the data, so whatever is read after
it is at least as new as the version says (PostgreSQL's READ COMMITTED sees later commits too:
a result may be newer than its key, never older). A transaction that has written and not yet
committed gets None: what it reads is not yet anyone's, and nothing is kept from it.

Bookkeeping that no kept result shows (when someone signed in or last looked at their
dashboard, a token's last use, a sign-in's audit, notifications read and emailed) is written
`unshown`: it leaves the version as it was. Every dashboard visit moved it before, so whatever
was kept lasted only until anyone, anywhere, opened their dashboard.

Sites' own versions: a site's own pages (its team's dashboard sections, a measure's page at
it, its storyboard) show little but its own data, and at national scale some site writes
every few seconds: under the one version they were made again after every write anywhere. A
write also notes which sites' pages show what it wrote (core.shown_at: ORM rows by what they
are, a cycle's sites read once at the commit, Core statements by the `at_sites` block they
run in); the commit moves those sites' versions, or, for anything not placed, the `shared`
version that every site's pages are kept under too (`kept_at_sites`).

The cost: one UPDATE of one row per committing write (concurrent writers queue on it for the
moment between it and their commit, taken last so it never waits on anything else), and one
primary-key read per request that keeps something. Any write anywhere makes a new version,
so a kept result lasts as long as the data stands still: between a collaborative's bursts of
work, and every time a faculty member reloads a page nobody has changed since.
"""

import contextlib
import functools
import re
import secrets
from collections.abc import Callable, Hashable, Iterable, Iterator
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import utcnow
from ..models.versions import ONLY_ROW, DataVersion, SiteVersion
from . import shown_at
from .memo import kept

T = TypeVar("T")

WROTE = "tracker_wrote"  # in a connection's info: it ran a write since its last commit
_AT_SAVEPOINT = "tracker_wrote_at"  # in a connection's info: WROTE as each open savepoint began
_READ = "tracker_data_version"  # in a session's info: the version this transaction read
# In a session's info: the shared version this transaction read (None: the data's version had
# moved by then, nothing may be kept under it), and the sites' (site id: version).
_READ_SHARED = "tracker_shared_version"
_READ_SITES = "tracker_site_versions"
# In a connection's info: what its writes since the last commit showed (core.shown_at):
_SITES = "tracker_wrote_sites"  # these sites' pages
_SHARED = "tracker_wrote_shared"  # something not placed: every site's
_CYCLES = "tracker_wrote_cycles"  # these cycles' sites' pages (read at the commit)
_FLUSHING = "tracker_flushing"  # a flush's statements: placed by its objects as it ends
_AT_SITES = "tracker_at_sites"  # the open at_sites blocks' sites, innermost last
_PLACED = (WROTE, _SITES, _SHARED, _CYCLES)
_WRITE = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|REPLACE|MERGE)\b", re.IGNORECASE)
_WITH = re.compile(r"\s*WITH\b", re.IGNORECASE)
_WRITES_WITHIN = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b")  # in upper case
_MOVE = f"UPDATE data_version SET n = {{}} WHERE id = {ONLY_ROW}"
_MOVE_SHARED = f"UPDATE data_version SET n = {{}}, shared = {{}} WHERE id = {ONLY_ROW}"
# (The same upsert on PostgreSQL and SQLite.)
_MOVE_SITES = ("INSERT INTO site_version (site_id, n) VALUES {} "
               "ON CONFLICT (site_id) DO UPDATE SET n = excluded.n")


def current() -> int | None:
    """The data's version as this transaction sees it; None when nothing may be kept: the
    transaction has written and not committed, or the database has no version row."""
    session = db.session
    if _READ not in session.info:
        session.info[_READ] = session.execute(
            sa.select(DataVersion.n).where(DataVersion.id == ONLY_ROW)).scalar()
    session.flush()  # anything pending is written now, and counts as written
    if session.connection().info.get(WROTE):
        return None
    return session.info[_READ]


_current = current  # (site_versions' own reference: bench/app.py replaces `current` alone)


# The version as a column, to be read in the same statement as other rows (the signed-in user:
# core.web.load_user): one statement sees one snapshot, so what it reads beside the version is
# of the same data, and `current` need not read it again (`read_with`).
VERSION = sa.select(DataVersion.n).where(DataVersion.id == ONLY_ROW).scalar_subquery()
SHARED = sa.select(DataVersion.shared).where(DataVersion.id == ONLY_ROW).scalar_subquery()


def site_version(site_id) -> sa.ColumnElement:
    """The version of the site `site_id` (a column), 0 if it has none yet."""
    return sa.func.coalesce(sa.select(SiteVersion.n).where(SiteVersion.site_id == site_id)
                            .scalar_subquery(), 0)


def read_with(version: int | None, shared: int | None = None,
              sites: dict[int, int | None] | None = None) -> None:
    """Note the versions a statement read beside other rows (its VERSION and SHARED columns,
    `site_version` of some sites), unless this transaction read them already: whatever is
    read after them is at least as new."""
    info = db.session.info
    if _READ in info:
        return
    info[_READ] = version
    if shared is not None:
        info[_READ_SHARED] = shared
        info[_READ_SITES] = {s: n for s, n in (sites or {}).items() if n is not None}


def kept_until_written(name: str, size: int, key: Hashable, make: Callable[[], T], *,
                       packed: bool = False) -> T:
    """`make()`, kept (core.memo.kept) under `key` and the data's version: made again once
    anything is written. `key` names everything else the result depends on: the reader, the
    request's arguments, the minute it is made in (`this_minute`)."""
    version = current() if _read_first(name) else None
    return _checked(name, size, None if version is None else (version, key), make, packed)


def kept_at_sites(name: str, size: int, site_ids: Iterable[int], key: Hashable,
                  make: Callable[[], T], *, packed: bool = False) -> T:
    """`make()`, kept (core.memo.kept) under `key`, the shared version and these sites'
    versions: made again once anything these sites' own pages show is written (core.shown_at
    says what that is). For a part of a site's pages that shows nothing else. The view reads
    the data's version first (version_first): see `site_versions`."""
    version = site_versions(site_ids) if _read_first(name) else None
    return _checked(name, size, None if version is None else (version, key), make, packed)


def _read_first(name: str) -> bool:
    """Whether a request keeping `name` read the versions before anything else (its view is
    `version_first`). A kept result is made of rows the view loaded itself (the user, their
    sites, the object shown): read before the version, they could be older than its key.
    Such a view is a mistake the tests must catch; a server that meets one keeps nothing
    rather than risk it. (Outside a request, a job or a command reads what it keeps after.)"""
    if not has_request_context() or g.get("tracker_version_first"):
        return True
    if current_app.testing:
        raise RuntimeError(f"{request.endpoint} keeps {name}: decorate it with "
                           "versions.version_first")
    current_app.logger.warning("%s keeps %s without version_first: not kept",
                               request.endpoint, name)
    return False


def site_versions(site_ids: Iterable[int]) -> Hashable | None:
    """The shared version and these sites' (0 for a site never written since they began), as
    this transaction sees them; None when nothing may be kept. Read once per transaction and
    site, with the data's version in the same statement: if that has moved since the
    transaction first read it (another commit in between, on PostgreSQL), what was loaded
    before, the user and their sites, may be older than these versions, and nothing is
    kept."""
    if _current() is None:
        return None
    info = db.session.info
    known = info.setdefault(_READ_SITES, {})
    wanted = sorted(set(site_ids))
    missing = [s for s in wanted if s not in known]
    if missing or _READ_SHARED not in info:
        rows = db.session.execute(_SITE_VERSIONS, {"sites": missing}).all()
        info[_READ_SHARED] = rows[0].shared if rows[0].n == info[_READ] else None
        known.update({s: 0 for s in missing})
        known.update({row.site_id: row.site_n for row in rows if row.site_id is not None})
    shared = info[_READ_SHARED]
    return None if shared is None else (shared, tuple((s, known[s]) for s in wanted))


_SITE_VERSIONS = (
    sa.select(DataVersion.n, DataVersion.shared, SiteVersion.site_id,
              SiteVersion.n.label("site_n"))
    .outerjoin(SiteVersion, SiteVersion.site_id.in_(sa.bindparam("sites", expanding=True)))
    .where(DataVersion.id == ONLY_ROW))


@contextlib.contextmanager
def at_sites(site_ids: Iterable[int], session: Session | None = None) -> Iterator[None]:
    """Core statements in this block (on `session`'s connection, the app's by default) write
    what only these sites' own pages show (none, if empty): they move only these sites'
    versions (core.shown_at). Outside any such block a Core write moves the shared version;
    the ORM's writes are placed by their objects."""
    stack = (session or db.session).connection().info.setdefault(_AT_SITES, [])
    stack.append(frozenset(site_ids))
    try:
        yield
    finally:
        stack.pop()


def _checked(name: str, size: int, key: Hashable | None, make: Callable[[], T],
             packed: bool) -> T:
    """kept(...); with CHECK_KEPT set (a test run), a kept result is made again and must be
    the same: a key or a version that missed what the result depends on fails there."""
    if not (key is not None and current_app.config.get("CHECK_KEPT")):
        return kept(name, size, key, make, packed=packed)
    made: list[T] = []
    found = kept(name, size, key, lambda: made.append(make()) or made[-1], packed=packed)
    if not made and make() != found:
        raise AssertionError(f"{name}: the kept result differs from one made now")
    return found


@contextlib.contextmanager
def unshown() -> Iterator[None]:
    """Writes made in this block leave the data's version as it was: for bookkeeping that no
    kept result shows (a sign-in's time and audit, a dashboard's last look, a token's last
    use, notifications read, an email's claim and sending). Whatever was pending before is
    written first and moves the version at the commit as usual; the block is written as it
    ends. Only such bookkeeping goes in it: anything else written here would be missing from
    what was kept. (If the block fails, its writes count.)"""
    session = db.session
    session.flush()
    conn = session.connection()
    before = {name: conn.info.get(name) for name in _PLACED}
    before[_SITES], before[_CYCLES] = set(before[_SITES] or ()), set(before[_CYCLES] or ())
    yield
    session.flush()
    conn.info.update(before)


BODIES_KEPT = 100  # per app process and page: 5-10 kB each, packed (at most ~5 MB for all five)
_TOKEN_HERE = secrets.token_hex(16)  # stands for it in a kept body: no one can type it


def version_first(view: Callable[..., T]) -> Callable[..., T]:
    """A view that keeps what it draws from rows it loaded itself (`kept_body`, a site's name)
    reads the data's version before anything else: with the signed-in user, in the login
    loader's one statement (`read_with`: the same snapshot), or alone when no one is signed
    in. What it reads afterwards is at least as new. (Read later, an object loaded before it,
    the user's roles or a site's name, could be older than the version the body is kept
    under.) Goes between the route and login_required."""
    @functools.wraps(view)
    def reading_the_version_first(*args, **kwargs):
        current_user.is_authenticated  # noqa: B018 - loads the user, and the version with them
        current()
        g.tracker_version_first = True  # (kept_body checks it)
        return view(*args, **kwargs)

    return reading_the_version_first


def kept_body(name: str, now: datetime, make: Callable[[], str], *,
              reader: Hashable | None = None, sites: Iterable[int] | None = None) -> Markup:
    """A page's body as `make` renders it, kept for this reader, path and arguments until the
    data changes or the minute ends: for the reports that read and print every site's figures
    and are asked for again and again while nothing has changed. The body may hold forms: their
    token is put in for each request (a kept one is another session's).

    `reader`: for a body that shows nothing of its reader but what they may see and do there,
    those (their permissions, the site shown): everyone with the same shares it. By default
    the body is the reader's own.

    `sites`: for a body that shows nothing but these sites' own data and what is shared (core.
    shown_at), kept under their versions (kept_at_sites): other sites' writes leave it kept."""
    if not _read_first(name):
        return Markup(make())
    who = ("user", getattr(current_user, "id", None)) if reader is None else ("as", reader)
    # The arguments in the address's order: of one given twice, a page may read the first.
    key = (who, request.path, tuple(request.args.items(multi=True)), this_minute(now))

    def made() -> str:
        field = current_app.config["WTF_CSRF_FIELD_NAME"]  # (Flask-WTF's default set)
        real = g.pop(field, None)
        setattr(g, field, _TOKEN_HERE)  # every token rendered in it (generate_csrf reads g)
        try:
            return make()
        finally:
            g.pop(field, None)
            if real is not None:
                setattr(g, field, real)

    body = (kept_until_written(name, BODIES_KEPT, key, made, packed=True) if sites is None
            else kept_at_sites(name, BODIES_KEPT, sites, key, made, packed=True))
    return Markup(body.replace(_TOKEN_HERE, generate_csrf()) if _TOKEN_HERE in body else body)


def this_minute(now: datetime | None = None) -> datetime:
    """Now (or `now`) to the minute: a key part for a result that counts days or weeks to the
    time it is made. It is made again each minute (and after each write), not for every
    request, and is never more than a minute behind the clock."""
    return (now or utcnow()).replace(second=0, microsecond=0)


def _noted(conn, cursor, statement: str, parameters, context, executemany) -> None:
    if _writes(statement, context):
        info = conn.info
        info[WROTE] = True
        flushing = info.get(_FLUSHING)
        # (A flush under way has its transaction; one that found nothing to write never got
        # one, and ended without _placed: not this statement's.)
        if flushing is not None and getattr(flushing, "transaction", None) is not None:
            return  # placed by the flush's objects (_placed)
        stack = info.get(_AT_SITES)
        if stack:
            info.setdefault(_SITES, set()).update(stack[-1])
        else:
            info[_SHARED] = True


def _flushing(session: Session, flush_context, instances) -> None:
    # Cleared by _placed as the flush ends, or by the rollback of a flush that failed.
    session.connection().info[_FLUSHING] = flush_context


def _placed(session: Session, flush_context) -> None:
    """As a flush ends (its objects still as they were before it): the sites whose pages
    show what it wrote. First of the after_flush hooks: what they write is not the flush's."""
    info = session.connection().info
    info.pop(_FLUSHING, None)
    if info.get(_SHARED):
        return
    written = [*session.new, *session.deleted,
               *(o for o in session.dirty if session.is_modified(o))]
    found = shown_at.placed(written)
    if found is shown_at.SHARED:
        info[_SHARED] = True
    else:
        info.setdefault(_SITES, set()).update(found[0])
        info.setdefault(_CYCLES, set()).update(found[1])


def _writes(statement: str, context) -> bool:
    """Whether a statement writes: as SQLAlchemy compiled it (a write itself, or a SELECT from
    a writing CTE), else (plain SQL) by its first word, or any word of a WITH. (A search of a
    long SELECT's text for those words cost a third of a millisecond per statement.)"""
    compiled = getattr(context, "compiled", None)
    if compiled is not None and not isinstance(compiled.statement, sa.TextClause):
        return bool(context.isinsert or context.isupdate or context.isdelete
                    or any(cte.element.is_dml for cte in getattr(compiled, "ctes", None) or ()))
    return bool(_WRITE.match(statement) or (
        _WITH.match(statement) and _WRITES_WITHIN.search(statement.upper())))


def _forgotten(conn) -> None:
    for name in (*_PLACED, _AT_SAVEPOINT, _FLUSHING):
        conn.info.pop(name, None)


def _savepoint(conn, name) -> None:
    # (SQLAlchemy names the savepoint after this event: they nest, so a stack of states.)
    conn.info.setdefault(_AT_SAVEPOINT, []).append(conn.info.get(WROTE, False))


def _back_to_savepoint(conn, name, context) -> None:
    # What was written since the savepoint is undone: written or not, as it was then.
    states = conn.info.get(_AT_SAVEPOINT)
    conn.info[WROTE] = states.pop() if states else True
    conn.info.pop(_FLUSHING, None)  # (a flush that failed at the savepoint)


def _savepoint_released(conn, name, context) -> None:
    states = conn.info.get(_AT_SAVEPOINT)
    if states:
        states.pop()


def _move(session: Session) -> None:
    """Before a commit: if the transaction wrote, give the data a new version with it. Not
    at a savepoint's (begin_nested) release: the row would be held from then on to the real
    commit, and taken before other locks."""
    if not session.in_transaction() or session.in_nested_transaction():
        return
    session.flush()  # what is still pending is written now, with the version after it
    conn = session.connection()
    if conn.info.get(WROTE):
        sites = set(conn.info.get(_SITES) or ())
        if (cycles := conn.info.get(_CYCLES)) and not conn.info.get(_SHARED):
            # The cycles' sites once per commit, not per flush.
            shown = shown_at.cycles_shown(conn, cycles)
            if shown is shown_at.SHARED:
                conn.info[_SHARED] = True
            else:
                sites |= shown
        if conn.info.get(_SHARED):
            conn.exec_driver_sql(_MOVE_SHARED.format(secrets.randbits(62),
                                                     secrets.randbits(62)))
        else:
            conn.exec_driver_sql(_MOVE.format(secrets.randbits(62)))
            if sites:  # (in order: two commits never hold each other's rows)
                conn.exec_driver_sql(_MOVE_SITES.format(", ".join(
                    f"({int(s)}, {secrets.randbits(62)})" for s in sorted(sites))))
        for name in _PLACED:
            conn.info.pop(name, None)


def move(conn) -> None:
    """Give the data a new version on `conn`, in its transaction: for writes made outside the
    app's sessions, which the commit hook never sees (a migration's, on alembic's connection;
    `flask data-changed` after an edit in psql). A database without the table is left alone."""
    if sa.inspect(conn).has_table(DataVersion.__tablename__):
        shared = sa.inspect(conn).has_table(SiteVersion.__tablename__)  # (a migration's own)
        conn.exec_driver_sql((_MOVE_SHARED if shared else _MOVE).format(
            secrets.randbits(62), secrets.randbits(62)))


def _read_afresh(session: Session, transaction) -> None:
    if transaction.parent is None:  # the session's own transaction ended, however it ended
        for name in (_READ, _READ_SHARED, _READ_SITES):
            session.info.pop(name, None)


def init_app(app: Flask) -> None:
    """Note writes on the app's engine, and move the version at each session's commit.
    Registered after the derived tables' hooks (create_app): their commit hooks write too."""
    with app.app_context():
        engine = db.engine
    for name, hook in (("after_cursor_execute", _noted), ("commit", _forgotten),
                       ("rollback", _forgotten), ("savepoint", _savepoint),
                       ("rollback_savepoint", _back_to_savepoint),
                       ("release_savepoint", _savepoint_released)):
        if not event.contains(engine, name, hook):
            event.listen(engine, name, hook)
    for name, hook in (("before_commit", _move), ("after_transaction_end", _read_afresh),
                       ("before_flush", _flushing)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
    if not event.contains(Session, "after_flush", _placed):
        event.listen(Session, "after_flush", _placed, insert=True)
