"""One way to page a list everywhere: Flask-SQLAlchemy's Pagination, for queries and for
results another engine has already fetched, drawn by bootstrap-flask's render_pagination."""

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from ..extensions import db
from .args import arg_int

# Deeper pages are never useful, and a huge ?page= must not become a huge OFFSET.
MAX_PAGE = 10_000


def page_number(args: Mapping) -> int:
    """The ?page= asked for, from 1 to MAX_PAGE (anything else reads as page 1)."""
    return arg_int(args, "page", 1, low=1, high=MAX_PAGE)


def paginate(query: Select, args: Mapping, *, per_page: int, rows: bool = False,
             counted: Select | None = None) -> Pagination:
    """One page of `query` (its rows as tuples with rows=True, else its first column).
    `counted`, if given, is a cheaper query with the same rows, to count them."""
    return QueryPage(query, rows=rows, page=page_number(args), per_page=per_page,
                     counted=counted)


class QueryPage(Pagination):
    """A page of a Select: two queries, the page's items and the total."""

    def __init__(self, query: Select, *, rows: bool, page: int, per_page: int,
                 counted: Select | None = None) -> None:
        self._select, self._rows = query, rows
        self._counted = query if counted is None else counted
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list:
        result = db.session.execute(
            self._select.limit(self.per_page).offset(self._query_offset)).unique()
        return list(result.all() if self._rows else result.scalars())

    def _query_count(self) -> int:
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
