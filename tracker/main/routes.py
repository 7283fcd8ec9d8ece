"""The dashboard: the signed-in user's site and collaborative at a glance."""

from flask import redirect, render_template, session, url_for
from flask_login import current_user, login_required

from ..core.queries import collaboratives_of
from ..events.queries import upcoming_events
from ..extensions import db
from ..models import Cycle, Measure, Membership, Stage, utcnow
from ..setup.services import has_admin
from . import bp
from .activity import recent_activity


@bp.get("/")
def index():
    """Send visitors to the dashboard (or to sign in); on a new install, to the first run."""
    # One indexed query, on this page only, and not cached: a restored or emptied database
    # may have no admin again.
    if not has_admin():
        return redirect(url_for("setup.create"))
    return redirect(url_for("main.dashboard"))


@bp.get("/dashboard")
@login_required
def dashboard():
    """Your sites, your collaborative, what is coming up."""
    site_ids = sorted(current_user.site_ids)
    stage_counts = {site_id: {stage: 0 for stage in Stage} for site_id in site_ids}
    rows = db.session.execute(
        db.select(Cycle.site_id, Cycle.stage, db.func.count(Cycle.id))
        .where(Cycle.site_id.in_(site_ids), Cycle.deleted_at.is_(None))
        .group_by(Cycle.site_id, Cycle.stage)
    )
    for site_id, stage, count in rows:
        stage_counts[site_id][stage] = count
    team_sizes = dict(
        db.session.execute(
            db.select(Membership.site_id, db.func.count(Membership.id))
            .where(Membership.site_id.in_(site_ids))
            .group_by(Membership.site_id)
        ).all()
    )
    collaboratives = db.session.execute(collaboratives_of(current_user)).scalars().all()
    # Each collaborative's own count: someone may be in several side by side.
    measure_counts = dict(db.session.execute(
        db.select(Measure.collaborative_id, db.func.count(Measure.id)).where(
            Measure.collaborative_id.in_([c.id for c in collaboratives]),
            Measure.site_id.is_(None),
            Measure.deleted_at.is_(None),
        ).group_by(Measure.collaborative_id)
    ).all())
    events = db.session.execute(upcoming_events(current_user, now=utcnow())).scalars().all()
    # The feed marks what is new since the previous look at the dashboard.
    last_visit, session["activity_seen_at"] = session.get("activity_seen_at"), utcnow().isoformat()
    memberships = sorted(current_user.memberships, key=lambda m: m.site.name)
    return render_template(
        "main/dashboard.html",
        memberships=memberships,
        stage_counts=stage_counts,
        team_sizes=team_sizes,
        collaboratives=collaboratives,
        measure_counts=measure_counts,
        events=events,
        activity=recent_activity(current_user, now=utcnow(), last_visit=last_visit),
    )
