"""The feature's loaders: a site or a collaborative the current user may see, else 404/403."""

from flask import abort
from flask_login import current_user

from ..core.queries import collaboratives_of
from ..extensions import db
from ..models import Collaborative, Site


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


def get_site_or_404(site_id: int, *, manage: bool = False) -> Site:
    """The site, if the current user may see it (and manage its team, with manage=True)."""
    site = db.get_or_404(Site, site_id)
    if not current_user.can_view_collaborative(site.collaborative_id):
        abort(403)
    if manage and not site.can_manage(current_user):
        abort(403)
    return site
