"""From a cycle to the data: its linked measures' charts with its test period shaded, the
run chart of a ramp, and learning from predictions per site and per ramp."""

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from ..core.args import arg_id
from ..extensions import db
from ..measures.front import charts_at_site
from ..models import Cycle, Site
from . import bp
from .calibration import calibrate, ramps_of
from .loaders import get_cycle_or_404


def test_period(cycle: Cycle) -> tuple | None:
    """(start, end, words) of the cycle's Do dates, for the shaded band; None before Do."""
    if cycle.do_started_on is None:
        return None
    start, end = cycle.do_started_on, cycle.do_ended_on
    words = (f"Test period of “{cycle.title}”: {start:%-d %b %Y}"
             + (f" to {end:%-d %b %Y}" if end else " (under way)"))
    return start, end, words


@bp.get("/<id:cycle_id>/charts")
@login_required
def charts(cycle_id: int):
    """The charts of the measures this cycle aims to move, at its site, with its test period
    shaded. Constant queries however many measures are linked."""
    cycle = get_cycle_or_404(cycle_id)
    shown = charts_at_site(cycle.measures, cycle.site, current_user,
                           highlight=test_period(cycle))
    return render_template("cycles/charts.html", cycle=cycle, shown=shown,
                           period=test_period(cycle))


@bp.get("/predictions")
@login_required
def predictions():
    """Learning from predictions at one site: how often they held and how far numeric ones
    were from the results, for the site and per ramp. Per site and ramp only: no person is
    named or ranked."""
    site_id = arg_id(request.args, "site_id")
    if site_id is None:
        own = sorted(current_user.site_ids)
        if not own:
            abort(404)
        site_id = own[0]
    site = db.get_or_404(Site, site_id)
    if not site.can_see_coaching(current_user):
        abort(403)
    cycles = [c for c in db.session.scalars(
        db.select(Cycle).where(Cycle.site_id == site.id, Cycle.deleted_at.is_(None))
        .options(selectinload(Cycle.questions)).order_by(Cycle.created_at, Cycle.id))
        if c.can_view(current_user)]
    overall = calibrate(q for c in cycles for q in c.questions)
    ramps = [(chain, calibrate(q for c in chain for q in c.questions))
             for chain in ramps_of(cycles)]
    ramps = [(chain, cal) for chain, cal in ramps if not cal.empty]
    return render_template("cycles/predictions.html", site=site, overall=overall, ramps=ramps)
