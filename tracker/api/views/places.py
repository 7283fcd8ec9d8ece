"""Collaboratives, their regional networks and sites: read only."""

from flask_login import current_user

from ...core.queries import collaboratives_of, sites_visible_to
from ...extensions import db
from ...sites.loaders import get_collaborative_or_404, get_site_or_404
from .. import bp
from ..schemas import CollaborativeSchema, SiteSchema


@bp.get("/collaboratives")
@bp.doc(tags=["places"])
@bp.response(200, CollaborativeSchema(many=True))
def list_collaboratives():
    """The national collaboratives you belong to."""
    return db.session.scalars(collaboratives_of(current_user)).all()


@bp.get("/collaboratives/<id:collaborative_id>")
@bp.doc(tags=["places"])
@bp.response(200, CollaborativeSchema)
def get_collaborative(collaborative_id: int):
    """One national collaborative."""
    return get_collaborative_or_404(collaborative_id)


@bp.get("/collaboratives/<id:collaborative_id>/networks")
@bp.doc(tags=["places"])
@bp.response(200, CollaborativeSchema(many=True))
def list_networks(collaborative_id: int):
    """A collaborative's regional networks."""
    return get_collaborative_or_404(collaborative_id).networks


@bp.get("/sites")
@bp.doc(tags=["places"])
@bp.response(200, SiteSchema(many=True))
def list_sites():
    """Sites in your collaboratives (archived ones left out, as in the directory)."""
    return db.session.scalars(sites_visible_to(current_user)).all()


@bp.get("/sites/<id:site_id>")
@bp.doc(tags=["places"])
@bp.response(200, SiteSchema)
def get_site(site_id: int):
    """One site."""
    return get_site_or_404(site_id)
