"""The feature's loaders (404 and 403 in one place): a measure, and a site to read it at."""

from flask import abort
from flask_login import current_user

from ..extensions import db
from ..models import ImportBatch, Measure, PhaseBreak, Site
from . import queries


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


def get_measure_site_or_404(measure: Measure, site_id: int | None, *, enter: bool = False,
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


def get_import_batch_or_404(measure: Measure, batch_id: int, *,
                            importing: bool = False) -> ImportBatch:
    """A pending upload of `measure` by the current user (anyone else's is not found); with
    importing=True, also one confirmed and being imported by a job."""
    batch = db.get_or_404(ImportBatch, batch_id)
    statuses = ("pending", "importing") if importing else ("pending",)
    if (batch.measure_id != measure.id or batch.created_by_id != current_user.id
            or batch.status not in statuses):
        abort(404)
    return batch


def get_phase_or_404(measure: Measure, phase_id: int) -> PhaseBreak | None:
    """A live phase break of `measure`; None for another measure's or a removed one."""
    phase = db.get_or_404(PhaseBreak, phase_id)
    if phase.measure_id != measure.id or phase.deleted_at is not None:
        return None
    return phase
