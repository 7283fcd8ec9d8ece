"""One way to page a list everywhere: Flask-SQLAlchemy's Pagination, for queries and for
results another engine has already fetched, drawn by bootstrap-flask's render_pagination."""

import base64
import json
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from ..extensions import db
from .args import arg_int

# Deeper pages are never useful, and a huge ?page= must not become a huge OFFSET.
MAX_PAGE = 10_000


def page_number(args: Mapping, name: str = "page") -> int:
    """The ?page= (or another `name`) asked for, from 1 to MAX_PAGE (anything else reads as
    page 1)."""
    return arg_int(args, name, 1, low=1, high=MAX_PAGE)


def paginate(query: Select, args: Mapping, *, per_page: int, rows: bool = False,
             counted: Select | None = None, total: int | None = None) -> Pagination:
    """One page of `query` (its rows as tuples with rows=True, else its first column).
    `counted`, if given, is a cheaper query with the same rows, to count them; `total`, if
    the caller knows it already, spares the count."""
    return QueryPage(query, rows=rows, page=page_number(args), per_page=per_page,
                     counted=counted, total=total)


def rows_page(query: Select, args: Mapping, *, per_page: int) -> Pagination:
    """The page of `query`'s rows asked for in ?page=, as list_page pages a list, but read
    from the database: the page's rows with their total beside them, in one query (past the
    last page, a query more for the last). For a list the page would otherwise read whole
    just to show a page of it (1,500 sites to show 25)."""
    page = QueryPage(query, rows=True, page=page_number(args), per_page=per_page,
                     windowed=True)
    if page.page > page.pages and page.total:
        page = QueryPage(query, rows=True, page=page.pages, per_page=per_page,
                         total=page.total)
    return page


def list_page(items: Sequence, args: Mapping, *, per_page: int) -> Pagination:
    """The page of `items` (already read) asked for in ?page=; past the last page, the last."""
    pages = max(1, -(-len(items) // per_page))
    number = min(page_number(args), pages)
    start = (number - 1) * per_page
    return ResultPage(items[start:start + per_page], page=number, per_page=per_page,
                      total=len(items))


class QueryPage(Pagination):
    """A page of a Select: two queries, the page's items and the total (one when the total
    is given). `windowed`: one query, the total counted beside each row of the page (a
    window over every row the Select finds): for a Select that must find and sort all its
    rows before it can page them anyway, where counting them apart does the work twice; a
    second query only for a page past the end. Not for a Select with DISTINCT or a joined
    load of a collection: the window counts its rows before they are made unique."""

    def __init__(self, query: Select, *, rows: bool, page: int, per_page: int,
                 counted: Select | None = None, total: int | None = None,
                 windowed: bool = False) -> None:
        self._select, self._rows, self._total = query, rows, total
        self._counted = query if counted is None else counted
        self._windowed = windowed and counted is None and total is None
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list:
        query = self._select.limit(self.per_page).offset(self._query_offset)
        if self._windowed:
            query = query.add_columns(sa.func.count().over().label("_total"))
        result = db.session.execute(query).unique()
        if not self._windowed:
            return list(result.all() if self._rows else result.scalars())
        found = result.all()
        if found:
            self._total = found[0][-1]
        elif self.page == 1:
            self._total = 0
        if not self._rows:
            return [row[0] for row in found]
        # Each row without its total, its columns still read by name.
        shape = namedtuple("Row", list(result.keys())[:-1], rename=True)
        return [shape(*row[:-1]) for row in found]

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        counted = self._counted.order_by(None).subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(counted)) or 0


class ResultPage(Pagination):
    """A page of results fetched elsewhere (e.g. full-text search), with the total known."""

    def __init__(self, items: Sequence, *, page: int, per_page: int, total: int) -> None:
        self._items, self._total = list(items), total
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list:
        return self._items

    def _query_count(self) -> int:
        return self._total


@dataclass(frozen=True)
class SortKey:
    """One column of a keyset order: the SQL expression, its direction, and how to read the
    same value off a loaded row."""

    expression: Any
    descending: bool
    value: Callable[[Any], Any]


class KeysetPage:
    """A page of a long list found by the last row shown (?after=) or the first (?before=),
    never by OFFSET: every page costs what the first does, however deep. No total: the page
    that uses it counts (or caches) its own figures."""

    def __init__(self, query: Select, keys: Sequence[SortKey], args: Mapping, *,
                 per_page: int) -> None:
        self.per_page = per_page
        after, before = _cursor(args.get("after")), _cursor(args.get("before"))
        forward = before is None
        cursor = after if forward else before
        if cursor is not None and len(cursor) == len(keys):
            try:
                query = query.where(_beyond(keys, _typed(keys, cursor), forward))
            except (TypeError, ValueError):
                cursor = None
        else:
            cursor = None
        order = [k.expression.desc() if k.descending == forward else k.expression.asc()
                 for k in keys]
        rows = list(db.session.execute(query.order_by(None).order_by(*order)
                                       .limit(per_page + 1)).unique().scalars())
        more = len(rows) > per_page
        rows = rows[:per_page]
        if not forward:
            rows.reverse()
        self.items = rows
        self.has_next = more if forward else cursor is not None
        self.has_prev = cursor is not None if forward else more
        self.next_cursor = _encode(keys, rows[-1]) if rows and self.has_next else None
        self.prev_cursor = _encode(keys, rows[0]) if rows and self.has_prev else None


def _beyond(keys: Sequence[SortKey], values: list, forward: bool):
    """Rows after (or before) the row whose sort values are `values`, in the keys' order."""
    alternatives = []
    for i, key in enumerate(keys):
        later = key.expression < values[i] if key.descending == forward \
            else key.expression > values[i]
        alternatives.append(sa.and_(*(k.expression == v for k, v in
                                      zip(keys[:i], values[:i], strict=True)), later))
    return sa.or_(*alternatives)


def _encode(keys: Sequence[SortKey], row) -> str:
    values = [k.value(row) for k in keys]
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _cursor(text: str | None) -> list | None:
    if not text or len(text) > 2000:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, list) else None


def _typed(keys: Sequence[SortKey], values: list) -> list:
    """The cursor's values as the keys' types (dates from ISO text); a wrong type raises."""
    typed = []
    for key, value in zip(keys, values, strict=True):
        python_type = key.expression.type.python_type
        if python_type is datetime:
            typed.append(datetime.fromisoformat(value))
        elif python_type is int and isinstance(value, int) and not isinstance(value, bool):
            typed.append(value)
        elif python_type is str and isinstance(value, str):
            typed.append(value)
        else:
            raise TypeError(f"cursor value {value!r} is not a {python_type.__name__}")
    return typed
