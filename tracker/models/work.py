"""The improvement work: drivers, change ideas, measures and their data, PDSA cycles."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import (
    DataKind,
    Decision,
    Direction,
    Frequency,
    MeasureKind,
    Stage,
    Visibility,
    enum_column,
    utcnow,
)
from .people import Site, User


class Driver(db.Model):
    """A node of the driver diagram: primary (no parent) or secondary."""

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaborative.id"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("driver.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[Optional[datetime]]

    parent: Mapped[Optional["Driver"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Driver"]] = relationship(
        back_populates="parent", order_by="Driver.position"
    )

    @property
    def is_primary(self) -> bool:
        return self.parent_id is None


idea_tag = sa.Table(
    "idea_tag",
    db.metadata,
    sa.Column("idea_id", sa.ForeignKey("change_idea.id"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tag.id"), primary_key=True, index=True),
)


class Tag(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaborative.id"))
    name: Mapped[str] = mapped_column(sa.String(60))

    __table_args__ = (sa.UniqueConstraint("collaborative_id", "name"),)


class ChangeIdea(db.Model):
    """Something a site can change, shared across the collaborative."""

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaborative.id"), index=True)
    driver_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("driver.id"), index=True)
    origin_site_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("site.id"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[Optional[datetime]]

    driver: Mapped[Optional[Driver]] = relationship()
    origin_site: Mapped[Optional[Site]] = relationship()
    author: Mapped[Optional[User]] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=idea_tag, order_by=Tag.name)

    def can_view(self, user: User) -> bool:
        return user.is_admin or self.collaborative_id in user.collaborative_ids

    def can_edit(self, user: User) -> bool:
        """Ideas are edited by their own site's team, and by faculty."""
        return (
            user.is_faculty_of(self.collaborative_id)
            or (self.origin_site_id is not None and self.origin_site_id in user.site_ids)
        )


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
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[Optional[datetime]]

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

    @staticmethod
    def can_enter_data(user: User, site: Site) -> bool:
        """A site's data is entered, imported and tallied only by its own team."""
        return site.id in user.site_ids

    @staticmethod
    def can_set_phases(user: User, site: Site) -> bool:
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
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    measure: Mapped[Measure] = relationship()
    site: Mapped[Site] = relationship()

    __table_args__ = (sa.UniqueConstraint("measure_id", "site_id", "period_start"),)

    @property
    def proportion(self) -> Optional[float]:
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator / self.denominator


cycle_measure = sa.Table(
    "cycle_measure",
    db.metadata,
    sa.Column("cycle_id", sa.ForeignKey("cycle.id"), primary_key=True),
    sa.Column("measure_id", sa.ForeignKey("measure.id"), primary_key=True, index=True),
)


class Cycle(db.Model):
    """One PDSA cycle: a small test of one change idea at one site."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    idea_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("change_idea.id"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # The ramp: the cycle this one builds on. Lineage: another site's cycle this one reuses.
    previous_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    inspired_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("cycle.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.PLAN, index=True)
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.COLLABORATIVE
    )
    # Plan (questions and their predictions live in CycleQuestion)
    objective: Mapped[str] = mapped_column(sa.Text, default="")
    plan_who: Mapped[str] = mapped_column(sa.Text, default="")
    plan_what: Mapped[str] = mapped_column(sa.Text, default="")
    plan_where: Mapped[str] = mapped_column(sa.Text, default="")
    plan_when: Mapped[str] = mapped_column(sa.Text, default="")
    scale_amount: Mapped[Optional[int]]
    scale_unit: Mapped[str] = mapped_column(sa.String(40), default="")
    data_plan: Mapped[str] = mapped_column(sa.Text, default="")
    # Do
    do_started_on: Mapped[Optional[date]] = mapped_column(index=True)
    do_ended_on: Mapped[Optional[date]]
    do_what_happened: Mapped[str] = mapped_column(sa.Text, default="")
    do_problems: Mapped[str] = mapped_column(sa.Text, default="")
    do_deviations: Mapped[str] = mapped_column(sa.Text, default="")
    # Study
    study_learning: Mapped[str] = mapped_column(sa.Text, default="")
    # Act
    decision: Mapped[Optional[Decision]] = mapped_column(enum_column(Decision), index=True)
    act_next_steps: Mapped[str] = mapped_column(sa.Text, default="")
    # Bookkeeping. `version` is compared on save to detect two people editing at once.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[Optional[datetime]]
    deleted_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))

    site: Mapped[Site] = relationship()
    idea: Mapped[Optional[ChangeIdea]] = relationship()
    author: Mapped[Optional[User]] = relationship(foreign_keys=[author_id])
    previous: Mapped[Optional["Cycle"]] = relationship(
        remote_side=[id], foreign_keys=[previous_id]
    )
    questions: Mapped[list["CycleQuestion"]] = relationship(
        back_populates="cycle", order_by="CycleQuestion.position", cascade="all, delete-orphan"
    )
    measures: Mapped[list[Measure]] = relationship(secondary=cycle_measure)

    __table_args__ = (sa.Index("ix_cycle_site_stage", "site_id", "stage"),)

    # Permission predicates: the loaders and the templates (to hide buttons) use the same ones.
    def can_view(self, user: User) -> bool:
        if user.is_admin or self.site_id in user.site_ids:
            return True
        return (
            self.visibility == Visibility.COLLABORATIVE
            and self.site.collaborative_id in user.collaborative_ids
        )

    def can_edit(self, user: User) -> bool:
        """Members of the cycle's site edit it; partners and other sites only read."""
        return user.is_admin or self.site_id in user.site_ids

    def can_delete(self, user: User) -> bool:
        return user.is_admin or self.site_id in user.lead_site_ids

    @property
    def scale(self) -> str:
        if not self.scale_amount:
            return self.scale_unit
        unit = self.scale_unit
        if self.scale_amount != 1 and unit and not unit.endswith("s"):
            unit += "s"
        return f"{self.scale_amount} {unit}".strip()


class CycleQuestion(db.Model):
    """A question the test should answer, its prediction (Plan) and its result (Study)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    question: Mapped[str] = mapped_column(sa.Text, default="")
    prediction: Mapped[str] = mapped_column(sa.Text, default="")
    prediction_value: Mapped[Optional[float]]  # when the prediction is numeric
    result: Mapped[str] = mapped_column(sa.Text, default="")
    result_value: Mapped[Optional[float]]
    prediction_held: Mapped[Optional[bool]]

    cycle: Mapped[Cycle] = relationship(back_populates="questions")


__all__ = [
    "ChangeIdea",
    "Cycle",
    "CycleQuestion",
    "Driver",
    "Measure",
    "MeasureValue",
    "Tag",
    "cycle_measure",
    "idea_tag",
]
