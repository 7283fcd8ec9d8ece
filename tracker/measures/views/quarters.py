"""Reporting periods with thresholds (CQUIN quarters): the list, each site's result, the
flat CSV for a quarterly return, and the figure a site submitted elsewhere."""

from collections import defaultdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...core import audit
from ...core.args import arg_id
from ...core.exports import download_name
from ...core.forms import ConfirmForm
from ...core.queries import collaboratives_of
from ...extensions import db
from ...models import DataKind, Measure, ReportingPeriod, Site, SubmittedFigure
from .. import bp, quarters, queries, services
from ..forms import ReportingPeriodForm, SubmittedFigureForm
from ..transfer import csv_response


def _collaborative():
    """The collaborative asked for (?collaborative=), else the user's first; and the choices."""
    choices = db.session.execute(collaboratives_of(current_user)).scalars().all()
    asked = arg_id(request.args, "collaborative")
    chosen = next((c for c in choices if c.id == asked), choices[0] if choices else None)
    if chosen is None:
        abort(404)
    return chosen, choices


def _proportions(collaborative_id: int) -> list[Measure]:
    return db.session.scalars(db.select(Measure).where(
        Measure.collaborative_id == collaborative_id, Measure.site_id.is_(None),
        Measure.deleted_at.is_(None), Measure.data_kind == DataKind.PROPORTION)
        .order_by(Measure.position, Measure.name)).all()


def _get_period_or_404(reporting_id: int, *, manage: bool = False) -> ReportingPeriod:
    period = db.get_or_404(ReportingPeriod, reporting_id)
    if period.deleted_at is not None:
        abort(404)
    if not current_user.can_view_collaborative(period.collaborative_id):
        abort(403)
    if manage and not current_user.is_faculty_of(period.collaborative_id):
        abort(403)
    return period


@bp.route("/reporting", methods=["GET", "POST"])
@login_required
def reporting():
    """A collaborative's reporting periods; faculty add them."""
    collaborative, choices = _collaborative()
    faculty = current_user.is_faculty_of(collaborative.id)
    form = ReportingPeriodForm() if faculty else None
    if form is not None:
        form.measure_id.choices = [(str(m.id), m.name) for m in _proportions(collaborative.id)]
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit():
            period = ReportingPeriod(
                collaborative_id=collaborative.id, measure_id=int(form.measure_id.data),
                name=form.name.data.strip(), starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, threshold=float(form.threshold.data),
                min_periods=form.min_periods.data)
            services.add_reporting_period(period, by=current_user)
            db.session.commit()
            flash(f"Reporting period “{period.name}” added.", "success")
            return redirect(url_for("measures.reporting_period", reporting_id=period.id))
    listed = db.session.scalars(db.select(ReportingPeriod).where(
        ReportingPeriod.collaborative_id == collaborative.id,
        ReportingPeriod.deleted_at.is_(None)).order_by(ReportingPeriod.starts_on.desc(),
                                                        ReportingPeriod.id)).all()
    names = {m.id: m.name for m in db.session.scalars(db.select(Measure).where(
        Measure.id.in_({p.measure_id for p in listed})))} if listed else {}
    return render_template("measures/reporting.html", collaborative=collaborative,
                           choices=choices, periods=listed, names=names, form=form,
                           confirm_form=ConfirmForm()), 400 if form and form.errors else 200


def _results(period: ReportingPeriod) -> list[tuple[Site, quarters.SiteQuarter]]:
    """Each site's result (sites the user may look at): three queries however many sites."""
    measure = period.measure
    sites = db.session.execute(queries.chart_sites(measure, current_user)).scalars().all()
    ids = [s.id for s in sites]
    rows = defaultdict(list)
    for row in db.session.execute(queries.value_rows(measure.id, ids)):
        rows[row.site_id].append(row)
    submitted = {f.site_id: f.value for f in db.session.scalars(db.select(SubmittedFigure).where(
        SubmittedFigure.reporting_period_id == period.id, SubmittedFigure.site_id.in_(ids)))}
    return [(s, quarters.site_quarter(measure, period.starts_on, period.ends_on,
                                      period.threshold, period.min_periods, rows[s.id],
                                      submitted.get(s.id))) for s in sites]


@bp.get("/reporting/<id:reporting_id>")
@login_required
def reporting_period(reporting_id: int, figure_form: SubmittedFigureForm | None = None,
                     form_site_id: int | None = None):
    """Each site's result for the period: met, not met or data missing, and any gap to the
    figure it submitted elsewhere."""
    period = _get_period_or_404(reporting_id)
    results = _results(period)
    # One form per site of the user's own (prefixed, so their fields' ids differ).
    forms = {site.id: SubmittedFigureForm(formdata=None, prefix=f"s{site.id}",
                                          value="" if r.submitted is None else f"{r.submitted:g}")
             for site, r in results if site.id in current_user.site_ids}
    if figure_form is not None:
        forms[form_site_id] = figure_form
    return render_template(
        "measures/reporting_period.html", period=period, results=results,
        expected=len(quarters.periods_in(period.measure, period.starts_on, period.ends_on)),
        forms=forms, form_site_id=form_site_id,
        can_manage=current_user.is_faculty_of(period.collaborative_id),
        confirm_form=ConfirmForm(), statuses=(quarters.MET, quarters.NOT_MET, quarters.MISSING))


@bp.get("/reporting/<id:reporting_id>.csv")
@login_required
def reporting_csv(reporting_id: int):
    """One row per site: a flat file for a quarterly return."""
    period = _get_period_or_404(reporting_id)
    header = ["reporting_period", "measure", "site", "organisation", "first_day", "last_day",
              "threshold_percent", "periods_expected", "periods_reported", "numerator",
              "denominator", "percent", "status", "submitted_percent", "gap_points"]
    rows = []
    for site, r in _results(period):
        rows.append([period.name, period.measure.name, site.name, site.organisation,
                     period.starts_on.isoformat(), period.ends_on.isoformat(),
                     f"{period.threshold:g}", r.expected, r.reported, r.numerator,
                     r.denominator, "" if r.percent is None else f"{r.percent:.1f}", r.status,
                     "" if r.submitted is None else f"{r.submitted:g}",
                     "" if r.gap is None else f"{r.gap:+.1f}"])
    name = f"{download_name(period.name, period.measure.name)}.csv"
    audit.exported("reporting_period", obj=period, detail=name)
    return csv_response(header, rows, name)


@bp.post("/reporting/<id:reporting_id>/submitted")
@login_required
def submitted_figure(reporting_id: int):
    """The site's team records the figure it submitted elsewhere (e.g. the CQUIN return)."""
    period = _get_period_or_404(reporting_id)
    site = db.get_or_404(Site, arg_id(request.args, "site_id") or 0)
    if not period.measure.can_chart_at(site):
        abort(404)
    if not period.measure.can_enter_data(current_user, site):
        abort(403)
    form = SubmittedFigureForm(prefix=f"s{site.id}")
    if form.validate_on_submit():
        services.set_submitted_figure(period, site, float(form.value.data),
                                      (form.note.data or "").strip(), by=current_user)
        db.session.commit()
        flash(f"Submitted figure saved for {site.name}.", "success")
        return redirect(url_for("measures.reporting_period", reporting_id=period.id))
    return reporting_period(period.id, form, site.id), 400


@bp.post("/reporting/<id:reporting_id>/remove")
@login_required
def remove_reporting(reporting_id: int):
    """Remove a reporting period (kept in the database, marked removed): faculty."""
    period = _get_period_or_404(reporting_id, manage=True)
    if ConfirmForm().validate_on_submit():
        services.remove_reporting_period(period, by=current_user)
        db.session.commit()
        flash(f"Reporting period “{period.name}” removed.", "success")
    return redirect(url_for("measures.reporting", collaborative=period.collaborative_id))
