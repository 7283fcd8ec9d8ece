"""The feature's loaders: an invitation, an account or a collaborative role the current user
may manage, else 404/403. The admin area and the site team page use them."""

from flask import abort
from flask_login import current_user

from ..extensions import db
from ..models import CollaborativeRole, Invitation, User


def get_invitation_or_404(invitation_id: int) -> Invitation:
    """An invitation the user may resend or revoke (Invitation.can_manage)."""
    invitation = db.get_or_404(Invitation, invitation_id)
    if not invitation.can_manage(current_user):
        abort(403)
    return invitation


def get_person_or_404(user_id: int) -> User:
    """An account the user may deactivate or reactivate (User.can_manage_account)."""
    person = db.get_or_404(User, user_id)
    if not person.can_manage_account(current_user):
        abort(403)
    return person


def get_collaborative_role_or_404(role_id: int) -> CollaborativeRole:
    """A collaborative-wide role in a collaborative (or network) the user manages."""
    role = db.get_or_404(CollaborativeRole, role_id)
    # Not one's own: faculty cannot lock themselves (or admins their colleagues) out by mistake.
    if role.user_id == current_user.id or not role.collaborative.can_manage(current_user):
        abort(403)
    return role
