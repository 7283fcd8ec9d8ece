"""Learning-event verbs and helpers: verbs flush and never commit."""

import hashlib
import re
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select

from ..core.db import hold_rows
from ..core.notify import notify
from ..extensions import db
from ..models import (
    Collaborative,
    CollaborativeRole,
    LearningEvent,
    Membership,
    NotificationKind,
    Site,
    User,
    utcnow,
)
from .queries import visible_collaborative_ids

_MATERIAL = re.compile(r"^(https?://\S+)\s*(.*)$")


def managed_collaboratives(user: User) -> list[Collaborative]:
    """The collaboratives (and networks) whose calendar the user may add events to."""
    query = db.select(Collaborative).order_by(Collaborative.parent_id.is_not(None),
                                              Collaborative.name)
    rows = db.session.scalars(query.where(
        Collaborative.id.in_(visible_collaborative_ids(user)))).all()
    return [c for c in rows if c.can_manage_calendar(user)]


def materials(text: str) -> list[tuple[str, str]]:
    """(url, label) for each line of an event's materials."""
    out = []
    for line in (text or "").splitlines():
        match = _MATERIAL.match(line.strip())
        if match:
            out.append((match.group(1), match.group(2).strip() or match.group(1)))
    return out


def audience_ids(collaborative: Collaborative) -> Select:
    """Who hears of a new event: the sites it is for, and the collaborative's faculty and
    partners. A regional event is for its network's sites only."""
    root = collaborative.root_id
    if collaborative.parent_id is None:
        sites = db.select(Site.id).where(Site.collaborative_id == root)
    else:
        sites = db.select(Site.id).where(Site.network_id == collaborative.id)
    members = db.select(Membership.user_id).where(Membership.site_id.in_(sites))
    networks = db.select(Collaborative.id).where(Collaborative.parent_id == root)
    roles = db.select(CollaborativeRole.user_id).where(
        (CollaborativeRole.collaborative_id == root)
        | CollaborativeRole.collaborative_id.in_(networks))
    return db.select(User.id).where(User.active.is_(True),
                                    User.id.in_(members) | User.id.in_(roles))


def create_event(event: LearningEvent, *, by: User) -> LearningEvent:
    """Add an event to the calendar and tell the people it is for."""
    event.created_by_id = by.id
    db.session.add(event)
    db.session.flush()
    collaborative = db.session.get(Collaborative, event.collaborative_id)
    when = f"{event.starts_at:%-d %b %Y}"
    notify(db.session.scalars(audience_ids(collaborative)), NotificationKind.EVENT,
         f"New {event.kind.label.lower()}: {event.title} ({when})", actor=by, obj=event)
    return event


def hold(event: LearningEvent) -> None:
    """Lock the event until the transaction ends and read it again: two edits (or an edit
    and a removal) one after the other, each from the other's version, never the same next
    version twice (calendars would keep only one of them)."""
    hold_rows(LearningEvent.updated_at, event)  # set to itself: holding is not editing


def changed(event: LearningEvent) -> None:
    """Record an edit: calendars subscribed to the feed take the new version."""
    event.sequence = (event.sequence or 0) + 1
    event.updated_at = utcnow()
    db.session.flush()


def delete_event(event: LearningEvent) -> None:
    """Soft delete: the feed keeps it as cancelled so calendars remove it."""
    event.deleted_at = utcnow()
    changed(event)


# ---------------------------------------------------------------- the subscription token

def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="events-feed")


def _fingerprint(user: User) -> str:
    # Changing the password rotates session_token, which retires every feed link too.
    return hashlib.sha256(user.session_token.encode()).hexdigest()[:16]


def feed_token(user: User, collaborative_id: int, secret_key: str) -> str:
    return _serializer(secret_key).dumps([user.id, collaborative_id, _fingerprint(user)])


def user_from_feed_token(token: str | None, collaborative_id: int,
                         secret_key: str) -> User | None:
    """The user a subscription link belongs to, if it is genuine, current and for this feed."""
    if not token:
        return None
    try:
        user_id, feed_id, fingerprint = _serializer(secret_key).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or feed_id != collaborative_id:
        return None
    return user if _fingerprint(user) == fingerprint else None


def feed_events(collaborative: Collaborative, *, since: datetime) -> list[LearningEvent]:
    """A collaborative's feed: its events and, for a network, the national ones; events
    deleted since `since` stay in as cancelled."""
    ids = [collaborative.id] + ([collaborative.parent_id] if collaborative.parent_id else [])
    return list(db.session.scalars(
        db.select(LearningEvent).where(
            LearningEvent.collaborative_id.in_(ids),
            LearningEvent.deleted_at.is_(None) | (LearningEvent.deleted_at >= since))
        .order_by(LearningEvent.starts_at)))
