"""The dashboard's activity feed: what happened across the collaborative recently, only what
the user may see, what is new since their last visit marked. One query, however busy (two
when the caller has not read the events to come).

Each query starts from the rows of the span alone (a materialized common table expression over
the indexed creation time), then joins what they are about and keeps what the user may see:
checking each row against the list of every visible cycle read all the cycles; left to itself,
SQLite also walked every revision of those cycles. Each part reads only the span's newest
BOUND rows, so its cost stays the same however busy the fortnight (a national collaborative
moves ~1,400 cycles in one; a 1,500-site one ten times that). A part left with fewer than SHOWN
rows the user may see (the newest being others' drafts, say) is read again over ten times as
many, then over the whole span, so the feed never misses what the user should see. The cycle
changes' span leaves out other sites' drafts as it reads them, so that a busy day of drafts
does not send it wider.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for

from ..core.memo import kept
from ..core.queries import reader, reader_key, reader_params, rows_first
from ..core.versions import kept_until_written, this_minute
from ..cycles.queries import cycles_visible_to, shared_or_own
from ..events.queries import events_visible_to
from ..extensions import db
from ..ideas.queries import ideas_visible_to
from ..models import (
    ChangeIdea,
    Comment,
    Cycle,
    CycleRevision,
    Feedback,
    LearningEvent,
    Site,
    Stage,
    User,
)

WINDOW = timedelta(days=14)
SHOWN = 15
BOUND = 120  # rows of the span each part reads first: several times SHOWN
FEEDS_KEPT = 256  # per app process: the most recent readers' scopes (a site's team shares one)


@dataclass(frozen=True)
class Item:
    at: datetime
    text: str
    url: str
    new: bool = False


def recent_activity(user: User, *, now: datetime, seen: datetime | None = None,
                    upcoming: list[LearningEvent] | None = None) -> list[Item]:
    """The latest things done in the user's collaboratives, newest first; those after `seen`
    (the user's previous look at the dashboard) marked new. `upcoming`: every event still
    to come that the user sees, when the caller has read them already."""
    # What was recorded is read for everyone who sees the same (the same collaboratives and
    # sites: a site's team), and kept until anything is written: its span starts on the
    # minute, so a team's dashboards share it within each minute. Reading it was a sixth of
    # a ward nurse's dashboard, most of it PostgreSQL planning the one large statement.
    since = this_minute(now) - WINDOW
    recorded = kept_until_written("activity_feeds", FEEDS_KEPT, (reader_key(user), since),
                                  lambda: _recorded(user, since))
    items = [*recorded, *_events(user, since, now, upcoming)]
    items.sort(key=lambda i: i.at, reverse=True)
    return [Item(i.at, i.text, i.url, seen is not None and i.at > seen) for i in items[:SHOWN]]


def visible_cycle(user: User):
    """The condition on Cycle and Site (joined) under which the user may read a cycle: the
    one rule of cycles_visible_to, applied to rows already chosen."""
    return cycles_visible_to(user).whereclause


# The columns every part of the feed reads, in this order (a UNION ALL of the parts):
# when, what kind, the row it links to, the cycle, the title, the site, who, and, for
# a stage move, the changes recorded and the cycle's stage now.
_COLUMNS = ("at", "kind", "ref", "cycle_id", "title", "site", "who", "changes", "stage")


def _named(*columns) -> list:
    return [column.label(name) for column, name in zip(columns, _COLUMNS, strict=True)]


def _part(select: sa.Select) -> sa.Select:
    """One part of the feed, its newest SHOWN rows: a subquery, so that each part keeps its
    own order and limit inside the UNION ALL."""
    return sa.select(select.limit(SHOWN).subquery())


def _null(column):
    """No value, of the column's type (PostgreSQL types each part of a UNION)."""
    return sa.cast(sa.null(), column.type)


_SINCE = sa.bindparam("since", type_=CycleRevision.created_at.type)


def _statement(is_admin: bool, todo: tuple[str, ...], bound: int | None) -> sa.CompoundSelect:
    """The parts `todo` over their newest `bound` rows of the span (all of it: None), with
    a row saying how many each read, for any reader (`core.queries.reader`)."""
    who = reader(is_admin)
    members = []
    for name in todo:
        select, span = _PARTS[name](who, _SINCE, newest=bound)
        members.append(_part(select))
        if bound is not None:
            members.append(_read(name, span))
    return sa.union_all(*members)


def _recorded(user: User, since: datetime) -> list[Item]:
    """Cycles logged or moved, comments and feedback of the span, in one statement (more when
    a part's newest BOUND rows held fewer than SHOWN the user may see)."""
    # Made once per shape (admin or not, how wide, which parts) and run with the reader's
    # collaboratives, sites and span: building it anew was half of the feed's time.
    params = {**reader_params(user), "since": since}
    rows: list = []
    todo = tuple(_PARTS)
    for bound in (BOUND, BOUND * 10, None):  # then wider, then the whole span
        statement = kept("activity_feed", 24, (user.is_admin, todo, bound),
                         lambda: _statement(user.is_admin, todo, bound))  # noqa: B023
        read, found = {}, []
        for row in db.session.execute(statement, params):
            if row.kind.startswith("read:"):
                read[row.kind.removeprefix("read:")] = row.ref
            else:
                found.append(row)
        # A part is done when it found SHOWN rows, or read less than its bound (all there is).
        short = {name for name in todo if bound is not None and read[name] >= bound
                 and sum(1 for row in found if _part_of(row.kind) == name) < SHOWN}
        rows += [row for row in found if _part_of(row.kind) not in short]
        todo = tuple(name for name in todo if name in short)
        if not todo:
            break
    # Only the newest SHOWN can be shown, whatever the events: the others need no words.
    rows = sorted(rows, key=lambda row: row.at, reverse=True)[:SHOWN]
    out = []
    for at, kind, ref, cycle_id, title, site, who, changes, stage in rows:
        if kind == "comment":
            out.append(Item(at, f"{who} commented on “{title}”",
                            url_for("feedback.show_comment", comment_id=ref)))
        elif kind == "feedback":
            out.append(Item(at, f"{who} gave {site} feedback on “{title}”",
                            url_for("cycles.detail", cycle_id=cycle_id) + f"#feedback-{ref}"))
        else:
            who = who or "Someone"
            text = (f"{who} ({site}) logged a new cycle “{title}”" if kind == "created"
                    else f"{who} ({site}) moved “{title}” to "
                         f"{_moved_to(changes, Stage(stage)).label}")
            out.append(Item(at, text, url_for("cycles.detail", cycle_id=cycle_id)))
    return out


def _part_of(kind: str) -> str:
    return "cycles" if kind in ("created", "stage") else kind


def _read(name: str, span: sa.CTE) -> sa.Select:
    """A row saying how many rows of the span a part read (kind "read:<part>", the count as
    its ref): BOUND of them means there may be more."""
    return sa.select(*_named(
        _null(CycleRevision.created_at), sa.literal(f"read:{name}"), sa.func.count(),
        _null(Cycle.id), _null(Cycle.title), _null(Site.name), _null(User.name),
        _null(CycleRevision.changes), _null(Cycle.stage))).select_from(span)


def _cycle_changes(user: User, since: datetime, *,
                   newest: int | None = None) -> tuple[sa.Select, sa.CTE]:
    # Other sites' drafts are left out of the span itself (each change's cycle looked up by
    # its key as the newest are read): when most of the latest changes are drafts (1,500
    # sites each logging its next test), the newest BOUND held none the user may see, and
    # the feed read ten times as many. A correlated EXISTS, not a join: for a join SQLite
    # first built a Bloom filter over every cycle.
    drafts = [] if user.is_admin else [sa.exists().where(
        Cycle.id == CycleRevision.cycle_id, shared_or_own(user))]
    span = rows_first((CycleRevision.created_at, CycleRevision.action, CycleRevision.changes,
                       CycleRevision.cycle_id, CycleRevision.user_id),
                      CycleRevision.created_at >= since,
                      CycleRevision.action.in_(("created", "stage")), *drafts, newest=newest)
    return (db.select(*_named(span.c.created_at, span.c.action, Cycle.id, Cycle.id, Cycle.title,
                              Site.name, User.name, span.c.changes, Cycle.stage))
            .join(Cycle, Cycle.id == span.c.cycle_id).join(Site, Site.id == Cycle.site_id)
            .outerjoin(User, User.id == span.c.user_id)
            .where(visible_cycle(user))
            .order_by(span.c.created_at.desc())), span


def _moved_to(changes: dict | None, current: Stage) -> Stage:
    """The stage a move went to, as recorded with it (the cycle may have moved on since)."""
    recorded = (changes or {}).get("stage")
    return Stage(recorded[1]) if recorded else current


def comment_span(*where, newest: int | None = None) -> sa.CTE:
    """The live comments meeting `where` (narrowing to few rows on an indexed column: a span,
    or the replies to someone), read first; the `newest` of them only, if given."""
    return rows_first((Comment.created_at, Comment.id, Comment.author_id, Comment.cycle_id,
                       Comment.idea_id), Comment.deleted_at.is_(None), *where, newest=newest)


def visible_comments(user: User, comment: sa.CTE) -> sa.Select:
    """(when, comment id, author's name, what it is on) of the comments of `comment` (a
    comment_span) the user may see (on cycles or ideas they see), newest first."""
    on_idea = ideas_visible_to(user).whereclause
    return (db.select(comment.c.created_at, comment.c.id, User.name,
                      sa.func.coalesce(Cycle.title, ChangeIdea.title))
            .join(User, User.id == comment.c.author_id)
            .outerjoin(Cycle, Cycle.id == comment.c.cycle_id)
            .outerjoin(Site, Site.id == Cycle.site_id)
            .outerjoin(ChangeIdea, ChangeIdea.id == comment.c.idea_id)
            .where(sa.or_(Cycle.id.is_not(None) & visible_cycle(user),
                          ChangeIdea.id.is_not(None) & on_idea))
            .order_by(comment.c.created_at.desc()))


def _comments(user: User, since: datetime, *,
              newest: int | None = None) -> tuple[sa.Select, sa.CTE]:
    span = comment_span(Comment.created_at >= since, newest=newest)
    rows = visible_comments(user, span)
    at, comment_id, who, title = rows.selected_columns
    return rows.with_only_columns(*_named(
        at, sa.literal("comment"), comment_id, _null(Cycle.id), title, _null(Site.name), who,
        _null(CycleRevision.changes), _null(Cycle.stage))), span


def _feedback(user: User, since: datetime, *,
              newest: int | None = None) -> tuple[sa.Select, sa.CTE]:
    span = rows_first((Feedback.created_at, Feedback.id, Feedback.cycle_id, Feedback.author_id),
                      Feedback.created_at >= since, Feedback.deleted_at.is_(None), newest=newest)
    return (db.select(*_named(span.c.created_at, sa.literal("feedback"), span.c.id, Cycle.id,
                              Cycle.title, Site.name, User.name, _null(CycleRevision.changes),
                              _null(Cycle.stage)))
            .join(Cycle, Cycle.id == span.c.cycle_id).join(Site, Site.id == Cycle.site_id)
            .join(User, User.id == span.c.author_id)
            .where(visible_cycle(user))
            .order_by(span.c.created_at.desc())), span


# The parts of the feed, in the order `_statement` unites them.
_PARTS = {"cycles": _cycle_changes, "comment": _comments, "feedback": _feedback}


def _events(user: User, since: datetime, now: datetime,
            upcoming: list[LearningEvent] | None) -> list[Item]:
    """Events added lately that are still to come (a past one is no news)."""
    if upcoming is None:
        upcoming = db.session.scalars(
            events_visible_to(user).where(LearningEvent.created_at >= since,
                                          LearningEvent.starts_at >= now))
    rows = sorted((e for e in upcoming if e.created_at >= since and e.starts_at >= now),
                  key=lambda e: e.created_at, reverse=True)[:SHOWN]
    return [Item(e.created_at, f"New {e.kind.label.lower()} in the calendar: {e.title} "
                 f"({e.starts_at:%-d %b %Y})", url_for("events.detail", event_id=e.id))
            for e in rows]
