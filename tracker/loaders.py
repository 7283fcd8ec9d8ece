"""Loaders shared by several features: the object asked for, if the current user may see it."""

from flask import abort
from flask_login import current_user

from .extensions import db
from .models import Collaborative
from .queries import collaboratives_of


def get_collaborative_or_404(collaborative_id: int | None, *, faculty: bool = False
                             ) -> Collaborative:
    """A national collaborative the user belongs to (the first of theirs when none is asked);
    with faculty=True the user must be its faculty."""
    if collaborative_id is None:
        collaborative = db.session.scalars(collaboratives_of(current_user).limit(1)).first()
    else:
        collaborative = db.session.get(Collaborative, collaborative_id)
    if collaborative is None or collaborative.parent_id is not None:
        abort(404)
    if not current_user.can_view_collaborative(collaborative.id):
        abort(403)
    if faculty and not current_user.is_faculty_of(collaborative.id):
        abort(403)
    return collaborative
