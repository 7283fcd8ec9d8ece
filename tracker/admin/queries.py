"""Query builders for the admin lists: a fixed number of queries however many rows."""

from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Collaborative, Site


def national_collaboratives() -> Select:
    """National collaboratives, live first, with their networks (one extra query for all)."""
    return (db.select(Collaborative).where(Collaborative.parent_id.is_(None))
            .options(selectinload(Collaborative.networks))
            .order_by(Collaborative.archived_at.is_not(None), Collaborative.name))


def live_site_counts() -> dict[int, int]:
    """Live (unarchived) sites per collaborative and per network, in one query."""
    rows = db.session.execute(
        db.select(Site.collaborative_id, Site.network_id, db.func.count(Site.id))
        .where(Site.archived_at.is_(None)).group_by(Site.collaborative_id, Site.network_id)
    ).all()
    counts: dict[int, int] = {}
    for collaborative_id, network_id, count in rows:
        counts[collaborative_id] = counts.get(collaborative_id, 0) + count
        if network_id is not None:
            counts[network_id] = counts.get(network_id, 0) + count
    return counts


def sites_of(collaborative: Collaborative) -> Select:
    """Every site of a collaborative, archived ones last."""
    return (db.select(Site).where(Site.collaborative_id == collaborative.id)
            .order_by(Site.archived_at.is_not(None), Site.name))
