"""Measures and their data: values per period, phase breaks, the change log, tallies, imports."""

from datetime import date, datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import DataKind, Direction, Frequency, MeasureKind, enum_column, index_of_set, utcnow
from .people import Site, User


class Measure(db.Model):
    """How we know a change is an improvement: core (collaborative-wide) or site-local."""

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaborative.id"), index=True)
    # None: a core measure defined by faculty for every site; set: a site's own measure.
    site_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("site.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[MeasureKind] = mapped_column(enum_column(MeasureKind))
    definition: Mapped[str] = mapped_column(sa.Text, default="")  # the operational definition
    data_kind: Mapped[DataKind] = mapped_column(enum_column(DataKind))
    unit: Mapped[str] = mapped_column(sa.String(40), default="")
    direction: Mapped[Direction] = mapped_column(
        enum_column(Direction), default=Direction.INCREASE
    )
    target: Mapped[Optional[float]]
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency), default=Frequency.WEEKLY)
    # A bundle component (e.g. "Eat within 24 h") points at its composite measure.
    # Indexed, as balances_id (__table_args__): a measure's parts and balancing measures are
    # looked up by them (a scan of 18,000 site measures at 10x national).
    composite_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("measure.id"))
    # A balancing measure points at the measure whose side effects it watches.
    balances_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("measure.id"))
    position: Mapped[int] = mapped_column(default=0)
    # How its data is charted (tracker/spc/SPEC.md §9). None picks the default: an XmR chart with
    # the Making Data Count rules; the rule set defaults per chart type (run → IHI, XmR → MDC,
    # p/c → Anhøj).
    chart_type: Mapped[Optional[str]] = mapped_column(sa.String(10))  # a tracker.spc.ChartType
    rule_set: Mapped[Optional[str]] = mapped_column(sa.String(10))  # a tracker.spc.RuleSet
    # MDC moving-range screening: off by default, matching the Making Data Count Excel tool.
    screen_outliers: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Periods at the start of each phase that fix the centre and limits (None: all of them).
    baseline_periods: Mapped[Optional[int]]
    # Where the data come from (the seed's "where are the data held?", "who is collecting it?").
    data_source: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    collected_by: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    collection_method: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[Optional[datetime]]

    __table_args__ = (index_of_set("measure", "composite_id"),
                      index_of_set("measure", "balances_id"))

    site: Mapped[Optional[Site]] = relationship()
    composite: Mapped[Optional["Measure"]] = relationship(
        remote_side=[id], foreign_keys=[composite_id]
    )
    balances: Mapped[Optional["Measure"]] = relationship(
        remote_side=[id], foreign_keys=[balances_id]
    )

    @property
    def is_core(self) -> bool:
        return self.site_id is None

    @property
    def is_proportion(self) -> bool:
        return self.data_kind == DataKind.PROPORTION

    def can_view(self, user: User) -> bool:
        """Anyone in the collaborative reads every measure, local ones included."""
        return user.can_view_collaborative(self.collaborative_id)

    def can_edit(self, user: User) -> bool:
        """Core definitions belong to faculty; a local measure to its site's leads."""
        if self.is_core:
            return user.is_faculty_of(self.collaborative_id)
        return user.is_admin or self.site_id in user.lead_site_ids

    def can_chart_at(self, site: Site) -> bool:
        """A core measure is charted at every site of its collaborative; a local one at its own."""
        if self.is_core:
            return site.collaborative_id == self.collaborative_id
        return site.id == self.site_id

    def can_enter_data(self, user: User, site: Site) -> bool:
        """A site's data is entered, imported and tallied only by its own team."""
        return site.id in user.site_ids

    def can_set_phases(self, user: User, site: Site) -> bool:
        """Rebasing is a site lead's decision."""
        return site.id in user.lead_site_ids


class MeasureValue(db.Model):
    """One period's data for one measure at one site."""

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    period_start: Mapped[date]
    numerator: Mapped[Optional[int]]
    denominator: Mapped[Optional[int]]
    value: Mapped[Optional[float]]  # counts and continuous measures
    note: Mapped[str] = mapped_column(sa.Text, default="")
    entered_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    # Indexed: data entered over a span (dashboards' activity, reports) filters on it.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    measure: Mapped[Measure] = relationship()
    site: Mapped[Site] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("measure_id", "site_id", "period_start"),
        # The faculty dashboard's activity: a page of sites' recent entries, read from the
        # index alone (by updated_at, each row is fetched from the table to find its site).
        sa.Index("ix_measure_value_site_id_updated_at", "site_id", "updated_at"),
    )

    @property
    def proportion(self) -> Optional[float]:
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator / self.denominator


class MeasureSummary(db.Model):
    """One site's chart of one measure in one view, summed up: derived data, rebuilt from the
    values and phase breaks in the same transaction as every change to them (see
    tracker/measures/summaries.py), so dashboards and reports need not compute the chart."""

    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), primary_key=True)
    view: Mapped[str] = mapped_column(sa.String(10), primary_key=True)  # "spc" or "run"
    # The measure's chart settings it was computed with: a different one means recompute.
    definition: Mapped[str] = mapped_column(sa.String(200))
    points: Mapped[int] = mapped_column(default=0)  # periods with data
    first_period: Mapped[Optional[date]]
    latest_period: Mapped[Optional[date]]
    # The latest period with a row stored at all, a value or not (a week entered as having no
    # patients, say): whether a site's data is in, as the faculty's reasons for support ask.
    last_entered: Mapped[Optional[date]]
    latest_value: Mapped[Optional[float]]
    centre: Mapped[Optional[float]]  # at the latest point
    variation_icon: Mapped[Optional[str]] = mapped_column(sa.String(30))
    assurance_icon: Mapped[Optional[str]] = mapped_column(sa.String(30))
    error: Mapped[str] = mapped_column(sa.Text, default="")
    # The last periods of the grid, [[iso date, plotted value or null], ...], oldest first.
    recent: Mapped[Any] = mapped_column(sa.JSON, default=list)


class PhaseBreak(db.Model):
    """A rebase: from `period_start` a site's chart of a measure starts a new phase.

    A human decision (tracker/spc/SPEC.md §7), usually when a tested change was adopted; the
    app only suggests one. Removing a break keeps the row (soft delete).
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


class ChartNote(db.Model):
    """A free-text annotation on a site's chart of a measure ("new ward manager", "bed crisis"),
    shown with the PDSA markers. Removing one keeps the row (soft delete)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    on_date: Mapped[date]
    text: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[Optional[datetime]]
    deleted_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))

    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (sa.Index("ix_chart_note_measure_site", "measure_id", "site_id"),)


class PointFlag(db.Model):
    """A person's judgement on one period of a site's chart: `excluded` (left out of the centre,
    moving ranges and runs but still plotted and tested, tracker/spc/SPEC.md §7) or
    `astronomical` (IHI run chart rule 4), with the reason. Clearing one keeps the row, so the
    history of every flag stays readable."""

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    period_start: Mapped[date]
    kind: Mapped[str] = mapped_column(sa.String(20))  # excluded, astronomical
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[Optional[datetime]]
    deleted_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))

    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (sa.Index("ix_point_flag_measure_site", "measure_id", "site_id"),)


class ReportingPeriod(db.Model):
    """A reporting period of a collaborative with a threshold, e.g. "CQUIN Q1 2026/27": from
    `starts_on` to `ends_on`, a site meets it when its measure's pooled percentage over the
    period's weeks is at least `threshold`; with fewer than `min_periods` of those weeks
    reported its data are missing (tracker/measures/quarters.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaborative.id"), index=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    threshold: Mapped[float]  # minimum % meeting the standard
    min_periods: Mapped[int]  # fewer reported periods than this: "data missing"
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[Optional[datetime]]

    measure: Mapped[Measure] = relationship()


class SubmittedFigure(db.Model):
    """The figure a site submitted elsewhere for a reporting period (e.g. the CQUIN return),
    set beside its own weekly data to show the gap."""

    id: Mapped[int] = mapped_column(primary_key=True)
    reporting_period_id: Mapped[int] = mapped_column(sa.ForeignKey("reporting_period.id"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    value: Mapped[float]  # a percentage, as submitted
    note: Mapped[str] = mapped_column(sa.Text, default="")
    entered_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.UniqueConstraint("reporting_period_id", "site_id"),)


__all__ = ["ChartNote", "ImportBatch", "MeasureValueChange", "PhaseBreak", "PointFlag",
           "ReportingPeriod", "SubmittedFigure", "TallyEntry"]
