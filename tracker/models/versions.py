"""The data's version: one row that every committed write changes (tracker/core/versions.py)."""

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

    def __repr__(self) -> str:
        return f"<DataVersion {self.n}>"


@sa.event.listens_for(DataVersion.__table__, "after_create")
def _first_row(table, connection, **kw) -> None:
    # A schema made from the models (tests) has the row, as the migration gives a database;
    # a random start, as each write sets, so that no two databases share a number.
    connection.execute(table.insert().values(id=ONLY_ROW, n=secrets.randbits(62)))
