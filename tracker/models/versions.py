"""The data's version: one row that every committed write changes, and a version per site
that moves only with the writes its site's pages show (tracker/core/versions.py)."""

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

ONLY_ROW = 1


class DataVersion(db.Model):
    """The one row (id 1) whose `n` every committed write sets to a new random number, in the
    same transaction: results kept under it are never older than the data (core.versions)."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(sa.BigInteger)
    # Moved by every write not known to concern only some sites' pages (a measure's
    # definition, a person's name, an event): with the site versions, what a site's own
    # pages are kept under (core.versions.kept_at_sites).
    shared: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")

    def __repr__(self) -> str:
        return f"<DataVersion {self.n}>"


@sa.event.listens_for(DataVersion.__table__, "after_create")
def _first_row(table, connection, **kw) -> None:
    # A schema made from the models (tests) has the row, as the migration gives a database;
    # a random start, as each write sets, so that no two databases share a number.
    connection.execute(table.insert().values(id=ONLY_ROW, n=secrets.randbits(62),
                                             shared=secrets.randbits(62)))


class SiteVersion(db.Model):
    """A site's version: set to a new random number by each committed write that shows on
    the site's own pages (its data, and another site's cycle asking it for feedback). No row
    yet reads as 0. A site's pages are kept under its versions and the shared one."""

    __tablename__ = "site_version"

    site_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(sa.BigInteger)

    def __repr__(self) -> str:
        return f"<SiteVersion {self.site_id} {self.n}>"
