"""Query builders for people and invitations: each a Select whose page costs a fixed number of
queries, however many rows it holds."""

from datetime import datetime, timedelta

from sqlalchemy import Select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    Collaborative,
    CollaborativeRole,
    Invitation,
    InvitationState,
    Membership,
    Site,
    User,
)


def _places_of(collaborative: Collaborative):
    """The ids of a national collaborative and its networks."""
    return db.select(Collaborative.id).where(db.or_(Collaborative.id == collaborative.id,
                                                    Collaborative.parent_id == collaborative.id))


def people_of(collaborative: Collaborative, *, never_signed_in: bool = False) -> Select:
    """Everyone on one of the collaborative's site teams or with a role in it or its networks,
    by name, with their places loaded (two extra queries for the whole page)."""
    on_team = (db.select(Membership.user_id).join(Site, Site.id == Membership.site_id)
               .where(Site.collaborative_id == collaborative.id))
    with_role = db.select(CollaborativeRole.user_id).where(
        CollaborativeRole.collaborative_id.in_(_places_of(collaborative)))
    query = (db.select(User).where(db.or_(User.id.in_(on_team), User.id.in_(with_role)))
             .options(selectinload(User.memberships).joinedload(Membership.site),
                      selectinload(User.collaborative_roles)
                      .joinedload(CollaborativeRole.collaborative))
             .order_by(User.name, User.id))
    if never_signed_in:
        query = query.where(User.last_login_at.is_(None))
    return query


def invitations_to(*, site: Site | None = None, collaborative: Collaborative | None = None,
                   state: InvitationState | None = None, max_age: timedelta,
                   now: datetime) -> Select:
    """Invitations to one site, or to a collaborative (its sites, its networks and its roles),
    newest first, with their place and inviter joined (one query a page)."""
    query = (db.select(Invitation)
             .options(joinedload(Invitation.site), joinedload(Invitation.collaborative),
                      joinedload(Invitation.invited_by))
             .order_by(Invitation.sent_at.desc(), Invitation.id.desc()))
    if site is not None:
        query = query.where(Invitation.site_id == site.id)
    else:
        sites = db.select(Site.id).where(Site.collaborative_id == collaborative.id)
        query = query.where(db.or_(Invitation.site_id.in_(sites),
                                   Invitation.collaborative_id.in_(_places_of(collaborative))))
    return query.where(*_in_state(state, now - max_age)) if state else query


def _in_state(state: InvitationState, oldest_live: datetime) -> list:
    """The SQL twin of Invitation.state."""
    open_ = [Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)]
    return {
        InvitationState.ACCEPTED: [Invitation.accepted_at.is_not(None)],
        InvitationState.REVOKED: [Invitation.accepted_at.is_(None),
                                  Invitation.revoked_at.is_not(None)],
        InvitationState.EXPIRED: [*open_, Invitation.sent_at < oldest_live],
        InvitationState.PENDING: [*open_, Invitation.sent_at >= oldest_live],
    }[state]
