"""Change ideas and the driver diagram they hang from, their tags, and who follows them."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
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


class IdeaFollow(db.Model):
    """A user following a change idea: told when a site tests it, decides on it or discusses it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("change_idea.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "idea_id"),)


class IdeaSiteStatus(db.Model):
    """What one site's cycles of one idea add up to: derived data, recomputed in the same
    transaction as every change to those cycles or their comments (tracker/ideas/statuses.py),
    so the idea library and the idea's page need not read every cycle per request.

    Two views, as two kinds of reader see the cycles: "shared", over the cycles shared with the
    collaborative (what other sites see; no row while every cycle is a draft), and "all", over
    every live cycle (what the site's own team and admins see)."""

    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("change_idea.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), primary_key=True, index=True)
    view: Mapped[str] = mapped_column(sa.String(10), primary_key=True)  # "shared" or "all"
    # The latest Act decision (a decided cycle before an undecided one, then the newest), or
    # "testing" while none is recorded.
    status: Mapped[str] = mapped_column(sa.String(16))
    cycles: Mapped[int] = mapped_column(default=0)
    comments: Mapped[int] = mapped_column(default=0)  # live comments on those cycles
    first_run: Mapped[Optional[date]]  # the first Do start recorded
    first_logged: Mapped[datetime]  # when the first cycle was logged
    first_test: Mapped[date]  # the first Do start, else the day the first cycle was logged
    # The largest scale reached (ranked by unit, then amount).
    scale_amount: Mapped[Optional[int]]
    scale_unit: Mapped[str] = mapped_column(sa.String(40), default="")


class IdeaTotal(db.Model):
    """What the sites' standings with one idea add up to, in each view (IdeaSiteStatus's): how
    many sites test it, how many adopted it, the comments on its cycles. Derived data,
    recomputed with the standings (tracker/ideas/statuses.py), over the sites of the idea's own
    collaborative (its cycles' only sites): the library sums a row per idea, not per site."""

    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("change_idea.id"), primary_key=True)
    view: Mapped[str] = mapped_column(sa.String(10), primary_key=True)  # "shared" or "all"
    sites_tested: Mapped[int] = mapped_column(default=0)
    sites_adopted: Mapped[int] = mapped_column(default=0)
    comments: Mapped[int] = mapped_column(default=0)
