"""The admin area's loaders: the object, if the current user may manage it, else 404/403."""

from flask import abort
from flask_login import current_user

from ..extensions import db
from ..models import Collaborative, Site


def get_collaborative_or_404(collaborative_id: int, *, edit: bool = False) -> Collaborative:
    """A national collaborative the user manages some part of (all of it, or edits with
    edit=True)."""
    collaborative = db.get_or_404(Collaborative, collaborative_id)
    if collaborative.parent_id is not None:
        abort(404)
    allowed = (collaborative.can_edit(current_user) if edit
               else collaborative.can_manage_some_part(current_user))
    if not allowed:
        abort(403)
    return collaborative


def get_network_or_404(network_id: int) -> Collaborative:
    """A regional network whose national collaborative the user manages (rename, archive)."""
    network = db.get_or_404(Collaborative, network_id)
    if network.parent is None:
        abort(404)
    if not network.parent.can_manage(current_user):
        abort(403)
    return network


def get_site_or_404(site_id: int) -> Site:
    """A site the user may archive (they manage its network or its collaborative)."""
    site = db.get_or_404(Site, site_id)
    if not site.can_administer(current_user):
        abort(403)
    return site
