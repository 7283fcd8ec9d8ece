"""Query builders for cycles, scoped in SQL to what the user may read."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy import Select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..core.paging import SortKey
from ..core.queries import LeadingJoin
from ..extensions import db
from ..models import ChangeIdea, Cycle, Driver, Site, Stage, User, Visibility

STAGE_RANK = sa.case({s.value: i for i, s in enumerate(Stage)}, value=Cycle.stage)
_STAGES = list(Stage)


def _key(column, descending: bool) -> SortKey:
    return SortKey(column, descending, lambda cycle: getattr(cycle, column.key))


# Each sort ends on the id, so every row has one place and a page can start after any row.
SORT_KEYS = {
    "updated": (_key(Cycle.updated_at, True), _key(Cycle.id, True)),
    "newest": (_key(Cycle.created_at, True), _key(Cycle.id, True)),
    "oldest": (_key(Cycle.created_at, False), _key(Cycle.id, False)),
    "title": (_key(Cycle.title, False), _key(Cycle.id, False)),
    "stage": (SortKey(STAGE_RANK, False, lambda cycle: _STAGES.index(cycle.stage)),
              _key(Cycle.updated_at, True), _key(Cycle.id, True)),
}
SORTS = {name: tuple(k.expression.desc() if k.descending else k.expression.asc() for k in keys)
         for name, keys in SORT_KEYS.items()}


def cycles_visible_to(user: User, *, cycles_first: bool = False) -> Select:
    """Cycles (not in the trash) the user may read: shared ones in their collaboratives, and
    their own sites' drafts. `cycles_first`: SQLite reads the cycles before their sites (for
    a page of a list in an order the cycles' indexes hold)."""
    if cycles_first:
        query = db.select(Cycle).select_from(
            LeadingJoin(Cycle.__table__, Site.__table__, Site.id == Cycle.site_id))
    else:
        query = db.select(Cycle).join(Cycle.site)
    query = query.where(Cycle.deleted_at.is_(None))
    if user.is_admin:
        return query
    return query.where(Site.collaborative_id.in_(user.collaborative_ids), shared_or_own(user))


def shared_or_own(user: User) -> sa.ColumnElement[bool]:
    """The drafts half of cycles_visible_to's rule, on Cycle alone: shared with the
    collaborative, or at one of the user's own sites (for admins, every cycle)."""
    if user.is_admin:
        return sa.true()
    return (Cycle.visibility == Visibility.COLLABORATIVE) | Cycle.site_id.in_(user.site_ids)


def with_row_data(query: Select) -> Select:
    """Load what a list row shows: joined for the single related rows, selectin for lists.
    The site comes from the join `cycles_visible_to` has made, not a second join of it (on
    PostgreSQL, planning the list's query with both took longer than running it)."""
    return query.options(
        contains_eager(Cycle.site), joinedload(Cycle.idea), joinedload(Cycle.author),
        selectinload(Cycle.questions), selectinload(Cycle.measures),
    )


def apply_filters(query: Select, filters: dict, user: User) -> Select:
    """Narrow `query` by the list page's filters (plain values from FilterForm)."""
    if filters.get("scope") == "mine":
        query = query.where(Cycle.author_id == user.id)
    elif filters.get("scope") == "site":
        query = query.where(Cycle.site_id.in_(user.site_ids))
    if filters.get("site"):
        query = query.where(Cycle.site_id == filters["site"])
    if filters.get("idea"):
        query = query.where(Cycle.idea_id == filters["idea"])
    if filters.get("driver"):
        drivers = db.select(Driver.id).where(
            (Driver.id == filters["driver"]) | (Driver.parent_id == filters["driver"])
        )
        ideas = db.select(ChangeIdea.id).where(ChangeIdea.driver_id.in_(drivers))
        query = query.where(Cycle.idea_id.in_(ideas))
    if filters.get("stage"):
        query = query.where(Cycle.stage == Stage(filters["stage"]))
    if filters.get("decision"):
        query = query.where(Cycle.decision == filters["decision"])
    if filters.get("author"):
        query = query.where(Cycle.author_id == filters["author"])
    query = _date_range(query, filters.get("date_from"), filters.get("date_to"))
    if text := (filters.get("q") or "").strip():
        query = query.where(sa.or_(*(
            column.icontains(text, autoescape=True) for column in (
                Cycle.title, Cycle.objective, Cycle.do_what_happened, Cycle.study_learning,
                Cycle.act_next_steps,
            )
        )))
    return query


def _date_range(query: Select, start, end) -> Select:
    """Cycles tested (or, not yet run, logged) within the dates."""
    if start:
        query = query.where(sa.or_(
            Cycle.do_started_on >= start,
            Cycle.do_started_on.is_(None) & (Cycle.created_at >= datetime.combine(start, time())),
        ))
    if end:
        next_day = datetime.combine(end + timedelta(days=1), time())
        query = query.where(sa.or_(
            Cycle.do_started_on <= end,
            Cycle.do_started_on.is_(None) & (Cycle.created_at < next_day),
        ))
    return query


def sort_keys(sort: str) -> tuple[SortKey, ...]:
    return SORT_KEYS.get(sort, SORT_KEYS["updated"])


def sorted_by(query: Select, sort: str) -> Select:
    return query.order_by(*SORTS.get(sort, SORTS["updated"]))


# Stages named rather than "not complete": the index on (site, stage) then finds a collaborative's
# few hundred open cycles among its tens of thousands (PostgreSQL scanned every cycle: 30 ms).
OPEN_STAGES = tuple(s for s in Stage if s is not Stage.COMPLETE)


def open_cycles_at(site_ids) -> Select:
    """Cycles not complete (nor in the trash) at some of the reader's own sites, least recently
    changed first, with their questions (their next step reads them). Each one's site is
    among the reader's, loaded with them (core.web.load_user): not joined again."""
    return (
        db.select(Cycle)
        .where(Cycle.site_id.in_(site_ids), Cycle.deleted_at.is_(None),
               Cycle.stage.in_(OPEN_STAGES))
        # The questions joined in (a few per cycle): one query fewer than reading them after.
        .options(joinedload(Cycle.questions))
        .order_by(Cycle.updated_at, Cycle.id)
    )


# A revision is stamped just after the change it records, so a cycle's updated_at can be a
# moment earlier than its last revision's created_at.
REVISION_SLACK = timedelta(minutes=1)


def revised_since(when: datetime) -> sa.ColumnElement[bool]:
    """True of every cycle with a revision made at or after `when` (and of some without): a
    revision records a change, and a change stamps the cycle's updated_at. Said beside a
    condition on the revisions, it lets a site's cycles be read through the (site, last
    change) index: those changed lately, not every cycle the site ever had."""
    return Cycle.updated_at >= when - REVISION_SLACK
