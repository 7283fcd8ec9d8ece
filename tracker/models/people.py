"""Collaboratives, sites, users and their roles."""

import secrets
from datetime import date, datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import (
    CollaborativeRoleKind,
    Grade,
    InvitationState,
    Profession,
    SiteRole,
    enum_column,
    utcnow,
)

# Every way of choosing a password (forms, the first run, scripts) checks this length.
MIN_PASSWORD = 10


class Collaborative(db.Model):
    """A QI collaborative; one with a parent is a regional network inside a national one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    aim: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[Optional[date]]
    ends_on: Mapped[Optional[date]]
    parent_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("collaborative.id"), index=True)
    # The aim's numbers: which of its core measures shows the aim is met, the value to reach and
    # by when. (use_alter: measure rows point back at the collaborative.)
    aim_measure_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey(
        "measure.id", use_alter=True, name="fk_collaborative_aim_measure_id"))
    aim_target: Mapped[Optional[float]]
    aim_target_on: Mapped[Optional[date]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Soft archive: gone from pickers and the admin lists, its work still readable.
    archived_at: Mapped[Optional[datetime]]

    parent: Mapped[Optional["Collaborative"]] = relationship(
        remote_side=[id], back_populates="networks"
    )
    networks: Mapped[list["Collaborative"]] = relationship(
        back_populates="parent", order_by="Collaborative.name"
    )
    aim_measure: Mapped[Optional["Measure"]] = relationship(  # noqa: F821 (models.measures)
        foreign_keys=[aim_measure_id], post_update=True)

    @property
    def root_id(self) -> int:
        return self.parent_id or self.id

    def has_faculty(self, user: "User") -> bool:
        """Whether `user` is faculty of this (national) collaborative; admins count."""
        return user.is_faculty_of(self.id)

    def can_add_idea(self, user: "User") -> bool:
        """Its site teams and its faculty add change ideas to its library."""
        return self.id in user.collaborative_ids and (
            any(m.site.collaborative_id == self.id for m in user.memberships)
            or user.is_faculty_of(self.id))

    def can_manage_calendar(self, user: "User") -> bool:
        """Faculty of the national collaborative add and change its (and its networks') events."""
        return user.is_faculty_of(self.root_id)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def can_manage(self, user: "User") -> bool:
        """Admins, and faculty named on this collaborative or on its national one, manage its
        networks and sites: national faculty every network, regional faculty only their own."""
        if user.is_admin:
            return True
        ids = {self.id, self.root_id}
        return any(r.role == CollaborativeRoleKind.FACULTY and r.collaborative_id in ids
                   for r in user.collaborative_roles)

    def can_manage_some_part(self, user: "User") -> bool:
        """Whether the user manages this collaborative or at least one of its networks."""
        return self.can_manage(user) or any(n.can_manage(user) for n in self.networks)

    def can_edit(self, user: "User") -> bool:
        """Only admins create, edit and archive a (national) collaborative."""
        return user.is_admin

    def __repr__(self) -> str:
        return f"<Collaborative {self.name!r}>"


class Site(db.Model):
    """A hospital (or ward team) taking part in a collaborative."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    region: Mapped[str] = mapped_column(sa.String(100), default="")
    # The collaborative whose work the site shares (national), and its regional network if any.
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaborative.id"), index=True)
    network_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("collaborative.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Soft archive: a site that left; its cycles and data stay readable.
    archived_at: Mapped[Optional[datetime]]
    # The sign-up record: who committed the organisation, who leads, when it joined, and the
    # wards or units taking part (one a line).
    joined_on: Mapped[Optional[date]]
    executive_sponsor: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    clinical_lead: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    data_lead: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    wards: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    collaborative: Mapped[Collaborative] = relationship(foreign_keys=[collaborative_id])
    network: Mapped[Optional[Collaborative]] = relationship(foreign_keys=[network_id])

    __table_args__ = (sa.UniqueConstraint("collaborative_id", "name"),)

    def can_manage(self, user: "User") -> bool:
        """Its site leads, admins and the faculty who run it (the collaborative's national
        faculty, or its own network's regional faculty) manage the team and invite."""
        return (user.is_admin or self.id in user.lead_site_ids
                or (self.network or self.collaborative).can_manage(user))

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def can_see_coaching(self, user: "User") -> bool:
        """Coaching aids about the site (learning from predictions): its own team and the
        collaborative's faculty (and admins), not other sites."""
        return self.id in user.site_ids or user.is_faculty_of(self.collaborative_id)

    def can_administer(self, user: "User") -> bool:
        """Who may archive the site: those who manage its network (or its collaborative)."""
        return (self.network or self.collaborative).can_manage(user)

    @property
    def ward_list(self) -> list[str]:
        return [line.strip() for line in (self.wards or "").splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<Site {self.name!r}>"


class User(UserMixin, db.Model):
    """A person with an account. Emails are stored lower-cased, so they are unique ignoring case."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    profession: Mapped[Profession] = mapped_column(
        enum_column(Profession), default=Profession.OTHER
    )
    grade: Mapped[Grade] = mapped_column(enum_column(Grade), default=Grade.NOT_STATED,
                                         server_default=Grade.NOT_STATED.value)
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Flask-Login's id: changing it (on password change or reset) ends every other session,
    # remember-me cookies included.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=lambda: secrets.token_urlsafe(24)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[Optional[datetime]]
    # When the user last opened the dashboard: what is newer is marked new (across sign-ins).
    dashboard_seen_at: Mapped[Optional[datetime]]
    # Not a column: the unread notifications counted when the signed-in user was loaded
    # (core.web.load_user), for the navbar; None when loaded any other way.
    unread_when_loaded: Mapped[Optional[int]] = query_expression()

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    collaborative_roles: Mapped[list["CollaborativeRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @validates("email")
    def _normalise_email(self, key, value: str) -> str:
        return normalise_email(value)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Sign the user out on every device: sessions and remember-me cookies name the token."""
        self.session_token = secrets.token_urlsafe(24)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    # Facts about the user's roles. They read relationships the login loader eager-loads.
    @property
    def site_ids(self) -> set[int]:
        return {m.site_id for m in self.memberships}

    @property
    def lead_site_ids(self) -> set[int]:
        return {m.site_id for m in self.memberships if m.role == SiteRole.SITE_LEAD}

    @property
    def collaborative_ids(self) -> set[int]:
        """The (national) collaboratives whose shared work this user may read."""
        ids = {m.site.collaborative_id for m in self.memberships}
        ids |= {r.collaborative.root_id for r in self.collaborative_roles}
        return ids

    def is_faculty_of(self, collaborative_id: int) -> bool:
        return self.is_admin or any(
            r.role == CollaborativeRoleKind.FACULTY and r.collaborative.root_id == collaborative_id
            for r in self.collaborative_roles
        )

    @property
    def is_faculty(self) -> bool:
        return self.is_admin or any(
            r.role == CollaborativeRoleKind.FACULTY for r in self.collaborative_roles
        )

    @property
    def is_partner(self) -> bool:
        return any(r.role == CollaborativeRoleKind.PARTNER for r in self.collaborative_roles)

    def can_view_collaborative(self, collaborative_id: int) -> bool:
        return self.is_admin or collaborative_id in self.collaborative_ids

    def sees_drafts_at(self, site_id: int) -> bool:
        """A site's drafts (its cycles shared with its team only) are its team's, and admins'."""
        return self.is_admin or site_id in self.site_ids

    @property
    def faculty_collaboratives(self) -> list["Collaborative"]:
        """The collaboratives and networks whose networks and sites this user (not an admin,
        who has the whole admin area) helps run, by name."""
        if self.is_admin:
            return []
        return sorted((r.collaborative for r in self.collaborative_roles
                       if r.role == CollaborativeRoleKind.FACULTY), key=lambda c: c.name)

    @property
    def faculty_reach(self) -> tuple[set[int], set[int]] | None:
        """Whose sites this user supports as faculty: (national collaboratives, every site;
        regional networks, only their own sites). None for admins: every site."""
        if self.is_admin:
            return None
        roles = [r for r in self.collaborative_roles if r.role == CollaborativeRoleKind.FACULTY]
        national = {r.collaborative_id for r in roles if r.collaborative.parent_id is None}
        regional = {r.collaborative_id for r in roles
                    if r.collaborative.parent_id not in (None, *national)}
        return national, regional

    def network_scope(self, collaborative_id: int) -> set[int] | None:
        """The networks a user's faculty rights in this collaborative are bounded to: None
        when not bounded (admins and national faculty), else their own networks' ids."""
        reach = self.faculty_reach
        if reach is None or collaborative_id in reach[0]:
            return None
        return {r.collaborative_id for r in self.collaborative_roles
                if r.collaborative_id in reach[1] and r.collaborative.parent_id == collaborative_id}

    @property
    def faculty_collaborative_ids(self) -> set[int] | None:
        """The collaboratives whose review queue the user sees (None: every one, for admins)."""
        if self.is_admin:
            return None
        return {cid for cid in self.collaborative_ids if self.is_faculty_of(cid)}

    @property
    def can_invite(self) -> bool:
        return self.is_admin or self.is_faculty or bool(self.lead_site_ids)

    def can_manage_account(self, user: "User") -> bool:
        """Whether `user` may deactivate or reactivate this account: admins anyone but
        themselves; others only someone all of whose places they manage (a site lead their own
        site's team, faculty their collaborative's people), and never an admin."""
        if user.id == self.id or self.is_admin:
            return False
        if user.is_admin:
            return True
        places = [m.site for m in self.memberships]
        places += [r.collaborative for r in self.collaborative_roles]
        return bool(places) and all(place.can_manage(user) for place in places)

    @property
    def role_summary(self) -> str:
        """Human words for what this user is, e.g. 'Site lead, Northgate General'."""
        parts = [f"{m.role.label}, {m.site.name}" for m in self.memberships]
        parts += [r.role.label for r in self.collaborative_roles]
        if self.is_admin:
            parts.append("Admin")
        return "; ".join(parts) or "No role yet"

    def __repr__(self) -> str:
        return f"<User {self.email!r}>"


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


class Membership(db.Model):
    """A user's place in a site team."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    role: Mapped[SiteRole] = mapped_column(enum_column(SiteRole), default=SiteRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The site's version (core.versions), when the login loader reads it with the user.
    site_version_when_loaded: Mapped[Optional[int]] = query_expression()

    user: Mapped[User] = relationship(back_populates="memberships")
    site: Mapped[Site] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "site_id"),)


class CollaborativeRole(db.Model):
    """A collaborative-wide role: faculty, or lived-experience partner."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaborative.id"), index=True)
    role: Mapped[CollaborativeRoleKind] = mapped_column(enum_column(CollaborativeRoleKind))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="collaborative_roles")
    collaborative: Mapped[Collaborative] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "collaborative_id"),)


class Invitation(db.Model):
    """An emailed, one-time invitation to join a site or a collaborative role."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    # The invitee's name as the inviter typed it: it fills in the sign-up form.
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    # Either a site membership (site_id + site_role) or a collaborative role.
    site_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("site.id"))
    site_role: Mapped[Optional[SiteRole]] = mapped_column(enum_column(SiteRole))
    collaborative_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("collaborative.id"))
    collaborative_role: Mapped[Optional[CollaborativeRoleKind]] = mapped_column(
        enum_column(CollaborativeRoleKind)
    )
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    # A random nonce in the signed link, so an invitation cannot be guessed from its id.
    nonce: Mapped[str] = mapped_column(sa.String(64), default=lambda: secrets.token_urlsafe(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the link now valid was sent: a resend gives a new nonce (the old link dies) and a
    # new start to the expiry.
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[Optional[datetime]]
    accepted_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    revoked_at: Mapped[Optional[datetime]]

    site: Mapped[Optional[Site]] = relationship()
    collaborative: Mapped[Optional[Collaborative]] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])

    def state(self, max_age: timedelta, now: datetime | None = None) -> InvitationState:
        """Accepted, revoked, expired (its link older than `max_age`) or pending."""
        if self.accepted_at:
            return InvitationState.ACCEPTED
        if self.revoked_at:
            return InvitationState.REVOKED
        if (now or utcnow()) - self.sent_at > max_age:
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def target(self) -> Site | Collaborative:
        return self.site if self.site_id else self.collaborative

    def can_manage(self, user: User) -> bool:
        """Who may resend or revoke it: whoever manages the site or collaborative it invites to
        (site leads their own site's invitations only)."""
        return self.target.can_manage(user)

    @validates("email")
    def _normalise_email(self, key, value: str) -> str:
        return normalise_email(value)

    @property
    def role_label(self) -> str:
        if self.site_id:
            return f"{self.site_role.label} at {self.site.name}"
        return f"{self.collaborative_role.label}, {self.collaborative.name}"
