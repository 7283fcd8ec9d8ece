"""Shared query builders: each returns a Select scoped in SQL to what a user may see."""

from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Collaborative, LearningEvent, Site, User


def sites_visible_to(user: User) -> Select:
    """Sites in the collaboratives the user belongs to (every site for an admin)."""
    query = db.select(Site).order_by(Site.name)
    if not user.is_admin:
        query = query.where(Site.collaborative_id.in_(user.collaborative_ids))
    return query


def collaboratives_of(user: User) -> Select:
    """The national collaboratives the user belongs to."""
    query = db.select(Collaborative).where(Collaborative.parent_id.is_(None))
    if not user.is_admin:
        query = query.where(Collaborative.id.in_(user.collaborative_ids))
    return query.order_by(Collaborative.name)


def upcoming_events(user: User, *, now: datetime, limit: int = 3) -> Select:
    """The next learning events in the user's collaboratives and their regional networks."""
    ids = user.collaborative_ids
    network_ids = db.select(Collaborative.id).where(Collaborative.parent_id.in_(ids))
    # Joined: each row shows its collaborative's name.
    query = (
        db.select(LearningEvent)
        .options(joinedload(LearningEvent.collaborative))
        .where(LearningEvent.deleted_at.is_(None), LearningEvent.starts_at >= now)
    )
    if not user.is_admin:
        query = query.where(
            LearningEvent.collaborative_id.in_(ids)
            | LearningEvent.collaborative_id.in_(network_ids)
        )
    return query.order_by(LearningEvent.starts_at).limit(limit)
