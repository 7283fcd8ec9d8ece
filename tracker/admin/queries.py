"""Query builders for the admin lists: a fixed number of queries however many rows."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..models import AuditEvent, Collaborative, Measure, Site, User


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


def core_measures_of(collaborative: Collaborative) -> Select:
    """A collaborative's live core measures, in their order."""
    return (db.select(Measure).where(Measure.collaborative_id == collaborative.id,
                                     Measure.site_id.is_(None), Measure.deleted_at.is_(None))
            .order_by(Measure.position, Measure.id))


def measure_set_sources() -> Select:
    """National collaboratives with at least one live core measure to copy, by name."""
    has_core = (db.select(Measure.id).where(Measure.collaborative_id == Collaborative.id,
                                            Measure.site_id.is_(None),
                                            Measure.deleted_at.is_(None)).exists())
    return (db.select(Collaborative).where(Collaborative.parent_id.is_(None), has_core)
            .order_by(Collaborative.name))


def audit_events(*, person: str = "", action: str = "", since: date | None = None,
                 until: date | None = None, site_id: int | None = None) -> Select:
    """Audit events, newest first, filtered by the actor's name or email, the site concerned,
    action and dates (both inclusive); actor and site are joined: a page costs one query."""
    query = (db.select(AuditEvent).outerjoin(AuditEvent.actor).outerjoin(AuditEvent.site)
             .options(contains_eager(AuditEvent.actor), contains_eager(AuditEvent.site))
             .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    if person:
        needle = person.strip().lower()
        query = query.where(db.or_(db.func.lower(User.email).contains(needle, autoescape=True),
                                   db.func.lower(User.name).contains(needle, autoescape=True)))
    if site_id:
        query = query.where(AuditEvent.site_id == site_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if since:
        query = query.where(AuditEvent.created_at >= datetime.combine(since, time.min))
    if until:
        query = query.where(AuditEvent.created_at < datetime.combine(until + timedelta(days=1),
                                                                     time.min))
    return query


def audit_sites() -> list[tuple[int, str]]:
    """Every site (archived ones too: their history stays), for the filter's choices."""
    return [(site_id, name) for site_id, name in db.session.execute(
        db.select(Site.id, Site.name).order_by(Site.name, Site.id))]


def audit_actions() -> list[str]:
    """Every action the log holds, for the filter's choices."""
    return list(db.session.scalars(
        db.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
