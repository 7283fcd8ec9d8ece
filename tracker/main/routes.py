"""The dashboard: the signed-in user's site and collaborative at a glance."""

from datetime import timedelta

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..core.queries import collaboratives_of
from ..core.versions import kept_at_sites, unshown, version_first
from ..events.queries import upcoming_events
from ..extensions import db
from ..models import Collaborative, Measure, utcnow
from ..setup.services import has_admin
from ..sustain import watch as sustain_watch
from . import bp
from .activity import recent_activity
from .oversight import answers_to, support_panel
from .teams import team_panels

SEEN_EVERY = timedelta(minutes=10)
UPCOMING_SHOWN = 3
DUE_KEPT = 300  # per app process: a set of sites' check-ins due, drawn (often empty)


def due_for(user, today) -> Markup:
    """The check-ins due at the user's sites (issue 16's sustainability watch), drawn. Kept
    under those sites' own versions (a check-in and its cycle are its site's), per set of
    sites and day: everyone on a team is served the one reading."""
    site_ids = tuple(sorted(user.site_ids))
    if not site_ids:
        return Markup("")

    def make() -> Markup:
        due = sustain_watch.due_checks(site_ids, today)
        return Markup(render_template("sustain/_due.html", due_checks=[
            c for site_id in sorted(due) for c in due[site_id]]))

    return kept_at_sites("due_checks", DUE_KEPT, site_ids, today, make)  # (sites: in its key)


@bp.get("/")
def index():
    """Send visitors to the dashboard (or to sign in); on a new install, to the first run."""
    # One indexed query, on this page only, and not cached: a restored or emptied database
    # may have no admin again.
    if not has_admin():
        return redirect(url_for("setup.create"))
    return redirect(url_for("main.dashboard"))


@bp.get("/dashboard")
@version_first  # the sites' sections and feed are kept (teams.team_panels, activity)
@login_required
def dashboard():
    """What to do next, by role: your site's work, what a lead watches, what faculty and
    partners look after; then what is coming up and what has been happening."""
    now, user = utcnow(), current_user
    # Each collaborative with its own count of core measures (someone may be in several
    # side by side), in one query.
    measures = (db.select(db.func.count(Measure.id))
                .where(Measure.collaborative_id == Collaborative.id, Measure.site_id.is_(None),
                       Measure.deleted_at.is_(None))
                .correlate(Collaborative).scalar_subquery())
    rows = db.session.execute(collaboratives_of(user).add_columns(measures)).all()
    collaboratives = [c for c, _ in rows]
    measure_counts = {c.id: n for c, n in rows}
    # Every event to come, in one query (a few dozen at most): the next three are listed,
    # those added lately are news in the activity feed.
    upcoming = db.session.execute(
        upcoming_events(user, now=now, limit=None)).scalars().all()
    events = upcoming[:UPCOMING_SHOWN]
    # What is new since the user's previous look, kept across sign-ins and devices; written
    # at most every SEEN_EVERY (not a write per visit: a refresh soon after is the same look).
    seen = user.dashboard_seen_at
    looked = seen is None or now - seen >= SEEN_EVERY
    if looked:
        with unshown():  # no kept report shows it: kept reports stay kept
            user.dashboard_seen_at = now
    page = render_template(
        "main/dashboard.html",
        teams=team_panels(user, now, events),
        due_checks=due_for(user, now.date()),
        support=support_panel(user, collaboratives, now),
        answers=answers_to(user, seen) if user.is_partner else None,
        seen=seen,
        collaboratives=collaboratives,
        measure_counts=measure_counts,
        events=events,
        activity=recent_activity(user, now=now, seen=seen, upcoming=upcoming),
    )
    if looked:
        db.session.commit()
    return page
