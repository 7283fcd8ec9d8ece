"""Conversation about the work: comments on cycles and ideas, structured feedback on cycles
and the requests for it."""

from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import index_of_set, utcnow
from .cycles import Cycle
from .people import Site, User

# The worksheet sections a piece of feedback can point at (criteria: tracker.cycles.quality).
SECTIONS = ("plan", "do", "study", "act")
# Authors may fix their own comment for this long after posting it.
EDIT_WINDOW = timedelta(minutes=15)


def _copied(reference: str, select: str):
    """A column default that copies a value off the row `reference` names, looked up as the
    row is inserted (None without a reference): `select` reads it by `:id`."""
    def default(context) -> int | None:
        referenced = context.get_current_parameters().get(reference)
        if referenced is None:
            return None
        return context.connection.execute(sa.text(select), {"id": referenced}).scalar()
    return default


# The author of the comment a reply answers.
_parent_author = _copied("parent_id", "SELECT author_id FROM comment WHERE id = :id")
# The site of the cycle a comment or feedback is on (where the caller did not say it).
_site_of_cycle = _copied("cycle_id", "SELECT site_id FROM cycle WHERE id = :id")


class Comment(db.Model):
    """A threaded comment on a cycle or on a change idea."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    idea_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("change_idea.id"))  # indexed
    parent_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("comment.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # Whom a reply answers (the parent's author, which never changes), set on every insert:
    # someone's answers are then read newest first from one index, however many comments
    # they wrote (a partner who comments everywhere has thousands). A copy, kept true by the
    # parent's own reference, so no foreign key of its own.
    parent_author_id: Mapped[Optional[int]] = mapped_column(default=_parent_author)
    # The site of the cycle it is on (none for an idea's), set on every insert: what was said
    # on a site's cycles in a span is then read from one index, not from every comment of the
    # span in the collaborative. A copy (a cycle never changes site), so no foreign key.
    site_id: Mapped[Optional[int]] = mapped_column(default=_site_of_cycle)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[Optional[datetime]]
    deleted_at: Mapped[Optional[datetime]]

    author: Mapped[User] = relationship()
    parent: Mapped[Optional["Comment"]] = relationship(remote_side=[id])

    __table_args__ = (
        sa.CheckConstraint(
            "(cycle_id IS NULL) <> (idea_id IS NULL)", name="on_cycle_or_idea"
        ),
        sa.Index("ix_comment_parent_author_created", "parent_author_id", "created_at"),
        sa.Index("ix_comment_site_created", "site_id", "created_at"),
        index_of_set("comment", "idea_id"),  # most comments are on cycles
    )

    def can_edit(self, user: User, now: Optional[datetime] = None) -> bool:
        """Authors fix their own comment within EDIT_WINDOW of posting it."""
        now = now or utcnow()
        return (self.deleted_at is None and self.author_id == user.id
                and now - self.created_at <= EDIT_WINDOW)

    def can_delete(self, user: User, collaborative_id: int) -> bool:
        """Authors remove their own comments; faculty (of the thread's collaborative) moderate."""
        return self.deleted_at is None and (
            self.author_id == user.id or user.is_faculty_of(collaborative_id))


class FeedbackRequest(db.Model):
    """A site team asking for feedback on a cycle: from any faculty, a named one, or a site."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    # Neither set: any faculty member of the collaborative may answer.
    faculty_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"), index=True)
    to_site_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("site.id"))  # indexed
    message: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[Optional[datetime]]
    withdrawn_at: Mapped[Optional[datetime]]

    cycle: Mapped[Cycle] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    faculty: Mapped[Optional[User]] = relationship(foreign_keys=[faculty_id])
    to_site: Mapped[Optional[Site]] = relationship()

    __table_args__ = (
        # The open requests, in the order asked: the review queues' oldest first are a walk
        # that stops at a page, not a sort of every one left open (2,000 at 10x). It replaces
        # an index on answered_at, which SQLite took for "IS NULL" and then sorted.
        sa.Index("ix_feedback_request_open_created", "created_at", "id",
                 sqlite_where=sa.text("answered_at IS NULL AND withdrawn_at IS NULL"),
                 postgresql_where=sa.text("answered_at IS NULL AND withdrawn_at IS NULL")),
        index_of_set("feedback_request", "to_site_id"),  # most ask faculty
    )

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.withdrawn_at is None

    def is_for(self, user: User, collaborative_id: int) -> bool:
        """Whether `user` is one of the people this request asks."""
        if self.faculty_id is not None:
            return self.faculty_id == user.id
        if self.to_site_id is not None:
            return self.to_site_id in user.site_ids
        return user.is_faculty_of(collaborative_id)

    @classmethod
    def asks(cls, user: User, collaborative_id):
        """is_for as a SQL condition, given the collaborative's id column (joined)."""
        faculty_of = user.faculty_collaborative_ids
        return sa.case(
            (cls.faculty_id.is_not(None), cls.faculty_id == user.id),
            (cls.to_site_id.is_not(None), cls.to_site_id.in_(user.site_ids)),
            else_=sa.true() if faculty_of is None else collaborative_id.in_(faculty_of))

    @property
    def addressee(self) -> str:
        if self.faculty is not None:
            return self.faculty.name
        if self.to_site is not None:
            return self.to_site.name
        return "any faculty member"


class Feedback(db.Model):
    """Feedback on a cycle, optionally on one worksheet section and one PDSA-quality criterion."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    request_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("feedback_request.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    # The cycle's site, set on every insert (as Comment.site_id): the feedback a page of
    # sites received in a span, read from one index.
    site_id: Mapped[Optional[int]] = mapped_column(default=_site_of_cycle)
    body: Mapped[str] = mapped_column(sa.Text)  # the safe Markdown subset
    section: Mapped[str] = mapped_column(sa.String(20), default="")  # one of SECTIONS, or ""
    criterion: Mapped[str] = mapped_column(sa.String(40), default="")  # a quality.CRITERIA key
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    addressed_at: Mapped[Optional[datetime]]
    addressed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    deleted_at: Mapped[Optional[datetime]]

    cycle: Mapped[Cycle] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    addressed_by: Mapped[Optional[User]] = relationship(foreign_keys=[addressed_by_id])
    request: Mapped[Optional[FeedbackRequest]] = relationship()

    __table_args__ = (
        # The review queue's "changed since your feedback": a faculty member's latest
        # feedback on each cycle, read from the index alone in cycle order (at 10x, one
        # member has given feedback on ~10,000 cycles).
        sa.Index("ix_feedback_author_cycle", "author_id", "cycle_id", "created_at",
                 "deleted_at"),
        sa.Index("ix_feedback_site_created", "site_id", "created_at"),
        # What someone gave in a span (a site's people in the action-period report): by
        # author alone, SQLite's statistics say thousands of rows a person (a few faculty
        # give most feedback) and it built a temporary index over all of it instead.
        sa.Index("ix_feedback_author_created", "author_id", "created_at"),
    )

    def can_address(self, user: User) -> bool:
        """The cycle's team marks feedback addressed."""
        return self.cycle.can_edit(user)

    def can_delete(self, user: User) -> bool:
        """Authors (and admins) remove feedback."""
        return self.deleted_at is None and (self.author_id == user.id or user.is_admin)


class FeedbackFollowup(db.Model):
    """For each person and cycle they gave feedback on, when they last did and when the cycle
    last changed: derived data, kept in the same transaction as every change to the feedback or
    the cycle (tracker/feedback/followup.py), so the review queue's "changed since your
    feedback" reads the rows marked changed, not every piece of feedback the person ever gave
    (~10,000 for one faculty member at 10x)."""

    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"), primary_key=True)
    feedback_at: Mapped[datetime]  # their latest feedback on it, not removed
    cycle_changed_at: Mapped[datetime]  # the cycle's updated_at
    changed: Mapped[bool]  # cycle_changed_at > feedback_at

    __table_args__ = (
        sa.Index("ix_feedback_followup_changed", "author_id", "changed", "cycle_changed_at"),
        sa.Index("ix_feedback_followup_cycle_id", "cycle_id"),
    )
