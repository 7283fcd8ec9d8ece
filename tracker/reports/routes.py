"""Reports for the collaborative rhythm: the action-period report (page, print and CSV), a
site's storyboard for the learning session, and the faculty dashboard."""

from flask import Response, render_template, request
from flask_login import current_user, login_required

from ..core.args import arg_id
from ..core.exports import csv_text
from ..events.periods import ActionPeriod, all_periods, current_period
from ..extensions import db
from ..models import Collaborative, Decision, Site, utcnow
from ..sites.loaders import get_collaborative_or_404, get_site_or_404
from . import bp, dashboard, figures, storyboard

CSV_HEADER = (
    "site", "organisation", "cycles_started", "cycles_completed", "ramps_extended",
    "ideas_adopted", "ideas_adapted", "ideas_abandoned", "periods_of_data_submitted",
    "periods_of_data_missing", "main_measure_latest_signal", "feedback_given",
    "feedback_received", "professions_contributing",
)


def _period(collaborative: Collaborative) -> tuple[ActionPeriod, list[ActionPeriod]]:
    periods = all_periods(collaborative)
    chosen = request.args.get("period")
    period = next((p for p in periods if p.key == chosen), None)
    return period or current_period(collaborative, utcnow()), periods


def _sites(collaborative: Collaborative) -> list[Site]:
    return list(db.session.scalars(
        db.select(Site).where(Site.collaborative_id == collaborative.id).order_by(Site.name)))


@bp.get("/action-period")
@login_required
def action_period():
    """Per site, what happened in an action period; printable, or as CSV with format=csv."""
    collaborative = get_collaborative_or_404(arg_id(request.args, "collaborative"))
    period, periods = _period(collaborative)
    rows = figures.site_figures(_sites(collaborative), period, utcnow())
    measure = figures.main_measure(collaborative.id)
    if request.args.get("format") == "csv":
        return _csv(collaborative, period, rows)
    return render_template("reports/action_period.html", collaborative=collaborative,
                           period=period, periods=periods, rows=rows, measure=measure,
                           decisions=list(Decision))


def _csv(collaborative: Collaborative, period: ActionPeriod, rows) -> Response:
    body = csv_text(CSV_HEADER, [[
        r.site.name, r.site.organisation, r.started, r.completed, r.ramps_extended,
        *(r.decisions[d] for d in Decision), r.periods_submitted, r.periods_missing,
        r.signal, r.feedback_given, r.feedback_received,
        "; ".join(f"{label} ({n})" for label, n in r.professions),
    ] for r in rows])
    name = f"action-period-{period.start:%Y-%m-%d}-collaborative-{collaborative.id}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/sites/<id:site_id>/storyboard")
@login_required
def site_storyboard(site_id: int):
    """A site's one-page storyboard, printable to A4."""
    site = get_site_or_404(site_id)
    return render_template("reports/storyboard.html", board=storyboard.build(site, current_user))


@bp.get("/faculty")
@login_required
def faculty_dashboard():
    """Faculty only: sites needing support (most urgent first), the review queue, activity
    per site per week, the main measure across sites, each team's mix."""
    # has_faculty holds for admins too.
    collaborative = get_collaborative_or_404(arg_id(request.args, "collaborative"),
                                             may=Collaborative.has_faculty)
    now = utcnow()
    period = current_period(collaborative, now)
    sites = _sites(collaborative)
    rows = dashboard.build(sites, period, now)
    return render_template("reports/faculty.html", collaborative=collaborative, period=period,
                           rows=rows, weeks=dashboard.week_starts(now.date()),
                           heat=dashboard.heat, heat_words=dashboard.heat_words,
                           needing=dashboard.by_urgency(rows),
                           **dashboard.overview(collaborative, sites, current_user, now))
