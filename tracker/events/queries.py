"""Learning-event query builders: each returns a Select scoped in SQL to what a user may see."""

from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Collaborative, LearningEvent, User


def visible_collaborative_ids(user: User) -> Select:
    """Ids of the user's national collaboratives and their regional networks."""
    query = db.select(Collaborative.id)
    if user.is_admin:
        return query
    roots = user.collaborative_ids
    return query.where(Collaborative.id.in_(roots) | Collaborative.parent_id.in_(roots))


def events_visible_to(user: User) -> Select:
    """Learning events (not deleted) in the user's collaboratives and networks."""
    return (
        db.select(LearningEvent)
        .where(LearningEvent.deleted_at.is_(None),
               LearningEvent.collaborative_id.in_(visible_collaborative_ids(user)))
        # Each row names its collaborative (national or regional).
        .options(joinedload(LearningEvent.collaborative))
    )


def upcoming_events(user: User, *, now: datetime, limit: int | None = 3) -> Select:
    """The next learning events in the user's collaboratives and their regional networks
    (every one to come with limit=None)."""
    return (events_visible_to(user).where(LearningEvent.starts_at >= now)
            .order_by(LearningEvent.starts_at).limit(limit))
