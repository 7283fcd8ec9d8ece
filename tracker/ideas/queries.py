"""Idea queries: the library's figures and the evidence roll-up, computed in SQL."""

import sqlalchemy as sa
from sqlalchemy import Select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import contains_eager, load_only

from ..core.memo import kept
from ..core.queries import reader, reader_params
from ..cycles.queries import cycles_visible_to, shared_or_own
from ..extensions import db
from ..models import (
    ChangeIdea,
    Comment,
    Cycle,
    Driver,
    IdeaSiteStatus,
    IdeaTotal,
    Site,
    Tag,
    User,
    cycle_measure,
    idea_tag,
)

STATUSES = ("untested", "testing", "adopt", "adapt", "abandon")
DECISIONS = ("adopt", "adapt", "abandon")
# A site's standing counts as an adoption: the library's figures and the stored totals.
ADOPTED = sa.case((IdeaSiteStatus.status == "adopt", 1), else_=0)
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


def seen_by(user: User):
    """The condition on IdeaSiteStatus keeping, for each site the user may see, the view they
    read (tracker/ideas/statuses.py): over all cycles at their own sites (admins: everywhere),
    over the shared cycles at the other sites of their collaboratives."""
    if user.is_admin:
        return IdeaSiteStatus.view == "all"
    site = IdeaSiteStatus.site_id
    own = site.in_(user.site_ids)
    return sa.or_(
        own & (IdeaSiteStatus.view == "all"),
        ~own & (IdeaSiteStatus.view == "shared") & site.in_(
            sa.select(Site.id).where(Site.collaborative_id.in_(user.collaborative_ids))))


def site_status(user: User) -> sa.Subquery:
    """Per idea and site: the latest Act decision, or "testing" while none is recorded (of
    the cycles the user may read; pairs with none are absent)."""
    return sa.select(IdeaSiteStatus.idea_id, IdeaSiteStatus.site_id, IdeaSiteStatus.status
                     ).where(seen_by(user)).subquery()


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
    counts = _figures(user)
    on_idea = sa.select(Comment.idea_id, sa.func.count().label("n")).where(
        Comment.idea_id.is_not(None), Comment.deleted_at.is_(None)).group_by(
        Comment.idea_id).subquery()
    sites_tested = sa.func.coalesce(counts.c.sites_tested, 0)
    sites_adopted = sa.func.coalesce(counts.c.sites_adopted, 0)
    comments = sa.func.coalesce(counts.c.cycle_comments, 0) + sa.func.coalesce(on_idea.c.n, 0)
    query = (
        chosen
        .add_columns(sites_tested.label("sites_tested"), sites_adopted.label("sites_adopted"),
                     comments.label("comments"))
        .outerjoin(counts, counts.c.idea_id == ChangeIdea.id)
        .outerjoin(on_idea, on_idea.c.idea_id == ChangeIdea.id)
    )
    order = {
        "tested": (sites_tested.desc(), ChangeIdea.title),
        "adopted": (sites_adopted.desc(), ChangeIdea.title),
        "discussed": (comments.desc(), ChangeIdea.title),
        "title": (ChangeIdea.title,),
    }.get(sort, (ChangeIdea.created_at.desc(), ChangeIdea.id.desc()))
    return query.order_by(*order), chosen


def _figures(user: User) -> sa.Subquery:
    """Per idea, what the site standings the user may see add up to: the sites testing it,
    those adopting it, and the comments on its cycles there (only where the user may read the
    cycle: not others' drafts). From each idea's stored totals (IdeaTotal), not every site's
    standing (a 1,500-site collaborative has ~33,000: 0.7 ms nationally, 7.6 ms at 10x): an
    admin's are the totals over all cycles; anyone else sees the other sites' shared cycles
    and all of their own sites', so theirs are the shared totals, less their own sites' shared
    standings, plus those sites' whole ones."""
    total, s = IdeaTotal, IdeaSiteStatus
    if user.is_admin:
        parts = sa.select(total.idea_id, total.sites_tested, total.sites_adopted,
                          total.comments).where(total.view == "all")
    else:
        sign = sa.case((s.view == "all", 1), else_=-1)
        parts = sa.union_all(
            sa.select(total.idea_id, total.sites_tested, total.sites_adopted, total.comments)
            .where(total.view == "shared"),
            sa.select(s.idea_id, sign, sign * ADOPTED, sign * s.comments)
            .join(Site, Site.id == s.site_id).join(ChangeIdea, ChangeIdea.id == s.idea_id)
            .where(s.site_id.in_(user.site_ids),  # of the sites the totals are over
                   Site.collaborative_id == ChangeIdea.collaborative_id))
    parts = parts.subquery()
    idea, tested, adopted, comments = parts.c
    return sa.select(idea.label("idea_id"), sa.func.sum(tested).label("sites_tested"),
                     sa.func.sum(adopted).label("sites_adopted"),
                     sa.func.sum(comments).label("cycle_comments")).group_by(idea).subquery()


def _status_filter(query: Select, status_sq, status: str, user: User | None) -> Select:
    """Ideas with `status` anywhere, or (given a user) at the user's own sites."""
    at = [status_sq.c.site_id.in_(user.site_ids)] if user is not None else []
    if status == "untested":
        tested = sa.select(status_sq.c.idea_id).where(*at)
        return query.where(ChangeIdea.id.not_in(tested))
    return query.where(ChangeIdea.id.in_(
        sa.select(status_sq.c.idea_id).where(status_sq.c.status == status, *at)))


def recent_cycles(idea: ChangeIdea, user: User, *, per_site: int,
                  site_ids: list[int]) -> list[Cycle]:
    """The latest `per_site` cycles of the idea at each of these sites that the user may read,
    oldest first, with their site: one query however many cycles they have. Only what the
    idea's page shows of each is loaded (RECENT_SHOWN): a cycle's plan, notes and findings
    are most of its row (125 cycles whole, with their measures, were 5 of the page's 20 ms).

    Each site's latest are read from the (idea, site, created) index, newest first, stopping at
    `per_site`, where ranking every cycle of the idea at the sites read and sorted them all.
    The statement is made once (on SQLite, once per number of sites) and run with the ids as
    parameters."""
    if not site_ids:
        return []
    postgres = db.session.get_bind().dialect.name == "postgresql"
    shape = (user.is_admin, per_site, "lateral" if postgres else len(site_ids))
    statement = kept("idea_recent_cycles", 64, shape, lambda: _latest_at_sites(
        user.is_admin, per_site, None if postgres else len(site_ids)))
    sites = ({"sites": list(site_ids)} if postgres
             else {f"site{i}": site_id for i, site_id in enumerate(site_ids)})
    params = {**reader_params(user), "idea": idea.id, **sites}
    return db.session.scalars(statement, params).all()


def _latest_at_sites(is_admin: bool, per_site: int, sites: int | None) -> Select:
    """A site's latest cycles as a subquery per site: on PostgreSQL one LATERAL subquery over
    the array of sites (planned once); on SQLite, which has no LATERAL, a UNION ALL of one per
    site. Each reads the cycle table alone (the drafts it may count, by the reader's own
    sites); the collaboratives' half of the rule is applied once, outside (25 subqueries
    joined to their site took PostgreSQL 4 ms to plan)."""
    who = reader(is_admin)

    def latest(site) -> Select:
        return (db.select(Cycle.id).where(
            Cycle.idea_id == sa.bindparam("idea", type_=sa.Integer), Cycle.site_id == site,
            Cycle.deleted_at.is_(None), shared_or_own(who))
            .order_by(Cycle.created_at.desc(), Cycle.id.desc()).limit(per_site))

    if sites is None:
        wanted = sa.func.unnest(sa.bindparam("sites", type_=ARRAY(sa.Integer))).table_valued(
            "id").render_derived()
        each = latest(wanted.c.id).lateral()
        ids = db.select(each.c.id).select_from(wanted).join(each, sa.true())
    else:
        ids = sa.union_all(*(
            sa.select(latest(sa.bindparam(f"site{i}", type_=sa.Integer)).subquery())
            for i in range(sites)))
    return (cycles_visible_to(who).where(Cycle.id.in_(ids))
            .options(load_only(*RECENT_SHOWN),
                     contains_eager(Cycle.site).load_only(Site.name))
            .order_by(Cycle.created_at, Cycle.id))


# What the idea's page shows of each recent cycle (anything else would load one by one).
RECENT_SHOWN = (Cycle.title, Cycle.site_id, Cycle.stage, Cycle.decision, Cycle.scale_amount,
                Cycle.scale_unit, Cycle.created_at)


def first_measures(cycle_ids: list[int]) -> dict[int, int]:
    """Each of these cycles' first measure (by id; the earliest made), for a link to its chart:
    one query of the cycles' links alone."""
    if not cycle_ids:
        return {}
    return dict(db.session.execute(
        sa.select(cycle_measure.c.cycle_id, sa.func.min(cycle_measure.c.measure_id))
        .where(cycle_measure.c.cycle_id.in_(cycle_ids))
        .group_by(cycle_measure.c.cycle_id)).all())


def evidence_query(idea: ChangeIdea, user: User) -> Select:
    """Per site that tested the idea, as far as the user may see, in the order they first
    tested it: cycles, first test, latest decision, largest scale (stored with the cycles)."""
    s = IdeaSiteStatus
    decision = sa.case((s.status != "testing", s.status))
    return (sa.select(s.site_id, s.cycles, s.first_run, s.first_logged, s.first_test,
                      decision.label("decision"), s.scale_amount.label("amount"),
                      s.scale_unit.label("unit"))
            .where(s.idea_id == idea.id, seen_by(user))
            .order_by(s.first_test, s.site_id))


def evidence(idea: ChangeIdea, user: User) -> list[sa.Row]:
    """Every site's row of `evidence_query`."""
    return db.session.execute(evidence_query(idea, user)).all()


def evidence_counts(idea: ChangeIdea, user: User) -> tuple[int, dict[str, int]]:
    """How many sites tested the idea (as far as the user may see), and how many of them
    last decided each of adopt, adapt, abandon: one query, however many sites."""
    s = IdeaSiteStatus
    row = db.session.execute(
        sa.select(sa.func.count(), *(sa.func.coalesce(sa.func.sum(
            sa.case((s.status == d, 1), else_=0)), 0) for d in DECISIONS))
        .where(s.idea_id == idea.id, seen_by(user))).one()
    return row[0], dict(zip(DECISIONS, row[1:], strict=True))


def decision_counts(rows: list[sa.Row]) -> dict[str, int]:
    """How many sites' latest decision (from `evidence`) is each of adopt, adapt, abandon."""
    return {d: sum(1 for r in rows if r.decision == d) for d in DECISIONS}
