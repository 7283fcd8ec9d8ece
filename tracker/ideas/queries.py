"""Idea queries: the library's figures and the evidence roll-up, computed in SQL."""

import sqlalchemy as sa
from sqlalchemy import Select
from sqlalchemy.orm import joinedload, selectinload

from ..cycles.queries import cycles_visible_to
from ..extensions import db
from ..models import ChangeIdea, Comment, Cycle, Driver, IdeaSiteStatus, Site, Tag, User, idea_tag

STATUSES = ("untested", "testing", "adopt", "adapt", "abandon")
STATUS_LABELS = {"untested": "Untested", "testing": "Testing", "adopt": "Adopted",
                 "adapt": "Adapted", "abandon": "Abandoned"}

# Scale units from smallest to largest, so "largest scale reached" can be computed in SQL.
_unit = sa.func.lower(Cycle.scale_unit)
SCALE_RANK = sa.case(
    (_unit.like("%patient%"), 1), (_unit.like("%shift%"), 2), (_unit.like("%day%"), 3),
    (_unit.like("%bay%"), 4), (_unit.like("%week%"), 5), (_unit.like("%all%ward%"), 7),
    (_unit.like("%ward%"), 6), (_unit.like("%hospital%") | _unit.like("%site%"), 8), else_=0,
)


def ideas_visible_to(user: User) -> Select:
    query = db.select(ChangeIdea).where(ChangeIdea.deleted_at.is_(None))
    if not user.is_admin:
        query = query.where(ChangeIdea.collaborative_id.in_(user.collaborative_ids))
    return query


def _standing(user: User, shared, any_) -> tuple:
    """The stored standing a user reads at each site (tracker/ideas/statuses.py): the reading
    over all cycles at their own sites (admins: everywhere), over the shared cycles elsewhere;
    and the condition keeping the sites of their collaboratives."""
    if user.is_admin:
        return any_, sa.true()
    own = IdeaSiteStatus.site_id.in_(user.site_ids)
    return (sa.case((own, any_), else_=shared),
            IdeaSiteStatus.site_id.in_(
                sa.select(Site.id).where(Site.collaborative_id.in_(user.collaborative_ids))))


def site_status(user: User) -> sa.Subquery:
    """Per idea and site: the latest Act decision, or "testing" while none is recorded (of
    the cycles the user may read; pairs with none are absent)."""
    status, mine = _standing(user, IdeaSiteStatus.shared_status, IdeaSiteStatus.any_status)
    return sa.select(IdeaSiteStatus.idea_id, IdeaSiteStatus.site_id, status.label("status")
                     ).where(mine, status.is_not(None)).subquery()


def library(user: User, *, driver_id=None, tag=None, site_id=None, status=None, where="any",
            sort="newest") -> tuple[Select, Select]:
    """The idea library with its figures as extra columns (one query per page), and the same
    ideas without the figures, to count them cheaply."""
    status_sq = site_status(user)
    chosen = ideas_visible_to(user)
    if driver_id:
        children = sa.select(Driver.id).where(Driver.parent_id == driver_id)
        chosen = chosen.where(
            ChangeIdea.driver_id.in_(children) | (ChangeIdea.driver_id == driver_id))
    if tag:
        chosen = chosen.where(ChangeIdea.id.in_(
            sa.select(idea_tag.c.idea_id).join(Tag).where(Tag.name == tag)))
    if site_id:
        chosen = chosen.where(ChangeIdea.origin_site_id == site_id)
    if status in STATUSES:
        chosen = _status_filter(chosen, status_sq, status, user if where == "mine" else None)
    counts = sa.select(
        status_sq.c.idea_id,
        sa.func.count().label("sites_tested"),
        sa.func.sum(sa.case((status_sq.c.status == "adopt", 1), else_=0)).label("sites_adopted"),
    ).group_by(status_sq.c.idea_id).subquery()
    idea_comments = sa.select(Comment.idea_id.label("idea_id"), sa.func.count().label("n")).where(
        Comment.idea_id.is_not(None), Comment.deleted_at.is_(None)).group_by(Comment.idea_id)
    # Comments on cycles count only where the user may read the cycle (not others' drafts).
    on_cycles, mine = _standing(user, IdeaSiteStatus.shared_comments,
                                IdeaSiteStatus.any_comments)
    cycle_comments = sa.select(IdeaSiteStatus.idea_id.label("idea_id"),
                               sa.func.sum(on_cycles).label("n")
                               ).where(mine).group_by(IdeaSiteStatus.idea_id)
    union = sa.union_all(idea_comments, cycle_comments).subquery()
    discussed = sa.select(union.c.idea_id, sa.func.sum(union.c.n).label("comments")).group_by(
        union.c.idea_id).subquery()
    sites_tested = sa.func.coalesce(counts.c.sites_tested, 0)
    sites_adopted = sa.func.coalesce(counts.c.sites_adopted, 0)
    comments = sa.func.coalesce(discussed.c.comments, 0)
    query = (
        chosen
        .add_columns(sites_tested.label("sites_tested"), sites_adopted.label("sites_adopted"),
                     comments.label("comments"))
        .outerjoin(counts, counts.c.idea_id == ChangeIdea.id)
        .outerjoin(discussed, discussed.c.idea_id == ChangeIdea.id)
    )
    order = {
        "tested": (sites_tested.desc(), ChangeIdea.title),
        "adopted": (sites_adopted.desc(), ChangeIdea.title),
        "discussed": (comments.desc(), ChangeIdea.title),
        "title": (ChangeIdea.title,),
    }.get(sort, (ChangeIdea.created_at.desc(), ChangeIdea.id.desc()))
    return query.order_by(*order), chosen


def _status_filter(query: Select, status_sq, status: str, user: User | None) -> Select:
    """Ideas with `status` anywhere, or (given a user) at the user's own sites."""
    at = [status_sq.c.site_id.in_(user.site_ids)] if user is not None else []
    if status == "untested":
        tested = sa.select(status_sq.c.idea_id).where(*at)
        return query.where(ChangeIdea.id.not_in(tested))
    return query.where(ChangeIdea.id.in_(
        sa.select(status_sq.c.idea_id).where(status_sq.c.status == status, *at)))


def recent_cycles(idea: ChangeIdea, user: User, *, per_site: int) -> list[Cycle]:
    """The latest `per_site` cycles of the idea at each site the user may read, oldest first:
    one query (and one for their measures) however many cycles the idea has."""
    ranked = cycles_visible_to(user).where(Cycle.idea_id == idea.id).with_only_columns(
        Cycle.id,
        sa.func.row_number().over(
            partition_by=Cycle.site_id, order_by=(Cycle.created_at.desc(), Cycle.id.desc()),
        ).label("rn"),
    ).subquery()
    return db.session.scalars(
        db.select(Cycle).where(Cycle.id.in_(sa.select(ranked.c.id).where(ranked.c.rn <= per_site)))
        .options(joinedload(Cycle.site), selectinload(Cycle.measures))
        .order_by(Cycle.created_at, Cycle.id)).all()


def evidence(idea: ChangeIdea, user: User) -> list[sa.Row]:
    """Per site that tested the idea: cycles, first test, latest decision, largest scale."""
    ranked = cycles_visible_to(user).where(Cycle.idea_id == idea.id).with_only_columns(
        Cycle.site_id, Cycle.decision, Cycle.scale_amount, Cycle.scale_unit,
        Cycle.do_started_on, Cycle.created_at,
        sa.func.row_number().over(
            partition_by=Cycle.site_id,
            order_by=(Cycle.decision.is_(None), Cycle.created_at.desc(), Cycle.id.desc()),
        ).label("rn_decision"),
        sa.func.row_number().over(
            partition_by=Cycle.site_id,
            order_by=(SCALE_RANK.desc(), sa.func.coalesce(Cycle.scale_amount, 0).desc()),
        ).label("rn_scale"),
    ).subquery()
    decision = sa.cast(ranked.c.decision, sa.String)
    return db.session.execute(
        sa.select(
            ranked.c.site_id,
            sa.func.count().label("cycles"),
            sa.func.min(ranked.c.do_started_on).label("first_run"),
            sa.func.min(ranked.c.created_at).label("first_logged"),
            sa.func.max(sa.case((ranked.c.rn_decision == 1, decision))).label("decision"),
            sa.func.max(sa.case((ranked.c.rn_scale == 1, ranked.c.scale_amount))).label("amount"),
            sa.func.max(sa.case((ranked.c.rn_scale == 1, ranked.c.scale_unit))).label("unit"),
        ).group_by(ranked.c.site_id)
    ).all()


DECISIONS = ("adopt", "adapt", "abandon")


def decision_counts(rows: list[sa.Row]) -> dict[str, int]:
    """How many sites' latest decision (from `evidence`) is each of adopt, adapt, abandon."""
    return {d: sum(1 for r in rows if r.decision == d) for d in DECISIONS}
