"""The learning-events calendar: national and regional sessions, webinars, deadlines; its
iCalendar feed; faculty add, edit and (softly) delete events."""

from datetime import timedelta

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from wtforms import SelectChoice

from ..core import markdown
from ..core.forms import ConfirmForm
from ..extensions import db, login_manager
from ..models import Collaborative, EventKind, LearningEvent, utcnow
from . import bp, ics, queries, services
from .forms import EventForm, to_local, to_utc
from .loaders import get_event_or_404

PAST_SHOWN = 20
FEED_KEEPS_CANCELLED = timedelta(days=90)


@bp.app_template_filter("uk_time")
def uk_time(value, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
    """A stored (UTC) time as UK local time."""
    return to_local(value).strftime(fmt) if value else ""


@bp.get("/")
@login_required
def index():
    """Coming up and recent learning events, national and regional, with feed links."""
    now = utcnow()
    query = queries.events_visible_to(current_user)
    upcoming = db.session.scalars(query.where(
        (LearningEvent.starts_at >= now) | (LearningEvent.ends_at >= now))
        .order_by(LearningEvent.starts_at)).all()
    past = db.session.scalars(query.where(
        LearningEvent.starts_at < now, LearningEvent.ends_at.is_(None) | (
            LearningEvent.ends_at < now))
        .order_by(LearningEvent.starts_at.desc()).limit(PAST_SHOWN)).all()
    calendars = db.session.scalars(db.select(Collaborative).where(
        Collaborative.id.in_(queries.visible_collaborative_ids(current_user)))
        .order_by(Collaborative.parent_id.is_not(None), Collaborative.name)).all()
    key = current_app.config["SECRET_KEY"]
    feeds = [(c, url_for("events.feed", collaborative_id=c.id, _external=True,
                         token=services.feed_token(current_user, c.id, key)))
             for c in calendars]
    return render_template("events/index.html", upcoming=upcoming, past=past, feeds=feeds,
                           can_add=bool(services.managed_collaboratives(current_user)))


@bp.get("/<id:event_id>")
@login_required
def detail(event_id: int):
    """One event: when, where, the agenda, details and links to materials."""
    event = get_event_or_404(event_id)
    return render_template(
        "events/detail.html", event=event, details=markdown.render(event.details),
        agenda=markdown.render(event.agenda), materials=services.materials(event.materials),
        can_manage=event.can_manage(current_user), confirm_form=ConfirmForm())


def _form(event: LearningEvent | None = None) -> EventForm:
    form = EventForm(obj=event) if request.method == "GET" and event else EventForm()
    form.collaborative_id.choices = [
        SelectChoice(c.id, c.name if c.parent_id is None else f"{c.name} (regional)")
        for c in services.managed_collaboratives(current_user)]
    if request.method == "GET" and event:
        form.starts_at.data, form.ends_at.data = to_local(event.starts_at), to_local(
            event.ends_at)
        form.kind.data = event.kind.value
        form.seen.data = str(event.sequence)
    return form


def _apply(form: EventForm, event: LearningEvent) -> None:
    for name in ("collaborative_id", "title", "location", "details", "agenda", "materials"):
        setattr(event, name, form[name].data or ("" if name != "collaborative_id" else None))
    event.kind = EventKind(form.kind.data)
    event.starts_at, event.ends_at = to_utc(form.starts_at.data), to_utc(form.ends_at.data)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Faculty add a learning session, webinar or deadline; its people are told."""
    form = _form()
    if not form.collaborative_id.choices:
        abort(403)
    if form.validate_on_submit():
        event = LearningEvent()
        _apply(form, event)
        services.create_event(event, by=current_user)
        db.session.commit()
        flash("Event added to the calendar.", "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=None), 422 if form.errors else 200


@bp.route("/<id:event_id>/edit", methods=["GET", "POST"])
@login_required
def update(event_id: int):
    """Change an event; subscribed calendars pick up the change."""
    event = get_event_or_404(event_id, manage=True)
    form = _form(event)
    theirs = None
    if form.validate_on_submit():
        services.hold(event)
        if event.deleted_at is not None:
            abort(404)  # removed meanwhile
        if form.seen.data and form.seen.data != str(event.sequence):
            # Saved by someone else since the form was opened: theirs beside what was typed;
            # saving again (now knowingly) keeps the form's.
            theirs, form.seen.data = event, str(event.sequence)
        else:
            _apply(form, event)
            services.changed(event)
            db.session.commit()
            flash("Event updated.", "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = 409 if theirs else 422 if form.errors else 200
    return render_template("events/form.html", form=form, event=event, theirs=theirs), status


@bp.post("/<id:event_id>/delete")
@login_required
def delete(event_id: int):
    """Remove an event (kept, and shown as cancelled in subscribed calendars)."""
    event = get_event_or_404(event_id, manage=True)
    if ConfirmForm().validate_on_submit():
        services.hold(event)
        if event.deleted_at is None:  # not removed by someone else meanwhile
            services.delete_event(event)
        db.session.commit()
        flash("Event removed from the calendar.", "success")
    return redirect(url_for("events.index"))


@bp.get("/<id:collaborative_id>/calendar.ics")
def feed(collaborative_id: int):
    """The calendar as iCalendar, for a signed-in user or a personal subscription link."""
    user = services.user_from_feed_token(request.args.get("token"), collaborative_id,
                                         current_app.config["SECRET_KEY"])
    if user is None:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        user = current_user
    collaborative = db.session.get(Collaborative, collaborative_id)
    if collaborative is None:
        abort(404)
    if not user.can_view_collaborative(collaborative.root_id):
        abort(403)
    now = utcnow()
    entries = [ics.Entry(
        uid=f"learning-event-{e.id}@{request.host.split(':')[0]}", summary=e.title,
        starts_at=e.starts_at, ends_at=e.ends_at, stamp=e.updated_at or e.created_at,
        sequence=e.sequence or 0, location=e.location,
        description="\n\n".join(p for p in (e.details.strip(), e.agenda.strip()) if p),
        url=url_for("events.detail", event_id=e.id, _external=True),
        category=e.kind.label, cancelled=e.deleted_at is not None,
    ) for e in services.feed_events(collaborative, since=now - FEED_KEEPS_CANCELLED)]
    body = ics.calendar(entries, name=f"{collaborative.name} learning events", now=now)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="learning-events-{collaborative.id}.ics"'})
