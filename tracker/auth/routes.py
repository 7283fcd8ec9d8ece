"""Sign in and out, invitations, password reset and the profile page."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from ..api import tokens as api_tokens
from ..core import audit
from ..core.args import arg_id, parse_id
from ..core.queries import collaboratives_of, sites_visible_to
from ..core.urls import safe_next
from ..extensions import db
from ..models import (
    ApiToken,
    CollaborativeRoleKind,
    Grade,
    Profession,
    SiteRole,
    TokenScope,
    User,
    utcnow,
)
from ..models.people import normalise_email
from . import bp, services, throttle
from .forms import (
    AcceptInviteForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from .token_forms import RevokeTokenForm, TokenForm


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        checks = throttle.login_checks(form.email.data)
        if throttle.refuse(checks, form.password):
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is not None:
            login_user(user, remember=form.remember.data)
            response = redirect(safe_next(request.args.get("next")) or url_for("main.dashboard"))
            throttle.remember_device(response, user.email)
            return response
        throttle.record(checks)
        form.password.errors.append("Email or password is not right.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out everywhere (POST, so a link on another site cannot sign you out)."""
    if current_user.is_authenticated:
        # A copied session or remember-me cookie must stop working too: the token it names goes.
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash("You are signed out. Your other devices are signed out too.", "info")
    response = redirect(url_for("auth.login"))
    # Nothing of theirs stays on this device: saved pages, the offline outbox (offline.js
    # clears them too, for browsers that ignore this header).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a password-reset link."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        checks = throttle.reset_checks(form.email.data)
        if throttle.refuse(checks, form.email):
            return render_template("auth/forgot.html", form=form), 429
        throttle.record(checks)
        services.send_password_reset(form.email.data)
        db.session.commit()
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Set a new password from an emailed link."""
    user = services.user_from_reset_token(token)
    if user is None:
        flash("That reset link has expired or was already used. Ask for a new one.", "warning")
        return redirect(url_for("auth.forgot"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        audit.record("auth.password_reset", actor=user, obj=user)
        db.session.commit()
        flash("Your password is set. Sign in with it now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/invite", methods=["GET", "POST"])
@login_required
def invite():
    """Invite someone to a site team or to a collaborative role."""
    choices = invite_choices(current_user)
    if not choices:
        abort(403)
    form = InviteForm()
    form.role.choices = choices
    if request.method == "GET" and (site_id := arg_id(request.args, "site_id")):
        form.role.data = f"site:{site_id}:member"
    if form.validate_on_submit():
        checks = [("INVITE_LIMITS_PER_USER", str(current_user.id))]
        if throttle.refuse(checks, form.email):
            return render_template("auth/invite.html", form=form), 429
        throttle.record(checks)
        services.invite(form.email.data, form.role.data, by=current_user)
        db.session.commit()
        flash(f"Invitation sent to {normalise_email(form.email.data)}.", "success")
        return redirect(url_for("auth.invite"))
    return render_template("auth/invite.html", form=form)


def invite_choices(user: User) -> list[SelectChoice]:
    """The roles `user` may invite people to, grouped by site and collaborative."""
    # Only sites and collaboratives still taking part: archived ones take no new people.
    sites = db.session.scalars(sites_visible_to(user))
    choices = []
    for site in sites:
        if site.can_manage(user):
            choices += [
                SelectChoice(f"site:{site.id}:{role.value}", f"{role.label}, {site.name}",
                             optgroup=site.name)
                for role in SiteRole
            ]
    collaboratives = db.session.scalars(collaboratives_of(user))
    for collaborative in collaboratives:
        if user.is_faculty_of(collaborative.id):
            choices += [
                SelectChoice(f"collab:{collaborative.id}:{role.value}",
                             f"{role.label}, {collaborative.name}", optgroup=collaborative.name)
                for role in CollaborativeRoleKind
            ]
    return choices


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """Accept an invitation: set up an account, or add the role to the signed-in account."""
    invitation = services.invitation_from_token(token)
    if invitation is None:
        flash("That invitation has expired or was already used. Ask for a new one.", "warning")
        return redirect(url_for("auth.login"))
    existing = db.session.execute(
        db.select(User).where(User.email == invitation.email)
    ).scalar_one_or_none()
    if existing is not None:
        if not current_user.is_authenticated or current_user.id != existing.id:
            flash(f"You already have an account. Sign in as {existing.email} to accept.", "info")
            return redirect(url_for("auth.login", next=request.path))
        if request.method == "POST":
            if services.held_invitation(token) is None:
                return _used_meanwhile(invitation)
            services.accept_invitation(invitation, user=current_user)
            db.session.commit()
            flash(f"You joined as {invitation.role_label}.", "success")
            return redirect(url_for("main.dashboard"))
        return render_template("auth/join_existing.html", invitation=invitation)
    form = AcceptInviteForm()
    if request.method == "GET":
        form.name.data = invitation.name  # as the inviter typed it; theirs to correct
    if form.validate_on_submit():
        if services.held_invitation(token) is None:
            return _used_meanwhile(invitation)
        user = services.accept_invitation(
            invitation, user=None, name=form.name.data, profession=form.profession.data,
            password=form.password.data,
        )
        db.session.commit()
        login_user(user)
        flash(f"Welcome, {user.name}. You joined as {invitation.role_label}.", "success")
        return redirect(url_for("main.dashboard"))
    return render_template("auth/join.html", form=form, invitation=invitation)


def _used_meanwhile(invitation):
    """An invitation accepted (the form sent twice), revoked or sent again since its page was
    opened: nothing is done twice. Accepted by this very person (a double click: the first
    click's answer, which made their account, is the one the browser drops), this one says
    so: signed in, their dashboard; if not, sign in with the password just chosen."""
    db.session.rollback()
    if invitation.accepted_at and current_user.is_authenticated and \
            current_user.id == invitation.accepted_by_id:
        flash(f"You joined as {invitation.role_label}.", "success")
        return redirect(url_for("main.dashboard"))
    if invitation.accepted_at and not current_user.is_authenticated:
        flash(f"Your account was made a moment ago (the form was sent twice): sign in as "
              f"{invitation.email} with the password you chose.", "info")
        return redirect(url_for("auth.login"))
    flash("That invitation was used, revoked or sent again a moment ago. If you accepted it, "
          "sign in; if not, ask for a new one.", "warning")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Your name, profession, password and API tokens."""
    form = ProfileForm(obj=current_user)
    password_form = ChangePasswordForm(prefix="pw")
    token_form, revoke_form = TokenForm(prefix="token"), RevokeTokenForm(prefix="revoke")
    if form.submit.data and form.validate_on_submit():
        current_user.name = form.name.data
        current_user.profession = Profession(form.profession.data)
        current_user.grade = Grade(form.grade.data)
        db.session.commit()
        flash("Profile saved.", "success")
        return redirect(url_for("auth.profile"))
    if password_form.submit.data and password_form.validate_on_submit():
        if not current_user.check_password(password_form.current_password.data):
            password_form.current_password.errors.append("That is not your current password.")
        else:
            current_user.set_password(password_form.password.data)
            audit.record("auth.password_changed", actor=current_user, obj=current_user)
            db.session.commit()
            login_user(current_user)  # the session token changed: keep this session signed in
            flash("Password changed. Other devices are signed out.", "success")
            return redirect(url_for("auth.profile"))
    new_secret = _create_token(token_form) if token_form.submit.data else None
    if revoke_form.submit.data and revoke_form.validate_on_submit():
        return _revoke_token(revoke_form.token_id.data)
    return render_template("auth/profile.html", form=form, password_form=password_form,
                           token_form=token_form, revoke_form=revoke_form, new_secret=new_secret,
                           tokens=api_tokens.tokens_of(current_user), now=utcnow())


def _create_token(token_form: TokenForm) -> str | None:
    """A new API token's secret, to show on this page once (it is stored hashed)."""
    if not token_form.validate_on_submit():
        return None
    _token, secret = api_tokens.create_token(
        current_user, name=token_form.name.data, scope=TokenScope(token_form.scope.data),
        expires_days=token_form.expires_days.data)
    db.session.commit()
    token_form.name.data = ""
    return secret


def _revoke_token(raw_id: str | None):
    """Revoke one of the user's tokens (another's is not found)."""
    token = db.session.get(ApiToken, parse_id(raw_id) or 0)
    if token is None or not token.can_revoke(current_user):
        abort(404)
    api_tokens.revoke_token(token, by=current_user)
    db.session.commit()
    flash(f"Token “{token.name}” revoked: it no longer works.", "success")
    return redirect(url_for("auth.profile"))
