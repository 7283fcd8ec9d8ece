"""Account verbs: signed links, invitations, resets, sign-in and sign-out. They never commit."""

import functools
import secrets

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from ..core import audit
from ..core.db import hold_rows
from ..core.mail import send_mail
from ..core.versions import unshown
from ..extensions import db
from ..models import (
    CollaborativeRole,
    CollaborativeRoleKind,
    Invitation,
    InvitationState,
    Membership,
    Profession,
    User,
    utcnow,
)
from ..models.people import normalise_email


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def invitation_token(invitation: Invitation) -> str:
    return _serializer("invite").dumps({"id": invitation.id, "n": invitation.nonce})


def invitation_from_token(token: str) -> Invitation | None:
    """The open invitation a link names, or None if the link is forged, expired or used."""
    max_age = current_app.config["INVITE_MAX_AGE"].total_seconds()
    try:
        data = _serializer("invite").loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    invitation = db.session.get(Invitation, data.get("id"))
    if invitation is None or invitation.nonce != data.get("n"):
        return None
    if invitation.state(current_app.config["INVITE_MAX_AGE"]) != InvitationState.PENDING:
        return None
    return invitation


def held_invitation(token: str) -> Invitation | None:
    """invitation_from_token, read again with the invitation held until the commit: of two
    acceptances at once (a form sent twice), or an acceptance and a revoke or resend, one
    waits for the other and then finds the link used, revoked or replaced."""
    invitation = invitation_from_token(token)
    if invitation is None:
        return None
    hold_rows(Invitation.sent_at, invitation)
    return invitation_from_token(token)


def reset_token(user: User) -> str:
    # The session token changes with the password, so a used link stops working.
    return _serializer("reset").dumps({"id": user.id, "t": user.session_token})


def user_from_reset_token(token: str) -> User | None:
    max_age = current_app.config["RESET_MAX_AGE"].total_seconds()
    try:
        data = _serializer("reset").loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or not user.active or user.session_token != data.get("t"):
        return None
    return user


def invite(email: str, role_key: str, *, by: User, name: str = "", send: bool = True
           ) -> Invitation:
    """Invite to `role_key` ("site:ID:ROLE" or "collab:ID:ROLE") and email the link (unless
    send=False: the caller emails it after committing, with email_invitation)."""
    kind, object_id, role = role_key.split(":")
    invitation = Invitation(email=email, name=(name or "").strip()[:120], invited_by=by)
    if kind == "site":
        invitation.site_id, invitation.site_role = int(object_id), role
    else:
        invitation.collaborative_id, invitation.collaborative_role = int(object_id), role
    db.session.add(invitation)
    db.session.flush()
    db.session.refresh(invitation)
    if send:
        email_invitation(invitation, by)
    audit.record("auth.invite", actor=by, obj=invitation, after={"email": email, "role": role_key})
    return invitation


def invitation_link(invitation: Invitation) -> str:
    """The invitation's live link (in a request, or a test request context naming the site)."""
    return url_for("auth.join", token=invitation_token(invitation), _external=True)


def email_invitation(invitation: Invitation, by: User) -> None:
    days = current_app.config["INVITE_MAX_AGE"].days
    send_mail(
        invitation.email,
        "You are invited to PDSA Tracker",
        f"{by.name} has invited you to join PDSA Tracker as {invitation.role_label}.\n\n"
        f"Set up your account here (the link works once, for {days} days):\n"
        f"{invitation_link(invitation)}\n",
    )


def renew_invitation(invitation: Invitation, *, by: User) -> bool:
    """A new link for an invitation not yet accepted or revoked (the old link dies); False,
    and nothing changed, when it has been (meanwhile, perhaps: it is read again, held). The
    caller commits, then emails it (email_invitation): not with the invitation held."""
    hold_rows(Invitation.sent_at, invitation)
    if invitation.accepted_at or invitation.revoked_at:
        return False
    invitation.nonce = secrets.token_urlsafe(16)
    invitation.sent_at = utcnow()
    db.session.flush()
    audit.record("auth.invite_resent", actor=by, obj=invitation, detail=invitation.email)
    return True


def revoke_invitation(invitation: Invitation, *, by: User) -> bool:
    """Stop an invitation's link working; False when it was accepted (an accepted one stays as
    it is) or revoked already, perhaps meanwhile: it is read again, held."""
    hold_rows(Invitation.sent_at, invitation)
    if invitation.accepted_at or invitation.revoked_at:
        return False
    invitation.revoked_at = utcnow()
    db.session.flush()
    audit.record("auth.invite_revoked", actor=by, obj=invitation, detail=invitation.email)
    return True


def set_active(person: User, active: bool, *, by: User | None) -> None:
    """Deactivate an account (its work stays, attributed; it can no longer sign in, and every
    session it has ends) or reactivate it."""
    if person.active == active:
        return
    person.active = active
    if not active:
        person.end_sessions()
    db.session.flush()
    audit.record("auth.user_reactivated" if active else "auth.user_deactivated", actor=by,
                 obj=person, before={"active": not active}, after={"active": active},
                 detail=person.email)


def change_collaborative_role(role: CollaborativeRole, kind: CollaborativeRoleKind, *,
                              by: User) -> None:
    """Make a collaborative-wide role faculty or partner."""
    if role.role == kind:
        return
    before, role.role = role.role.value, kind
    db.session.flush()
    audit.record("auth.role_changed", actor=by, obj=role, before={"role": before},
                 after={"role": kind.value}, detail=role.user.email)


def remove_collaborative_role(role: CollaborativeRole, *, by: User) -> None:
    """Take a collaborative-wide role away (the account and its work stay)."""
    audit.record("auth.role_removed", actor=by, obj=role,
                 before={"user_id": role.user_id, "role": role.role.value},
                 detail=role.user.email)
    db.session.delete(role)
    db.session.flush()


def accept_invitation(
    invitation: Invitation, *, user: User | None, name: str = "", profession: str = "",
    password: str = "",
) -> User:
    """Give the invitee the invited role, creating their account if they have none."""
    if user is None:
        user = User(email=invitation.email, name=name, profession=Profession(profession))
        user.set_password(password)
        user.last_login_at = utcnow()  # signed in by accepting
        db.session.add(user)
        db.session.flush()
    if invitation.site_id and invitation.site_id not in user.site_ids:
        db.session.add(
            Membership(user=user, site_id=invitation.site_id, role=invitation.site_role)
        )
    elif invitation.collaborative_id:
        existing = next(
            (r for r in user.collaborative_roles
             if r.collaborative_id == invitation.collaborative_id),
            None,
        )
        if existing is None:
            db.session.add(
                CollaborativeRole(
                    user=user,
                    collaborative_id=invitation.collaborative_id,
                    role=invitation.collaborative_role,
                )
            )
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    audit.record("auth.invite_accepted", actor=user, obj=invitation)
    db.session.flush()
    return user


def send_password_reset(email: str) -> None:
    """Email a reset link if an active account has this address; say nothing either way."""
    user = db.session.execute(
        db.select(User).where(User.email == normalise_email(email), User.active.is_(True))
    ).scalar_one_or_none()
    if user is None:
        return
    link = url_for("auth.reset", token=reset_token(user), _external=True)
    send_mail(
        user.email,
        "Reset your PDSA Tracker password",
        f"Someone (hopefully you) asked to reset the password for {user.email}.\n\n"
        f"Set a new password here (the link works once, for 2 hours):\n{link}\n\n"
        "If you did not ask, ignore this email: your password has not changed.\n",
    )
    audit.record("auth.reset_requested", actor=None, obj=user)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, auditing the attempt either way.

    Every path checks one password hash, so an unknown or inactive address answers no faster
    than a wrong password: the timing does not tell who has an account.
    """
    user = db.session.execute(
        db.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    matches = check_password_hash(stored, password)
    # Bookkeeping no kept report shows: a sign-in leaves what is kept as it was.
    with unshown():
        if user is None or not user.active or not user.password_hash or not matches:
            audit.record("auth.login_failed", actor=None, obj=user, detail=normalise_email(email))
            return None
        user.last_login_at = utcnow()
        audit.record("auth.login", actor=user, obj=user)
    return user


@functools.cache
def _dummy_hash() -> str:
    # The same algorithm and cost as real passwords (werkzeug's default), for a random secret.
    return generate_password_hash(secrets.token_urlsafe(16))
