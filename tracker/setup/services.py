"""First-run verbs: is there an admin yet, and create one. They flush, never commit."""

from email_validator import EmailNotValidError, validate_email

from ..core import audit
from ..extensions import db
from ..models import Profession, User
from ..models.people import MIN_PASSWORD, normalise_email


class SetupError(ValueError):
    """Input refused, with a message that says what to fix."""


def has_admin() -> bool:
    """Whether any admin account exists (a deactivated one counts: the first-run page must
    not reopen to strangers because the only admin was switched off)."""
    return db.session.scalar(
        db.select(User.id).where(User.is_admin.is_(True)).limit(1)
    ) is not None


def create_admin(email: str, name: str, password: str, *, by: User | None = None
                 ) -> tuple[User, bool]:
    """The admin with this email and whether they were created now.

    An existing admin with the same email is returned unchanged (so scripts can run twice);
    an existing non-admin account is refused rather than promoted behind its owner's back.
    """
    email, name = normalise_email(email), (name or "").strip()
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise SetupError(f"The email {email!r} is not valid: {error}") from error
    if not name or len(name) > 120:
        raise SetupError("The name is required (at most 120 characters).")
    if not MIN_PASSWORD <= len(password or "") <= 200:
        raise SetupError(f"The password needs at least {MIN_PASSWORD} characters.")
    user = db.session.scalars(db.select(User).where(User.email == email)).one_or_none()
    if user is not None:
        if user.is_admin:
            return user, False
        raise SetupError(f"{email} already has an account that is not an admin; use "
                         "`create-user --role admin` to make it one.")
    user = User(email=email, name=name, profession=Profession.OTHER, is_admin=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("admin.admin_created", actor=by or user, obj=user, after={"email": email})
    return user, True
