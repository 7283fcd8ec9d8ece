"""PDSA cycles: the worksheet, its questions and predictions, and every revision kept."""

from datetime import date, datetime, timedelta
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Decision, Stage, Visibility, enum_column, utcnow
from .ideas import ChangeIdea
from .measures import Measure
from .people import Site, User

cycle_measure = sa.Table(
    "cycle_measure",
    db.metadata,
    sa.Column("cycle_id", sa.ForeignKey("cycle.id"), primary_key=True),
    sa.Column("measure_id", sa.ForeignKey("measure.id"), primary_key=True, index=True),
)


# An open cycle nobody has changed for longer than this is stalled (dashboards flag it).
STALLED_AFTER = timedelta(days=14)


def describe_scale(amount: Optional[int], unit: str) -> str:
    """'3 wards', '1 patient', 'a shift': the scale of a test as people say it."""
    unit = unit or ""
    if not amount:
        return unit
    if amount != 1 and unit and not unit.endswith("s"):
        unit += "s"
    return f"{amount} {unit}".strip()


class Cycle(db.Model):
    """One PDSA cycle: a small test of one change idea at one site."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    idea_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("change_idea.id"))
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
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    deleted_at: Mapped[Optional[datetime]]
    deleted_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    # When a move first took it to Complete (kept if it is reopened: the action-period report
    # counts a cycle in the period it was first completed). None for a cycle made complete
    # outside the stage moves (an import): the report falls back to its last update.
    completed_at: Mapped[Optional[datetime]]

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

    __table_args__ = (
        sa.Index("ix_cycle_site_stage", "site_id", "stage"),
        # An idea's cycles, site by site, newest last (the idea page's latest per site).
        sa.Index("ix_cycle_idea_site", "idea_id", "site_id", "created_at"),
        # Whether a site changed or began a cycle since a date (the faculty's reasons for
        # support): one seek per site, not every cycle changed since across the collaborative.
        sa.Index("ix_cycle_site_updated", "site_id", "updated_at"),
        sa.Index("ix_cycle_site_started", "site_id", "do_started_on"),
    )

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

    def can_give_feedback(self, user: User) -> bool:
        """Faculty, and peers from other sites: feedback comes from outside the team."""
        if not self.can_view(user):
            return False
        return user.is_faculty_of(self.site.collaborative_id) or bool(
            user.site_ids and self.site_id not in user.site_ids)

    def can_request_feedback(self, user: User) -> bool:
        """The cycle's own team asks for feedback on it."""
        return self.site_id in user.site_ids

    @property
    def scale(self) -> str:
        return describe_scale(self.scale_amount, self.scale_unit)

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.COMPLETE

    def is_stalled(self, now: datetime) -> bool:
        """Open and unchanged for more than STALLED_AFTER (the dashboards' one rule)."""
        return self.is_open and now - self.updated_at > STALLED_AFTER

    @property
    def next_step(self) -> str:
        """What the team should do next, in plain words, from the stage and what is filled in
        ('' once complete). Reads `questions`: load them with the cycle."""
        if self.stage == Stage.COMPLETE:
            return ""
        step = {Stage.PLAN: self._next_in_plan, Stage.DO: self._next_in_do,
                Stage.STUDY: self._next_in_study, Stage.ACT: self._next_in_act}[self.stage]()
        return f"{self.stage.label}: {step}"

    def _next_in_plan(self) -> str:
        if not any(q.question.strip() for q in self.questions):
            return "write the question this test should answer"
        if not any(q.prediction.strip() or q.prediction_value is not None
                   for q in self.questions):
            return "write down what you predict will happen"
        if not (self.plan_who.strip() and self.plan_what.strip()):
            return "say who will do what, where and when"
        return "start the test and move the cycle to Do"

    def _next_in_do(self) -> str:
        if self.do_started_on is None:
            return "record the date the test started"
        if not self.do_what_happened.strip():
            return "write down what happened during the test"
        return "when the test is over, move the cycle to Study"

    def _next_in_study(self) -> str:
        if any(not q.result.strip() and q.result_value is None for q in self.questions):
            return "record the result of your prediction"
        if not self.study_learning.strip():
            return "write down what you learned"
        return "move the cycle to Act and decide what to do next"

    def _next_in_act(self) -> str:
        if self.decision is None:
            return "decide to adopt, adapt or abandon the change"
        if not self.act_next_steps.strip():
            return "write down the next steps"
        return "complete the cycle, or plan the next test on the ramp"


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


class CycleRevision(db.Model):
    """The state of a cycle's worksheet after one change, with what changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"))
    version: Mapped[int]  # the cycle's version after this change
    action: Mapped[str] = mapped_column(sa.String(40))  # created, edited, stage, deleted, ...
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    # Indexed: activity and contributions over a span (dashboards, reports) filter on it.
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # field: [old, new]

    user: Mapped[Optional[User]] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "version"),
        # The faculty dashboard's activity: a page of sites' cycles' recent changes, read
        # from the index alone (the rows, with their snapshots, are large).
        sa.Index("ix_cycle_revision_cycle_id_created_at", "cycle_id", "created_at"),
    )


class SiteStanding(db.Model):
    """What one site's live cycles and the feedback asked on them add up to, for the faculty's
    reasons for support: derived data, recomputed in the same transaction as every change to
    those cycles or requests (tracker/reports/standing.py), so that ranking a collaborative's
    sites reads a row per site, not each site's cycles and requests per request."""

    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), primary_key=True)
    cycle_changed_at: Mapped[Optional[datetime]]  # the latest change to a live cycle
    test_started_on: Mapped[Optional[date]]  # the latest Do start of a live cycle
    # When each live open cycle last changed, oldest first (as ISO times): how many are
    # stalled depends on the day it is asked.
    open_changes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # The first of them, as a time: the ranking of sites needing support is done by the
    # database, which compares and counts days from it.
    open_oldest_at: Mapped[Optional[datetime]]
    # Feedback requests neither answered nor withdrawn, on live cycles shared with the
    # collaborative: how many, and the oldest.
    requests_open: Mapped[int] = mapped_column(default=0)
    request_oldest_at: Mapped[Optional[datetime]]
    # Of those, how many are asked of any faculty member (no one named, no site asked), and
    # how many name each faculty member ({user id: how many}): a review queue's counts are
    # then sums over its sites (feedback.review.counts), not a walk of every open request.
    requests_any: Mapped[int] = mapped_column(default=0)
    requests_named: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    # The latest feedback given on any of its cycles (not removed): the review queue's sites
    # with none this action period.
    feedback_at: Mapped[Optional[datetime]]
