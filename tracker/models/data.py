"""Measure data bookkeeping: phase breaks, the change log, ward tallies and file imports."""

from datetime import date, datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .people import User


class PhaseBreak(db.Model):
    """A rebase: from `period_start` a site's chart of a measure starts a new phase.

    A human decision (tracker/spc/SPEC.md §7), usually when a tested change was adopted; the app
    only suggests one. Removing a break keeps the row (soft delete).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    period_start: Mapped[date]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[Optional[datetime]]
    deleted_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))

    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (sa.Index("ix_phase_break_measure_site", "measure_id", "site_id"),)


class MeasureValueChange(db.Model):
    """One change to one period's data: who, when, how (grid, tally, import), old → new.

    Keyed by measure, site and period rather than by the value row, so a cleared value keeps
    its history.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    period_start: Mapped[date]
    old_numerator: Mapped[Optional[int]]
    old_denominator: Mapped[Optional[int]]
    old_value: Mapped[Optional[float]]
    old_note: Mapped[str] = mapped_column(sa.Text, default="")
    new_numerator: Mapped[Optional[int]]
    new_denominator: Mapped[Optional[int]]
    new_value: Mapped[Optional[float]]
    new_note: Mapped[str] = mapped_column(sa.Text, default="")
    source: Mapped[str] = mapped_column(sa.String(20))  # grid, tally, tally_undo, import
    import_batch_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("import_batch.id"))
    changed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"), index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    changed_by: Mapped[Optional[User]] = relationship()

    __table_args__ = (
        sa.Index("ix_measure_value_change_series", "measure_id", "site_id", "period_start"),
    )


class TallyEntry(db.Model):
    """One eligible patient tallied on the ward: a yes/no per bundle component, no identifiers.

    `results` maps each component measure's id (as a string) to whether it was met; the entry
    was added to the week's numerator and denominator of the composite and of each component,
    and undoing it takes them back off.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"))  # the composite
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    period_start: Mapped[date]
    results: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    met_all: Mapped[bool]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[Optional[datetime]]

    __table_args__ = (
        sa.Index("ix_tally_entry_measure_site_user", "measure_id", "site_id", "created_by_id"),
    )


class ImportBatch(db.Model):
    """An uploaded CSV/XLSX file of one measure's data, previewed before it is confirmed.

    The file is kept only while the batch waits for confirmation (a file may carry columns
    the import ignores); `content` is cleared once it is imported or discarded.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"), index=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))  # rows without a site column
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    content: Mapped[Optional[bytes]] = mapped_column(sa.LargeBinary)
    mapping: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")  # imported, discarded
    row_count: Mapped[int] = mapped_column(default=0)
    changed_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[Optional[datetime]]

    created_by: Mapped[User] = relationship()


__all__ = ["ImportBatch", "MeasureValueChange", "PhaseBreak", "TallyEntry"]
