"""Annotations on a site's chart and marks on its points (excluded, astronomical)."""

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ...core.args import arg_id
from ...core.forms import ConfirmForm
from ...extensions import db
from ...models import ChartNote, MeasureValue
from .. import bp, services
from ..entries import period_error
from ..forms import ChartNoteForm, PointFlagForm
from ..loaders import get_measure_or_404, get_measure_site_or_404
from .pages import _render_detail


def _back(measure, site):
    return redirect(url_for("measures.detail", measure_id=measure.id, site_id=site.id,
                            view=request.args.get("view") or None) + "#chart-notes")


@bp.post("/<id:measure_id>/notes")
@login_required
def add_note(measure_id: int):
    """Annotate the site's chart (its team): a date and what happened."""
    measure = get_measure_or_404(measure_id)
    site = get_measure_site_or_404(measure, arg_id(request.args, "site_id"), enter=True)
    form = ChartNoteForm()
    if form.validate_on_submit():
        services.add_chart_note(measure, site, form.on_date.data, form.text.data.strip(),
                                by=current_user)
        db.session.commit()
        flash("Note added to the chart.", "success")
        return _back(measure, site)
    return _render_detail(measure, site, request.args.get("view"), note_form=form), 400


@bp.post("/<id:measure_id>/notes/<id:note_id>/remove")
@login_required
def remove_note(measure_id: int, note_id: int):
    """Take a note off the chart (kept in the database, marked removed)."""
    measure = get_measure_or_404(measure_id)
    note = db.get_or_404(ChartNote, note_id)
    if note.measure_id != measure.id:
        abort(404)
    site = get_measure_site_or_404(measure, note.site_id, enter=True)
    if note.deleted_at is None and ConfirmForm().validate_on_submit():
        services.remove_chart_note(note, by=current_user)
        db.session.commit()
        flash("Note removed from the chart.", "success")
    return _back(measure, site)


@bp.post("/<id:measure_id>/flags")
@login_required
def flag_point(measure_id: int):
    """Mark a point excluded or astronomical, with why, or clear its mark (the site lead)."""
    measure = get_measure_or_404(measure_id)
    site = get_measure_site_or_404(measure, arg_id(request.args, "site_id"), lead=True)
    form = PointFlagForm()
    # Any period of the grid with data; the page offers them (pages.flag_choices).
    form.period.choices = [(request.form.get("period", ""), "")]
    if form.validate_on_submit():
        try:
            period = date.fromisoformat(form.period.data)
        except ValueError:
            period = None
        has_data = period is not None and not period_error(period, measure.frequency) and (
            db.session.scalar(db.select(MeasureValue.id).filter_by(
                measure_id=measure.id, site_id=site.id, period_start=period)) is not None)
        if has_data:
            kind = None if form.kind.data == "clear" else form.kind.data
            services.change_point_flag(measure, site, period, kind,
                                       (form.reason.data or "").strip(), by=current_user)
            db.session.commit()
            flash("Mark cleared." if kind is None else f"Point marked {kind}.", "success")
            return _back(measure, site)
        form.period.errors = ["Choose a point with data."]
    return _render_detail(measure, site, request.args.get("view"), flag_form=form), 400

