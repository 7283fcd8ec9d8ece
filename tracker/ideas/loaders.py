"""The feature's loaders: a change idea (the only place other features get one from) and a
driver of the diagram."""

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import ChangeIdea, Driver


def get_idea_or_404(idea_id: int, *, edit: bool = False) -> ChangeIdea:
    """The idea if the current user may see it (and edit it, with edit=True)."""
    idea = db.session.scalars(db.select(ChangeIdea).where(ChangeIdea.id == idea_id).options(
        joinedload(ChangeIdea.driver), joinedload(ChangeIdea.origin_site),
        joinedload(ChangeIdea.author), selectinload(ChangeIdea.tags))).first()
    if idea is None or idea.deleted_at is not None:
        abort(404)
    if not idea.can_view(current_user) or (edit and not idea.can_edit(current_user)):
        abort(403)
    return idea


def get_driver_or_404(driver_id: int) -> Driver:
    """A driver the current user may edit (faculty of its collaborative)."""
    driver = db.get_or_404(Driver, driver_id)
    if driver.deleted_at is not None:
        abort(404)
    if not current_user.is_faculty_of(driver.collaborative_id):
        abort(403)
    return driver
