"""The feature's loader (404 and 403 in one place) and the data loading every chart shares."""

from flask import abort, current_app, url_for
from flask_login import current_user

from ..extensions import db
from ..models import Measure, Site
from . import charts, queries, series


def get_measure_or_404(measure_id: int, *, edit: bool = False) -> Measure:
    """The measure, if the current user may read it (and change its definition, with edit)."""
    measure = db.get_or_404(Measure, measure_id)
    if measure.deleted_at is not None:
        abort(404)
    if not measure.can_view(current_user):
        abort(403)
    if edit and not measure.can_edit(current_user):
        abort(403)
    return measure


def get_site_or_404(measure: Measure, site_id: int | None, *, enter: bool = False,
                    lead: bool = False) -> Site:
    """The site whose data of `measure` is wanted: one where the measure is charted and the
    user may look; with enter=True the user must be on its team, with lead=True its lead."""
    site = db.session.get(Site, site_id) if site_id else default_site(measure)
    if site is None or not measure.can_chart_at(site):
        abort(404)
    if not current_user.can_view_collaborative(site.collaborative_id):
        abort(403)
    if enter and not measure.can_enter_data(current_user, site):
        abort(403)
    if lead and not measure.can_set_phases(current_user, site):
        abort(403)
    return site


def default_site(measure: Measure) -> Site | None:
    """The user's own site when the measure is charted there, else the first site."""
    own = [m.site for m in current_user.memberships if measure.can_chart_at(m.site)]
    if own:
        return min(own, key=lambda s: s.name)
    return db.session.execute(queries.chart_sites(measure, current_user).limit(1)).scalar()


def load_chart(measure: Measure, site: Site, view: str) -> series.Chart:
    """One site's chart of a measure: its values on the period grid, phases applied."""
    rows = db.session.execute(queries.values_of([measure.id], [site.id])).scalars()
    breaks = db.session.execute(queries.phase_breaks_of(measure.id, [site.id])).scalars()
    points = series.build_points(measure, rows)
    return series.build_chart(measure, points, [b.period_start for b in breaks], view)


def load_cycles(measure: Measure, site: Site) -> list[charts.ChartCycle]:
    """Cycles to annotate: linked to the measure at this site, with the date their test began."""
    rows = db.session.execute(queries.cycles_on_chart(measure.id, site.id, current_user))
    linked = "cycles.detail" in current_app.view_functions
    return [
        charts.ChartCycle(c.id, c.title, c.do_started_on,
                     url_for("cycles.detail", cycle_id=c.id) if linked else "")
        for c in rows.scalars()
    ]
