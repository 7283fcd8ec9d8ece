"""Notifications: one call adds them for everyone who should know; delivery reads them."""

from collections.abc import Iterable

from flask import g, has_app_context, url_for

from ..extensions import db
from ..models import IdeaFollow, Notification, NotificationKind, User

# Where a notification about each kind of object leads: (endpoint, URL parameter name).
LINKS = {
    "cycle": ("cycles.detail", "cycle_id"),
    "change_idea": ("ideas.detail", "idea_id"),
    "learning_event": ("events.detail", "event_id"),
    "sustain_check": ("sustain.check_in", "check_id"),
    "import_batch": ("measures.import_result", "batch_id"),
}


def notify(
    recipients: Iterable[User | int],
    kind: NotificationKind,
    text: str,
    *,
    actor: User | None = None,
    obj=None,
) -> list[Notification]:
    """Add one notification per recipient (never to the actor, never twice); caller commits."""
    actor_id = actor.id if actor is not None else None
    user_ids = {r if isinstance(r, int) else r.id for r in recipients} - {actor_id}
    notifications = [
        Notification(
            user_id=user_id, kind=kind, actor_id=actor_id, text=text[:500],
            object_type=getattr(obj, "__tablename__", "") if obj is not None else "",
            object_id=getattr(obj, "id", None),
        )
        for user_id in sorted(user_ids)
    ]
    db.session.add_all(notifications)
    if has_app_context():  # emailed after the request, to those who want it at once
        g.setdefault("notified_user_ids", set()).update(user_ids)
    return notifications


def link_for(notification: Notification) -> str | None:
    """The page a notification leads to (None for a kind of object without a page)."""
    endpoint, param = LINKS.get(notification.object_type, (None, None))
    if endpoint is None:
        return None
    return url_for(endpoint, **{param: notification.object_id})


def notify_followers(idea, text: str, *, actor: User | None, obj=None) -> None:
    """Tell the followers of a change idea (not the actor) what happened to it."""
    follower_ids = db.session.scalars(
        db.select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea.id)).all()
    if follower_ids:
        notify(follower_ids, NotificationKind.IDEA_ACTIVITY, text, actor=actor, obj=obj or idea)
