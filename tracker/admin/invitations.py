"""Inviting people in bulk (preview first, all or none), and the invitations of a site or a
collaborative with their state: resend a lost link, revoke one sent by mistake."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..auth import services as auth_services
from ..auth import throttle
from ..auth.forms import BulkInviteForm
from ..auth.loaders import get_invitation_or_404
from ..auth.queries import invitations_to
from ..core.db import lock
from ..core.forms import ConfirmForm
from ..core.paging import paginate
from ..core.urls import safe_next
from ..extensions import db
from ..models import Collaborative, InvitationState, User, utcnow
from ..sites.loaders import get_collaborative_or_404, get_site_or_404
from . import bp, invite_csv

PER_PAGE = 50


@bp.route("/people/invite", methods=["GET", "POST"])
@login_required
def invite_people():
    """Invite many people from a pasted or uploaded table; nothing is sent before the preview
    shows every row clean and the user confirms."""
    if not current_user.can_invite:
        abort(403)
    form = BulkInviteForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if upload and upload.filename:
                with upload.stream:
                    # One byte over the limit is enough to refuse it.
                    content = upload.stream.read(invite_csv.MAX_BYTES + 1)
                text, rows = invite_csv.read(content, upload.filename)
            elif not (form.rows.data or "").strip():
                raise invite_csv.FileProblem("Paste the table here, or choose a file.")
            else:
                text, rows = invite_csv.read(form.rows.data.encode(), "pasted.csv")
        except invite_csv.FileProblem as problem:
            (form.file if upload and upload.filename else form.rows).errors.append(str(problem))
        else:
            form.rows.data = text  # an upload shows as text, to correct and send from here
            # A fresh upload is always previewed first, even if "send" was pressed.
            sending = form.send.data and not (upload and upload.filename)
            if sending:
                # Checked with the inviter held until the commit: the same table sent twice
                # at once (a double click) waits, then finds its people invited.
                lock(User.name, current_user.id)
            result = invite_csv.check(rows, by=current_user)
            if sending and result.ok:
                # A send counts as one invitation against the inviter's allowance.
                if not throttle.refuse(_allowance(), form.rows):
                    throttle.record(_allowance())
                    return _send(result)
                return render_template("admin/invite_people.html", form=form, result=result,
                                       max_rows=invite_csv.MAX_INVITATIONS), 429
    return render_template("admin/invite_people.html", form=form, result=result,
                           max_rows=invite_csv.MAX_INVITATIONS)


def _allowance() -> list:
    return [("INVITE_LIMITS_PER_USER", str(current_user.id))]


def _send(result: invite_csv.Check):
    sent = invite_csv.send(result, by=current_user)
    db.session.commit()
    for _, invitation in sent:  # only once every invitation is safely stored
        auth_services.email_invitation(invitation, current_user)
    skipped = len(result.rows) - len(sent)
    flash(f"Sent {len(sent)} invitation{'s' if len(sent) != 1 else ''}"
          + (f"; {skipped} row{'s' if skipped != 1 else ''} needed nothing." if skipped else ".")
          , "success")
    return redirect(url_for("admin.invite_people"))


@bp.get("/sites/<id:site_id>/invitations")
@login_required
def site_invitations(site_id: int):
    """The invitations to a site's team, newest first (those who manage the team)."""
    site = get_site_or_404(site_id, manage=True)
    return _list(site=site, title=f"Invitations to {site.name}",
                 back=url_for("sites.detail", site_id=site.id))


@bp.get("/collaboratives/<id:collaborative_id>/invitations")
@login_required
def collaborative_invitations(collaborative_id: int):
    """The invitations to a collaborative's sites, networks and roles (its faculty, admins)."""
    collaborative = get_collaborative_or_404(collaborative_id, may=Collaborative.can_manage)
    return _list(collaborative=collaborative, title=f"Invitations to {collaborative.name}",
                 back=url_for("admin.collaborative_people", collaborative_id=collaborative.id))


def _list(*, title: str, back: str, **place):
    max_age, now = current_app.config["INVITE_MAX_AGE"], utcnow()
    state = request.args.get("state", "")
    chosen = InvitationState(state) if state in set(InvitationState) else None
    query = invitations_to(**place, state=chosen, max_age=max_age, now=now)
    page = paginate(query, request.args, per_page=PER_PAGE)
    return render_template(
        "admin/invitations.html", title=title, back=back, page=page, state=chosen,
        states=list(InvitationState), rows=[(i, i.state(max_age, now)) for i in page.items],
        args={k: v for k, v in request.args.items() if k != "page"})


@bp.post("/invitations/<id:invitation_id>/resend")
@login_required
def resend_invitation(invitation_id: int):
    """Email a new link (the old one stops working) for a pending or expired invitation."""
    invitation = get_invitation_or_404(invitation_id)
    if ConfirmForm().validate_on_submit():
        if wait := throttle.wait_seconds(_allowance()):
            flash(throttle.message(wait), "warning")
        elif not auth_services.renew_invitation(invitation, by=current_user):
            db.session.rollback()
            flash("That invitation was accepted or revoked: invite the person again instead.",
                  "warning")
        else:
            db.session.commit()
            throttle.record(_allowance())
            auth_services.email_invitation(invitation, current_user)  # once safely stored
            flash(f"A new link went to {invitation.email}; the old one no longer works.",
                  "success")
    return redirect(safe_next(request.form.get("next")) or url_for("main.dashboard"))


@bp.post("/invitations/<id:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int):
    """Stop an invitation's link working."""
    invitation = get_invitation_or_404(invitation_id)
    if ConfirmForm().validate_on_submit():
        if auth_services.revoke_invitation(invitation, by=current_user):
            db.session.commit()
            flash(f"The invitation to {invitation.email} is revoked.", "success")
        else:
            db.session.rollback()
            flash(f"{invitation.email} had accepted it (or it was revoked) a moment before: "
                  "nothing changed. Remove their role from the team if need be.", "warning")
    return redirect(safe_next(request.form.get("next")) or url_for("main.dashboard"))
