"""The dashboard's activity feed: what happened across the collaborative recently, only what
the user may see, what is new since their last visit marked. Four queries, however busy."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for

from ..cycles.queries import cycles_visible_to
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


@dataclass(frozen=True)
class Item:
    at: datetime
    text: str
    url: str
    new: bool = False


def recent_activity(user: User, *, now: datetime, seen: datetime | None = None) -> list[Item]:
    """The latest things done in the user's collaboratives, newest first; those after `seen`
    (the user's previous look at the dashboard) marked new."""
    since = now - WINDOW
    visible = cycles_visible_to(user).with_only_columns(Cycle.id)
    items = [*_cycle_changes(visible, since), *_comments(user, visible, since),
             *_feedback(visible, since), *_events(user, since, now)]
    items.sort(key=lambda i: i.at, reverse=True)
    return [Item(i.at, i.text, i.url, seen is not None and i.at > seen) for i in items[:SHOWN]]


def _cycle_changes(visible, since: datetime) -> list[Item]:
    rows = db.session.execute(
        db.select(CycleRevision.created_at, CycleRevision.action, CycleRevision.changes, Cycle.id,
                  Cycle.title, Cycle.stage, Site.name, User.name)
        .join(Cycle, Cycle.id == CycleRevision.cycle_id).join(Site, Site.id == Cycle.site_id)
        .outerjoin(User, User.id == CycleRevision.user_id)
        .where(CycleRevision.cycle_id.in_(visible), CycleRevision.created_at >= since,
               CycleRevision.action.in_(("created", "stage")))
        .order_by(CycleRevision.created_at.desc()).limit(SHOWN))
    out = []
    for at, action, changes, cycle_id, title, stage, site, who in rows:
        who = who or "Someone"
        text = (f"{who} ({site}) logged a new cycle “{title}”" if action == "created"
                else f"{who} ({site}) moved “{title}” to {_moved_to(changes, stage).label}")
        out.append(Item(at, text, url_for("cycles.detail", cycle_id=cycle_id)))
    return out


def _moved_to(changes: dict | None, current: Stage) -> Stage:
    """The stage a move went to, as recorded with it (the cycle may have moved on since)."""
    recorded = (changes or {}).get("stage")
    return Stage(recorded[1]) if recorded else current


def comment_rows(user: User, visible_cycles):
    """(when, comment id, author's name, what it is on) of live comments the user may see
    (on `visible_cycles`, a Select of cycle ids, or on ideas they see); callers add filters."""
    ideas = ideas_visible_to(user).with_only_columns(ChangeIdea.id)
    return (db.select(Comment.created_at, Comment.id, User.name,
                      sa.func.coalesce(Cycle.title, ChangeIdea.title))
            .join(User, User.id == Comment.author_id)
            .outerjoin(Cycle, Cycle.id == Comment.cycle_id)
            .outerjoin(ChangeIdea, ChangeIdea.id == Comment.idea_id)
            .where(Comment.deleted_at.is_(None),
                   Comment.cycle_id.in_(visible_cycles) | Comment.idea_id.in_(ideas)))


def _comments(user: User, visible, since: datetime) -> list[Item]:
    rows = db.session.execute(
        comment_rows(user, visible).where(Comment.created_at >= since)
        .order_by(Comment.created_at.desc()).limit(SHOWN))
    return [Item(at, f"{who} commented on “{title}”",
                 url_for("feedback.show_comment", comment_id=comment_id))
            for at, comment_id, who, title in rows]


def _feedback(visible, since: datetime) -> list[Item]:
    rows = db.session.execute(
        db.select(Feedback.created_at, Feedback.id, Cycle.id, Cycle.title, User.name, Site.name)
        .join(Cycle, Cycle.id == Feedback.cycle_id).join(Site, Site.id == Cycle.site_id)
        .join(User, User.id == Feedback.author_id)
        .where(Feedback.deleted_at.is_(None), Feedback.created_at >= since,
               Feedback.cycle_id.in_(visible))
        .order_by(Feedback.created_at.desc()).limit(SHOWN))
    return [Item(at, f"{who} gave {site} feedback on “{title}”",
                 url_for("cycles.detail", cycle_id=cycle_id) + f"#feedback-{feedback_id}")
            for at, feedback_id, cycle_id, title, who, site in rows]


def _events(user: User, since: datetime, now: datetime) -> list[Item]:
    """Events added lately that are still to come (a past one is no news)."""
    rows = db.session.scalars(
        events_visible_to(user).where(LearningEvent.created_at >= since,
                                      LearningEvent.starts_at >= now)
        .order_by(LearningEvent.created_at.desc()).limit(SHOWN))
    return [Item(e.created_at, f"New {e.kind.label.lower()} in the calendar: {e.title} "
                 f"({e.starts_at:%-d %b %Y})", url_for("events.detail", event_id=e.id))
            for e in rows]
