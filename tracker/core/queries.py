"""Shared query builders: each returns a Select scoped in SQL to what a user may see."""

from sqlalchemy import Select

from ..extensions import db
from ..models import Collaborative, Site, User


def sites_visible_to(user: User, *, include_archived: bool = False) -> Select:
    """Sites in the collaboratives the user belongs to (every site for an admin).

    Archived sites leave the pickers and the directory, but their work stays readable, so the
    filters of lists over that work (cycles, ideas, search) ask for them with include_archived."""
    query = db.select(Site).order_by(Site.name)
    if not include_archived:
        query = query.where(Site.archived_at.is_(None))
    if not user.is_admin:
        query = query.where(Site.collaborative_id.in_(user.collaborative_ids))
    return query


def collaboratives_of(user: User) -> Select:
    """The national collaboratives the user belongs to."""
    query = db.select(Collaborative).where(Collaborative.parent_id.is_(None),
                                           Collaborative.archived_at.is_(None))
    if not user.is_admin:
        query = query.where(Collaborative.id.in_(user.collaborative_ids))
    return query.order_by(Collaborative.name)
