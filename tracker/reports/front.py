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
    ids = db.select(Site.id).where(Site.collaborative_id == collaborative.id,
                                   Site.archived_at.is_(None))
    if user is not None and (scope := faculty_sites(user)) is not None:
        ids = ids.where(scope)
    return dashboard.support({collaborative.id}, ids, current_period(collaborative, now), now)
