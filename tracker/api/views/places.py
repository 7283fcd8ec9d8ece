"""Collaboratives, their regional networks and sites: read only, by cursor."""

from flask_login import current_user

from ...core.queries import collaboratives_of, networks_of, sites_visible_to
from ...models import Collaborative, Site
from ...sites.loaders import get_collaborative_or_404, get_network_or_404, get_site_or_404
from .. import bp
from ..inputs import paginate
from ..schemas import (
    CollaborativePage,
    CollaborativeSchema,
    PageArgs,
    SiteFilters,
    SitePage,
    SiteSchema,
)


@bp.get("/collaboratives")
@bp.doc(tags=["places"])
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, CollaborativePage)
def list_collaboratives(limit: int, cursor: str | None = None):
    """The national collaboratives you belong to, by id; follow `next_cursor`."""
    return paginate(collaboratives_of(current_user), Collaborative.id, limit=limit,
                    cursor=cursor)


@bp.get("/collaboratives/<id:collaborative_id>")
@bp.doc(tags=["places"])
@bp.response(200, CollaborativeSchema)
def get_collaborative(collaborative_id: int):
    """One national collaborative."""
    return get_collaborative_or_404(collaborative_id)


@bp.get("/collaboratives/<id:collaborative_id>/networks")
@bp.doc(tags=["places"])
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, CollaborativePage)
def list_collaborative_networks(collaborative_id: int, limit: int, cursor: str | None = None):
    """A collaborative's regional networks, by id; follow `next_cursor`."""
    collaborative = get_collaborative_or_404(collaborative_id)
    return paginate(networks_of(current_user).where(
        Collaborative.parent_id == collaborative.id), Collaborative.id, limit=limit,
        cursor=cursor)


@bp.get("/networks")
@bp.doc(tags=["places"])
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, CollaborativePage)
def list_networks(limit: int, cursor: str | None = None):
    """The regional networks of your collaboratives (archived ones flagged), by id."""
    return paginate(networks_of(current_user), Collaborative.id, limit=limit, cursor=cursor)


@bp.get("/networks/<id:network_id>")
@bp.doc(tags=["places"])
@bp.response(200, CollaborativeSchema)
def get_network(network_id: int):
    """One regional network (`parent_id` is its national collaborative)."""
    return get_network_or_404(network_id, manage=False)


@bp.get("/sites")
@bp.doc(tags=["places"])
@bp.arguments(SiteFilters, location="query")
@bp.response(200, SitePage)
def list_sites(args: dict):
    """Sites in your collaboratives (archived ones left out, as in the directory), by id;
    follow `next_cursor`."""
    query = sites_visible_to(current_user)
    if args.get("collaborative"):
        query = query.where(Site.collaborative_id == args["collaborative"])
    if args.get("network"):
        query = query.where(Site.network_id == args["network"])
    return paginate(query, Site.id, limit=args["limit"], cursor=args.get("cursor"))


@bp.get("/sites/<id:site_id>")
@bp.doc(tags=["places"])
@bp.response(200, SiteSchema)
def get_site(site_id: int):
    """One site."""
    return get_site_or_404(site_id)
