"""Notifications in the app: the bell's count, the list, mark read, email preferences."""

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from ..core.forms import ConfirmForm
from ..core.notify import link_for
from ..core.paging import paginate
from ..core.versions import unshown
from ..extensions import db
from ..models import EmailChoice, Notification, NotificationKind, NotificationPreference, utcnow
from . import bp, delivery
from .forms import KIND_LABELS, preferences_form
from .loaders import get_notification_or_404

PER_PAGE = 30


@bp.after_app_request
def email_who_was_told(response):
    """After any request that told people something, email those who want it at once."""
    delivery.email_immediately()
    return response


@bp.app_context_processor
def notification_bell() -> dict:
    """The unread count for the navbar bell.

    The one justified exception to "context processors hold constants only": every page's
    navbar shows it, so it is one indexed COUNT (ix_notification_user_read), only for a
    signed-in user, read with the user (core.web.load_user) as the request began, else
    counted here and memoised in `g` so a request rendering twice still counts once.
    """
    if not current_user.is_authenticated:
        return {"unread_count": 0}
    if "unread_count" not in g and current_user.unread_when_loaded is not None:
        g.unread_count = current_user.unread_when_loaded
    if "unread_count" not in g:
        g.unread_count = db.session.scalar(
            db.select(sa.func.count()).where(
                Notification.user_id == current_user.id, Notification.read_at.is_(None)))
    return {"unread_count": g.unread_count}


@bp.get("/")
@login_required
def index():
    """Your notifications, newest first, unread ones marked."""
    page = paginate(
        db.select(Notification).where(Notification.user_id == current_user.id)
        .options(joinedload(Notification.actor))  # each row names who did it
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        request.args, per_page=PER_PAGE)
    rows = [(n, link_for(n)) for n in page.items]
    return render_template("notifications/index.html", page=page, rows=rows,
                           form=ConfirmForm(formdata=None))


@bp.post("/<id:notification_id>/read")
@login_required
def read(notification_id: int):
    """Mark one notification read, then go to what it is about (or back to the list)."""
    notification = get_notification_or_404(notification_id)
    if ConfirmForm().validate_on_submit():
        with unshown():  # no kept report shows what someone has read
            notification.read_at = notification.read_at or utcnow()
        db.session.commit()
    if request.form.get("go") and (link := link_for(notification)):
        return redirect(link)
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all():
    """Mark every notification read."""
    if ConfirmForm().validate_on_submit():
        with unshown():  # no kept report shows what someone has read
            db.session.execute(
                sa.update(Notification)
                .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
                .values(read_at=utcnow()))
        db.session.commit()
        flash("All notifications marked read.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Choose, per kind, whether to be emailed straight away, in a daily digest, or never."""
    current = delivery.preferences([current_user.id])[current_user.id]
    form = preferences_form(current, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        stored = {p.kind: p for p in db.session.scalars(
            db.select(NotificationPreference).filter_by(user_id=current_user.id))}
        for kind in NotificationKind:
            choice = EmailChoice(form[kind.value].data)
            pref = stored.get(kind) or NotificationPreference(user_id=current_user.id, kind=kind)
            pref.email = choice
            db.session.add(pref)
        db.session.commit()
        flash("Email preferences saved.", "success")
        return redirect(url_for("notifications.preferences"))
    fields = [form[kind.value] for kind in NotificationKind]
    return render_template("notifications/preferences.html", form=form, fields=fields,
                           labels=KIND_LABELS)
