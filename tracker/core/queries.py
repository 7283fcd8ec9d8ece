"""Shared query builders: each returns a Select scoped in SQL to what a user may see."""

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import Select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import Join
from sqlalchemy.sql.visitors import InternalTraversal

from ..extensions import db
from ..models import Collaborative, Site, User


class Reader(NamedTuple):
    """A user as the visibility rules read them (`is_admin`, `collaborative_ids`, `site_ids`),
    with the ids as parameters: a statement built for a `reader(is_admin)` can be made once
    and kept (core.memo), then run for any user with `reader_params(user)`. Building a large
    statement anew is much of some pages' time."""

    is_admin: bool
    collaborative_ids: sa.BindParameter
    site_ids: sa.BindParameter


_COLLABORATIVES = sa.bindparam("reader_collaboratives", expanding=True)
_SITES = sa.bindparam("reader_sites", expanding=True)


def reader(is_admin: bool) -> Reader:
    return Reader(is_admin, _COLLABORATIVES, _SITES)


def reader_params(user: User) -> dict[str, list[int]]:
    """The parameters of a statement built for a `reader`, for this user."""
    return {"reader_collaboratives": sorted(user.collaborative_ids),
            "reader_sites": sorted(user.site_ids)}


def reader_key(user: User) -> tuple[bool, tuple[int, ...], tuple[int, ...]]:
    """What the visibility rules read of a user, as a key for what is kept for every reader
    with the same: whether an admin, their collaboratives, their sites."""
    return (user.is_admin, tuple(sorted(user.collaborative_ids)), tuple(sorted(user.site_ids)))


def sites_visible_to(user: User, *, include_archived: bool = False) -> Select:
    """Sites in the collaboratives the user belongs to (every site for an admin).

    Archived sites leave the pickers and the directory, but their work stays readable, so the
    filters of lists over that work (cycles, ideas, search) ask for them with include_archived."""
    query = db.select(Site).order_by(Site.name)
    if not include_archived:
        query = query.where(Site.archived_at.is_(None))
    if not user.is_admin:
        query = query.where(Site.collaborative_id.in_(user.collaborative_ids))
    return query


def faculty_sites(user: User, network_id: int | None = None):
    """A condition on Site: the sites whose work `user` supports as faculty (every one for an
    admin; a regional faculty member only their network's), narrowed to one network when
    asked. None: no condition."""
    reach = user.faculty_reach
    condition = None
    if reach is not None:
        national, regional = reach
        condition = Site.collaborative_id.in_(national) | Site.network_id.in_(regional)
    if network_id is not None:
        one = Site.network_id == network_id
        condition = one if condition is None else condition & one
    return condition


def networks_of(user: User) -> Select:
    """The regional networks of the collaboratives the user belongs to (every one for an
    admin), archived ones too (their work stays readable), by name."""
    query = db.select(Collaborative).where(Collaborative.parent_id.is_not(None))
    if not user.is_admin:
        query = query.where(Collaborative.parent_id.in_(user.collaborative_ids))
    return query.order_by(Collaborative.name)


def collaboratives_of(user: User) -> Select:
    """The national collaboratives the user belongs to."""
    query = db.select(Collaborative).where(Collaborative.parent_id.is_(None),
                                           Collaborative.archived_at.is_(None))
    if not user.is_admin:
        query = query.where(Collaborative.id.in_(user.collaborative_ids))
    return query.order_by(Collaborative.name)


def rows_first(columns: tuple, *where, newest: int | None = None) -> sa.CTE:
    """The `columns` of the rows meeting `where` (a span on an indexed column first), read
    once on their own (a materialized common table expression) before any join: left to
    plan the join, SQLite starts from the sites' cycles and walks their whole history.
    `newest`: only that many rows, the latest by the first column (indexed), so the cost
    stays the same however busy the span."""
    select = db.select(*columns).where(*where)
    if newest is not None:
        select = select.order_by(columns[0].desc()).limit(written_limit(newest))
    return select.cte().prefix_with("MATERIALIZED")


def written_limit(n: int) -> sa.BindParameter:
    """A LIMIT written into the SQL rather than bound: SQLite stops an indexed walk at a
    written limit but, given `LIMIT ?` in a materialized CTE, reads the whole range first (the
    activity feed's fortnight of revisions: 20 ms for 1,400 rows, 1 ms written)."""
    return sa.bindparam(None, n, type_=sa.Integer, literal_execute=True)


class LeadingJoin(Join):
    """An inner join whose left side SQLite reads first: its CROSS JOIN, which its planner never
    reorders. For where the statistics mislead it (the cycles list at 1,500 sites: from the
    sites, it sorted 300,000 cycles for a page of 20; from the cycles' updated_at index, it
    reads the page's rows). Other databases plan it as any join."""

    inherit_cache = True


@compiles(LeadingJoin)
def _compile_join(join, compiler, **kw) -> str:
    return compiler.visit_join(join, **kw)


@compiles(LeadingJoin, "sqlite")
def _compile_leading_join(join, compiler, **kw) -> str:
    return compiler.visit_join(join, **kw).replace(" JOIN ", " CROSS JOIN ", 1)


class Unindexed(sa.sql.expression.ColumnElement):
    """A column that SQLite must not look up by its index: its documented way to say so, a
    unary `+` (a no-op on any value). For where a range on an indexed column looks cheaper to
    its planner than the join that narrows to a few rows (the feedback a site's team gave: it
    read all the collaborative's feedback since the date instead of each member's). Other
    databases read the plain column."""

    inherit_cache = True
    # The wrapped column is part of the statement's cache key: without it, SQLAlchemy could
    # not cache any statement holding one (it compiled them afresh on every request).
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column) -> None:
        self.column = column
        self.type = column.type


@compiles(Unindexed)
def _compile_unindexed(element, compiler, **kw) -> str:
    return compiler.process(element.column, **kw)


@compiles(Unindexed, "sqlite")
def _compile_unindexed_sqlite(element, compiler, **kw) -> str:
    return "+" + compiler.process(element.column, **kw)


class whole_days(sa.sql.functions.FunctionElement):
    """whole_days(later, earlier): the whole days from one time or date to another, as Python's
    `(later - earlier).days` counts them, to the microsecond. For rankings done by the
    database."""

    name = "whole_days"
    type = sa.Integer()
    inherit_cache = True


@compiles(whole_days)
def _compile_whole_days(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return (f"CAST(floor(extract(epoch FROM (CAST({later} AS TIMESTAMP) - "
            f"CAST({earlier} AS TIMESTAMP))) / 86400) AS INTEGER)")


@compiles(whole_days, "sqlite")
def _compile_whole_days_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps a time as text, "YYYY-MM-DD HH:MM:SS.ffffff" as SQLAlchemy writes it (a
    # date without the time): its whole seconds from strftime, its microseconds read from
    # the text, and the division floored as Python's is.
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)

    def micro(time: str) -> str:
        return f"CAST(substr({time}, 21, 6) AS INTEGER)"

    span = (f"((CAST(strftime('%s', {later}) AS INTEGER) - "
            f"CAST(strftime('%s', {earlier}) AS INTEGER)) * 1000000 + "
            f"{micro(later)} - {micro(earlier)})")
    day = 86400 * 1000000
    return f"(({span} / {day}) - ({span} < 0 AND {span} % {day} != 0))"


class greatest(sa.sql.functions.FunctionElement):
    """The greatest of several values, none of them NULL (SQLite's max() of several
    arguments; PostgreSQL's greatest())."""

    name = "greatest"
    type = sa.Integer()
    inherit_cache = True


@compiles(greatest)
def _compile_greatest(element, compiler, **kw) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _compile_greatest_sqlite(element, compiler, **kw) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"
