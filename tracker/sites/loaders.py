"""The feature's loaders: a collaborative, a regional network or a site the current user may
see (or act on, when asked), else 404/403. The admin area uses them too."""

from collections.abc import Callable

from flask import abort, g, request
from flask_login import current_user

from ..core.args import arg_id
from ..core.queries import collaboratives_of
from ..extensions import db
from ..models import Collaborative, Site, User


def get_collaborative_or_404(
    collaborative_id: int | None, *,
    may: Callable[[Collaborative, User], bool] | None = None,
) -> Collaborative:
    """A national collaborative the user belongs to (when none is asked, the first of theirs
    that passes `may`, so someone in several lands on one they may use); `may` is a further rule
    on the model the user must pass, e.g. Collaborative.can_manage."""
    if collaborative_id is None:
        theirs = _theirs()
        collaborative = next((c for c in theirs if may is None or may(c, current_user)),
                             theirs[0] if theirs else None)
    else:
        collaborative = db.session.get(Collaborative, collaborative_id)
    if collaborative is None or collaborative.parent_id is not None:
        abort(404)
    if not current_user.can_view_collaborative(collaborative.id):
        abort(403)
    if may is not None and not may(collaborative, current_user):
        abort(403)
    return collaborative


def collaborative_choices(
    may: Callable[[Collaborative, User], bool] | None = None,
) -> list[Collaborative]:
    """The user's live national collaboratives (those passing `may`), by name: a page shows a
    picker among them when there is more than one."""
    return [c for c in _theirs() if may is None or may(c, current_user)]


def _theirs() -> list[Collaborative]:
    """The user's live national collaboratives, read once per request (the page's picker and
    its choice of collaborative both ask) with their regional networks (for network_filter)."""
    if "collaboratives_of" not in g:
        national = (collaboratives_of(current_user).with_only_columns(Collaborative.id)
                    .order_by(None))
        found = db.session.scalars(
            db.select(Collaborative).where(Collaborative.id.in_(national)
                                           | Collaborative.parent_id.in_(national))
            .order_by(Collaborative.name, Collaborative.id)).all()
        g.collaboratives_of = [c for c in found if c.parent_id is None]
        g.networks_of = [c for c in found if c.parent_id is not None]
    return g.collaboratives_of


def network_filter(collaborative_ids: set[int] | None, *, faculty: bool = False
                   ) -> tuple[list[Collaborative], Collaborative | None]:
    """The regional networks a page may be filtered by (those of these collaboratives; None:
    every one), and the one chosen in ?network= (None: all, or an unknown value, ignored).
    With faculty=True, regional faculty are offered only their own networks."""
    if collaborative_ids is not None and set(collaborative_ids) <= {c.id for c in _theirs()}:
        networks = [n for n in g.networks_of if n.parent_id in collaborative_ids]
    else:
        query = db.select(Collaborative).where(Collaborative.parent_id.is_not(None))
        if collaborative_ids is not None:
            query = query.where(Collaborative.parent_id.in_(collaborative_ids))
        networks = db.session.scalars(query.order_by(Collaborative.name)).all()
    if faculty:
        networks = [n for n in networks
                    if (scope := current_user.network_scope(n.parent_id)) is None
                    or n.id in scope]
    wanted = arg_id(request.args, "network")
    return networks, next((n for n in networks if n.id == wanted), None)


def get_network_or_404(network_id: int, *, manage: bool = True) -> Collaborative:
    """A regional network whose national collaborative the user manages (rename, archive);
    with manage=False, one the user may read (a member of its collaborative)."""
    network = db.get_or_404(Collaborative, network_id)
    if network.parent is None:
        abort(404)
    allowed = (network.parent.can_manage(current_user) if manage
               else current_user.can_view_collaborative(network.parent_id))
    if not allowed:
        abort(403)
    return network


def get_site_or_404(site_id: int, *, manage: bool = False, administer: bool = False) -> Site:
    """The site, if the current user may see it; with manage=True they must manage its team,
    with administer=True its network or collaborative (to archive it)."""
    site = db.get_or_404(Site, site_id)
    if not current_user.can_view_collaborative(site.collaborative_id):
        abort(403)
    if (manage and not site.can_manage(current_user)) or (
            administer and not site.can_administer(current_user)):
        abort(403)
    return site
