"""Entering a site's data: the grid (one row per period) and the ward tally for bundles."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from ...core import idempotency
from ...core.args import arg_id, arg_int
from ...extensions import db
from ...models import Measure, MeasureValue, Site, User
from ...sustain.jobs import watch_after_save
from .. import bp, bundles, periods, services
from .. import tally as ward_tally
from ..entries import Entry, check_values, period_error, stored_stamp
from ..forms import GridForm, UndoTallyForm, tally_form
from ..loaders import get_measure_or_404, get_measure_site_or_404
from ..series import plotted
from ..words import format_value

GRID_SIZES = (12, 26, 52, 104)


@bp.route("/<id:measure_id>/data", methods=["GET", "POST"])
@login_required
def grid(measure_id: int):
    """Type a site's numbers, one row per week or month, newest first; all saved or none."""
    measure = get_measure_or_404(measure_id)
    site = get_measure_site_or_404(measure, arg_id(request.args, "site_id"), enter=True)
    size = arg_int(request.args, "periods", GRID_SIZES[0], low=1, high=GRID_SIZES[-1])
    size = size if size in GRID_SIZES else GRID_SIZES[0]
    form, status, refused = GridForm(), 200, ""
    # A grid saved offline and sent again from the outbox (same key) is answered, not re-saved.
    key = idempotency.request_key()
    if (answer := idempotency.replay(key)) is not None:
        return answer
    if not form.is_submitted():
        starts = periods.recent_periods(measure.frequency, size)
        stored = _stored(measure, site, starts)
        for start in starts:
            v = stored.get(start)
            form.rows.append_entry({
                "period": start.isoformat(),
                "numerator": _text(v.numerator if v else None),
                "denominator": _text(v.denominator if v else None),
                "value": _text(v.value if v else None), "note": v.note if v else "",
                "base": stored_stamp(v)})
    elif _valid(form, measure):
        entries = [_entry(row.form, measure, site) for row in form.rows]
        try:
            changed = services.save_entries(measure, entries, by=current_user, source="grid")
        except services.EntryConflict as conflict:
            db.session.rollback()  # nothing saved; let the others' saves go on
            _show_conflicts(form, measure, conflict.conflicts)
            status = 409
        except services.BundleConflict as conflict:
            db.session.rollback()
            _show_refusals(form, site, conflict.problems)
        except services.DefinitionChanged as changed:  # shown again as the measure is now
            db.session.rollback()
            refused, status = str(changed), 409
        else:
            done = url_for("measures.detail", measure_id=measure.id, site_id=site.id)
            message = f"Saved: {changed} {periods.unit(measure.frequency, changed)} changed."
            if (answer := idempotency.commit(key, "measures.grid", done, message)) is not None:
                return answer
            watch_after_save(site.id)
            flash(message, "success")
            return redirect(done)
    return render_template("measures/grid.html", measure=measure, site=site, form=form,
                           rows=[(row.form, _row_label(row.form, measure)) for row in form.rows],
                           size=size, sizes=GRID_SIZES, percent=_percent(form, measure),
                           failed=form.is_submitted(), refused=refused,
                           bundle=bundles.bundle_of(measure)), status


def _show_refusals(form: GridForm, site: Site, problems) -> None:
    """Each number that contradicts the rest of its bundle gets the reason beside its cell."""
    for row in form.rows:
        found = problems.get((site.id, _row_period(row.form)))
        if found:
            cell = getattr(row.form, found[0])
            cell.errors = [*cell.errors, found[1]]


def _show_conflicts(form: GridForm, measure: Measure, conflicts) -> None:
    """Each period someone else saved meanwhile says what they saved, beside what this user
    typed; the row now carries their stamp, so saving again keeps what the form holds."""
    by_period = {c.period: c for c in conflicts}
    names = dict(db.session.execute(db.select(User.id, User.name).where(
        User.id.in_({c.by_id for c in conflicts}))).all())
    for row in form.rows:
        c = by_period.get(_row_period(row.form))
        if c is None:
            continue
        row.form.base.data = c.stamp
        if measure.is_proportion and c.numerator is not None:
            theirs = f"{c.numerator} / {c.denominator}"
        else:
            theirs = _text(c.value) or "nothing (cleared)"
        note = f" (note: “{c.note}”)" if c.note else ""
        row.form.period.errors = [*row.form.period.errors, (
            f"{names.get(c.by_id, 'Someone')} saved {theirs}{note} here while you were "
            "typing. Yours is below: save again to keep yours, or cancel to keep theirs.")]


def _valid(form: GridForm, measure: Measure) -> bool:
    """Run the form's checks (patient data in notes) and the per-cell checks, all of them, so
    every cell shows its own error at once."""
    form_ok = form.validate()
    return _check_rows(form, measure) and form_ok


def _stored(measure: Measure, site: Site, starts: list[date]) -> dict[date, MeasureValue]:
    rows = db.session.execute(
        db.select(MeasureValue).filter_by(measure_id=measure.id, site_id=site.id)
        .where(MeasureValue.period_start.in_(starts))
    ).scalars()
    return {r.period_start: r for r in rows}


def _text(number) -> str:
    """The number as the grid shows it, exact: an untouched cell must read back unchanged."""
    if number is None:
        return ""
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number) if isinstance(number, float) else str(number)


def _row_period(row) -> date | None:
    try:
        return date.fromisoformat(row.period.data or "")
    except ValueError:
        return None


def _row_label(row, measure: Measure) -> str:
    start = _row_period(row)
    return periods.label(start, measure.frequency) if start else (row.period.data or "?")


def _check_rows(form: GridForm, measure: Measure) -> bool:
    """Per-cell checks; each error goes on its own cell and every cell keeps what was typed."""
    ok = True
    for row in form.rows:
        r = row.form
        start = _row_period(r)
        problem = "Not a valid period." if start is None else period_error(
            start, measure.frequency)
        if problem:
            r.period.errors = [problem]
            ok = False
        _, errors = check_values(measure, r.numerator.data, r.denominator.data, r.value.data)
        for name, message in errors.items():
            getattr(r, name).errors = [*getattr(r, name).errors, message]
            ok = False
    return ok


def _entry(row, measure: Measure, site: Site) -> Entry:
    values, _ = check_values(measure, row.numerator.data, row.denominator.data, row.value.data)
    return Entry(site.id, _row_period(row), note=(row.note.data or "").strip(),
                 base=row.base.data or None, **values)


def _percent(form: GridForm, measure: Measure) -> list[str]:
    """Each row's percentage as typed (JavaScript updates it while typing)."""
    out = []
    for row in form.rows:
        values, errors = check_values(measure, row.form.numerator.data,
                                      row.form.denominator.data, None)
        value = None if errors else plotted(measure, values["numerator"],
                                            values["denominator"], None)
        out.append(format_value(measure, value))
    return out


def _tally_setup(measure_id: int) -> tuple[Measure, Site, bundles.Bundle]:
    """The bundle, the site and its parts; 404 unless it can be tallied patient by patient."""
    measure = get_measure_or_404(measure_id)
    site = get_measure_site_or_404(measure, arg_id(request.args, "site_id"), enter=True)
    bundle = bundles.tally_bundle(measure)
    if bundle is None:
        abort(404)
    return measure, site, bundle


@bp.route("/<id:measure_id>/tally", methods=["GET", "POST"])
@login_required
def tally(measure_id: int):
    """The ward tally: each eligible patient as a yes or no per bundle component, no names."""
    measure, site, bundle = _tally_setup(measure_id)
    components = list(bundle.components)
    current = periods.current_period(measure.frequency)
    choices = [current, periods.previous_period(current, measure.frequency)]
    word = periods.unit(measure.frequency)
    form = tally_form(components, [
        SelectChoice(d.isoformat(), f"This {word} (from {periods.label(d, measure.frequency)})"
                     if i == 0 else f"Last {word} (from {periods.label(d, measure.frequency)})")
        for i, d in enumerate(choices)])
    # A patient tallied offline and sent again from the outbox (same key) is counted once.
    key = idempotency.request_key()
    if (answer := idempotency.replay(key)) is not None:
        return answer
    if form.validate_on_submit():
        period = date.fromisoformat(form.period.data)
        results = {c.id: form[f"component_{c.id}"].data == "yes" for c in components}
        try:
            ward_tally.add_tally(bundle, site, period, results, by=current_user)
        except ward_tally.TallyRefused as refused:
            db.session.rollback()
            form.period.errors = [*form.period.errors, f"{refused} Nothing was saved."]
        else:
            met = sum(results.values())
            message = (f"Patient added: {met} of {len(components)} met"
                       f"{', the whole bundle' if met == len(components) else ''}.")
            done = url_for("measures.tally", measure_id=measure.id, site_id=site.id,
                           period=period.isoformat())
            if (answer := idempotency.commit(key, "measures.tally", done, message)) is not None:
                return answer
            watch_after_save(site.id)
            flash(message, "success")
            return redirect(done)
    shown = request.args.get("period", form.period.data or current.isoformat())
    week = date.fromisoformat(shown) if shown in [d.isoformat() for d in choices] else current
    if not form.is_submitted():
        form.period.data = week.isoformat()
    stored = ward_tally.week_rows(bundle, site, week)
    return render_template(
        "measures/tally.html", measure=measure, site=site, form=form, components=components,
        totals=[(m, stored.get(m.id)) for m in bundle.members], week=week,
        week_label=periods.label(week, measure.frequency),
        blocked=(bundles.tally_problem(bundle, ward_tally.numbers_of(stored))
                 if not form.period.errors else ""),
        last=ward_tally.last_tally(bundle, site, current_user), undo_form=UndoTallyForm(),
        format_value=format_value, plotted=plotted)


@bp.post("/<id:measure_id>/tally/undo")
@login_required
def undo_tally(measure_id: int):
    """Take your last tallied patient back off the week's numbers."""
    measure, site, bundle = _tally_setup(measure_id)
    if not UndoTallyForm().validate_on_submit():
        abort(400)
    entry = ward_tally.last_tally(bundle, site, current_user)
    if entry is None:
        flash("There is no tally of yours to undo.", "info")
    else:
        try:
            ward_tally.undo_tally(entry, bundle, site, by=current_user)
        except ward_tally.TallyRefused as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash("Your last patient was taken off the numbers.", "success")
    return redirect(url_for("measures.tally", measure_id=measure.id, site_id=site.id))
