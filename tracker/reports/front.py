"""The reports' front door for other features (the dashboard): which sites of a collaborative
may need support, the most urgent first."""

from datetime import datetime

from ..core.queries import faculty_sites
from ..events.periods import current_period
from ..extensions import db
from ..models import Collaborative, Site, User
from . import dashboard
from .dashboard import Needing, Reason, SiteRow

__all__ = ["Needing", "Reason", "SiteRow", "sites_needing_support"]


def sites_needing_support(collaborative: Collaborative, now: datetime,
                          user: User | None = None) -> Needing:
    """The collaborative's sites with a reason to need support this action period, ranked;
    with `user`, only the sites they support as faculty (a regional member's network)."""
    # The columns the ranking and the list read, not whole sites: a 1,500-site collaborative's
    # objects took longer to build than the ranking's query.
    query = db.select(Site.id, Site.name, Site.collaborative_id, Site.created_at).where(
        Site.collaborative_id == collaborative.id, Site.archived_at.is_(None)).order_by(Site.name)
    if user is not None and (scope := faculty_sites(user)) is not None:
        query = query.where(scope)
    sites = db.session.execute(query).all()
    return dashboard.support(sites, current_period(collaborative, now), now,
                             ids=query.with_only_columns(Site.id).order_by(None))
