"""Measure definitions: create, edit and (soft) delete core and site-local measures."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from ...core import audit
from ...core.args import arg_id
from ...core.forms import ConfirmForm
from ...extensions import db
from ...models import (
    Collaborative,
    DataKind,
    Direction,
    Frequency,
    Measure,
    MeasureKind,
    MeasureValue,
    Site,
)
from .. import bp, queries, services
from ..forms import MeasureForm
from ..loaders import get_measure_or_404


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Define a core measure (faculty) or a site's own measure (its site leads)."""
    site_id = arg_id(request.args, "site_id")
    if site_id:
        site = db.get_or_404(Site, site_id)
        measure = Measure(collaborative_id=site.collaborative_id, site_id=site.id)
    else:
        collaborative = db.get_or_404(
            Collaborative, arg_id(request.args, "collaborative_id") or abort(404))
        measure = Measure(collaborative_id=collaborative.root_id)
    if not measure.can_edit(current_user):  # the same rule as for changing it later
        abort(403)
    form = MeasureForm()
    _fill_choices(form, measure)
    if form.validate_on_submit():
        _apply(form, measure)
        services.create_measure(measure, by=current_user)
        db.session.commit()
        flash(f"Measure “{measure.name}” created.", "success")
        return redirect(url_for("measures.detail", measure_id=measure.id))
    return render_template("measures/form.html", form=form, measure=measure)


@bp.route("/<id:measure_id>/edit", methods=["GET", "POST"])
@login_required
def update(measure_id: int):
    """Change a measure's definition and chart settings (its owners only)."""
    measure = get_measure_or_404(measure_id, edit=True)
    form = MeasureForm(obj=measure) if request.method == "GET" else MeasureForm()
    if request.method == "GET":
        _fill_form(form, measure)
        form.stamp.data = services.definition_stamp(measure)
    _fill_choices(form, measure)
    theirs = None
    if form.validate_on_submit():
        # Held, then read again: what it is checked against (its data, its definition) is
        # what is there now, and stays so until the commit.
        services.hold(measure, again=True)
        saved = services.definition_stamp(measure)
        stale = bool(form.stamp.data) and form.stamp.data != saved
        if stale and _as_typed(form) == services.snapshot(measure):
            flash("Measure saved.", "success")  # the same save twice (a double click)
            return redirect(url_for("measures.detail", measure_id=measure.id))
        if stale:
            # Saved by someone else since the form was opened: theirs beside what was typed;
            # saving again (now knowingly) keeps the form's.
            theirs, form.stamp.data = _as_shown(form, services.snapshot(measure)), saved
        elif _kind_kept(form, measure):
            before = services.snapshot(measure)
            _apply(form, measure)
            audit.record("measure.updated", actor=current_user, obj=measure, before=before,
                         after=services.snapshot(measure), detail=measure.name)
            db.session.commit()
            flash("Measure saved.", "success")
            return redirect(url_for("measures.detail", measure_id=measure.id))
    return render_template("measures/form.html", form=form, measure=measure,
                           theirs=theirs), 409 if theirs else 200


@bp.post("/<id:measure_id>/delete")
@login_required
def delete(measure_id: int):
    """Remove a measure from the lists (its definition and data are kept)."""
    measure = get_measure_or_404(measure_id, edit=True)
    if ConfirmForm().validate_on_submit():
        services.delete_measure(measure, by=current_user)
        db.session.commit()
        flash(f"Measure “{measure.name}” deleted. Its data are kept.", "success")
    return redirect(url_for("measures.index"))


def _as_typed(form: MeasureForm) -> dict:
    """The definition the form would save (on a measure of its own, never stored)."""
    probe = Measure()
    _apply(form, probe)
    return services.snapshot(probe)


def _as_shown(form: MeasureForm, definition: dict) -> list[tuple[str, str]]:
    """A saved definition as (the form's label, the value in its words) for each field."""
    shown = []
    for name, value in definition.items():
        field = form[name]
        if value is None or value == "":
            text = "—"
        elif isinstance(value, bool):
            text = "Yes" if value else "No"
        elif getattr(field, "choices", None) is not None:
            text = next((c.label for c in field.choices if c.value == str(value)), str(value))
        else:
            text = f"{value:g}" if isinstance(value, float) else str(value)
        shown.append((field.label.text, text))
    return shown


def _fill_choices(form: MeasureForm, measure: Measure) -> None:
    """Related-measure pickers: a core measure relates to core ones only."""
    options = [
        m for m in db.session.execute(
            queries.live_measures(measure.collaborative_id, measure.site_id)).scalars()
        if m.id != measure.id and (not measure.is_core or m.is_core)
    ]
    choices = [SelectChoice("", "None")] + [SelectChoice(str(m.id), m.name) for m in options]
    form.composite_id.choices = choices
    form.balances_id.choices = choices


def _fill_form(form: MeasureForm, measure: Measure) -> None:
    """Enum and id fields as the form's strings (obj= fills the rest)."""
    for name in ("kind", "data_kind", "direction", "frequency"):
        value = getattr(measure, name)
        getattr(form, name).data = value.value if value is not None else None
    form.composite_id.data = str(measure.composite_id or "")
    form.balances_id.data = str(measure.balances_id or "")
    form.chart_type.data = measure.chart_type or ""
    form.rule_set.data = measure.rule_set or ""
    form.target.data = "" if measure.target is None else f"{measure.target:g}"


def _kind_kept(form: MeasureForm, measure: Measure) -> bool:
    """Data kind and frequency are fixed once a measure has data (old values would not fit)."""
    has_data = db.session.scalar(
        db.select(MeasureValue.id).where(MeasureValue.measure_id == measure.id).limit(1)
    ) is not None
    ok = True
    for name in ("data_kind", "frequency") if has_data else ():
        field = getattr(form, name)
        if field.data != getattr(measure, name).value:
            field.errors = [*field.errors, "This measure already has data, so this cannot "
                            "change: create a new measure instead."]
            ok = False
    return ok


def _apply(form: MeasureForm, measure: Measure) -> None:
    measure.name = form.name.data.strip()
    measure.kind = MeasureKind(form.kind.data)
    measure.definition = form.definition.data.strip()
    measure.data_kind = DataKind(form.data_kind.data)
    measure.unit = (form.unit.data or "").strip() or ("%" if form.data_kind.data == "proportion"
                                                       else "")
    measure.direction = Direction(form.direction.data)
    measure.target = float(form.target.data) if form.target.data else None
    measure.frequency = Frequency(form.frequency.data)
    measure.composite_id = int(form.composite_id.data) if form.composite_id.data else None
    measure.balances_id = int(form.balances_id.data) if form.balances_id.data else None
    measure.chart_type = form.chart_type.data or None
    measure.rule_set = form.rule_set.data or None
    measure.screen_outliers = bool(form.screen_outliers.data)
    measure.baseline_periods = form.baseline_periods.data
    measure.position = form.position.data or 0
    measure.data_source = (form.data_source.data or "").strip()
    measure.collected_by = (form.collected_by.data or "").strip()
    measure.collection_method = (form.collection_method.data or "").strip()
