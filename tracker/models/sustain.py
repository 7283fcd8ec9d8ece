"""Sustain and spread: a site's monthly progress score (IHI 0.5–5.0), and the watch kept on a
change after "Adopt" (check-ins, and alerts when the linked measure falls)."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Labelled, enum_column, utcnow
from .cycles import Cycle
from .people import Site, User

# The IHI progress scale (as Life QI users know it): score -> label.
PROGRESS_SCALE: dict[float, str] = {
    0.5: "Intent to participate",
    1.0: "Forming team",
    1.5: "Planning for the project has begun",
    2.0: "Activity, but no changes",
    2.5: "Changes tested, but no improvement",
    3.0: "Modest improvement",
    3.5: "Improvement",
    4.0: "Significant improvement",
    4.5: "Sustainable improvement",
    5.0: "Outstanding sustainable results",
}


def progress_label(score: float | None) -> str:
    return PROGRESS_SCALE.get(score, "") if score is not None else ""


class ProgressScore(db.Model):
    """A site's progress score for one month (the 1st of the month), set by a person; the
    app's suggestion is never stored. Editable within its month; each save kept as a revision."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    month: Mapped[date]
    score: Mapped[float]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    set_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship()
    set_by: Mapped[Optional[User]] = relationship()

    __table_args__ = (sa.UniqueConstraint("site_id", "month"),)

    @property
    def label(self) -> str:
        return progress_label(self.score)


class ProgressScoreRevision(db.Model):
    """One save of a month's score (the first included): what it was set to, by whom, when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(sa.ForeignKey("progress_score.id"), index=True)
    score: Mapped[float]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[Optional[User]] = relationship()


class CheckAnswer(Labelled):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class SustainCheck(db.Model):
    """'Is the change still happening?' some months after a cycle's decision became Adopt."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    adopted_on: Mapped[date]
    months: Mapped[int]
    due_on: Mapped[date] = mapped_column(index=True)
    answer: Mapped[Optional[CheckAnswer]] = mapped_column(enum_column(CheckAnswer))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    answered_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    answered_at: Mapped[Optional[datetime]]
    # When the team was told it is due (once: the digest job never tells twice).
    announced_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cycle: Mapped[Cycle] = relationship()
    answered_by: Mapped[Optional[User]] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "months"),
        # An idea's sites still sustaining it: from the (few) check-ins answered yes, not
        # from every check-in due (tracker/sustain/watch.py sustained_sites_query). Of the
        # answered only: over every check-in, SQLite took it to find the unanswered ones due
        # at a site (all of them, 137 ms at 10x) rather than the site's cycles' own.
        sa.Index("ix_sustain_check_answer_cycle", "answer", "cycle_id",
                 sqlite_where=sa.text("answer IS NOT NULL"),
                 postgresql_where=sa.text("answer IS NOT NULL")),
    )

    def is_due(self, today: date) -> bool:
        return self.answer is None and self.due_on <= today


class SustainAlert(db.Model):
    """A special-cause concern on a measure linked to an adopted cycle, after the adoption:
    raised once per signal (its first period), to the site's leads."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"))
    signal_start: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("cycle_id", "measure_id", "signal_start"),)
