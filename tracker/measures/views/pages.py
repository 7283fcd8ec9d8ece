"""Measures: the list, and a measure's page at a site (chart, signals, phases, data)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from ...core.args import arg_id, parse_id
from ...core.exports import download_name
from ...core.forms import ConfirmForm
from ...core.queries import collaboratives_of
from ...core.versions import kept_body, version_first
from ...extensions import db
from ...models import Measure, Site, utcnow
from ...sites.picker import SitePick, pick_site
from .. import bp, bundles, charts, drawing, periods, queries, series, services, words
from ..entries import period_error
from ..forms import ChartNoteForm, PhaseBreakForm, PointFlagForm
from ..front import charts_of_measures, load_cycles, load_notes, note_items
from ..loaders import get_measure_or_404, get_measure_site_or_404, get_phase_or_404


@bp.get("/")
@login_required
def index():
    """Core measures and your sites' own, each with its operational definition."""
    # Joined: local measures name their site.
    measures = db.session.execute(
        queries.measures_listed_for(current_user).options(joinedload(Measure.site))
    ).scalars().all()
    listed = {m.id for m in measures}
    children: dict[int, list[Measure]] = {}
    for m in measures:
        parent = m.composite_id or m.balances_id
        if parent in listed:
            children.setdefault(parent, []).append(m)
    nested = {m.id for group in children.values() for m in group}
    top = [m for m in measures if m.id not in nested]
    return render_template(
        "measures/index.html",
        core=[m for m in top if m.is_core],
        local=[m for m in top if not m.is_core],
        children=children,
        faculty_of=[c for c in db.session.execute(collaboratives_of(current_user)).scalars()
                    if current_user.is_faculty_of(c.id)],
        lead_sites=sorted((m.site for m in current_user.memberships
                           if m.site_id in current_user.lead_site_ids), key=lambda s: s.name),
    )


@bp.get("/<id:measure_id>")
@version_first  # its body is kept (_render_detail)
@login_required
def detail(measure_id: int):
    """A measure at one site: its chart, the signals in words, cycles, phases and data."""
    measure = get_measure_or_404(measure_id)
    raw, typed = request.args.get("site_id", ""), None
    if raw.strip() and parse_id(raw) is None:  # a name typed in the site box (sites.picker)
        typed = pick_site(queries.chart_sites(measure, current_user), raw,
                          collaborative_id=measure.collaborative_id)
        if typed.chosen is not None:
            return redirect(url_for("measures.detail", measure_id=measure.id,
                                    site_id=typed.chosen.id, view=request.args.get("view")))
    site = get_measure_site_or_404(measure, arg_id(request.args, "site_id"))
    return _render_detail(measure, site, request.args.get("view"), typed=typed)


def _site_pick(measure: Measure, site: Site, typed: SitePick | None) -> SitePick:
    """The site box: what was typed and why it named no site, else the site shown chosen."""
    if typed is not None:
        return typed
    return pick_site(queries.chart_sites(measure, current_user), site.id,
                     collaborative_id=measure.collaborative_id)


def flag_choices(chart: series.Chart) -> list[tuple[str, str]]:
    """The points with data, newest first, as (period, label) choices."""
    freq = chart.measure.frequency
    return [(p.period.isoformat(), f"{periods.label(p.period, freq)}: "
             f"{words.format_value(chart.measure, p.value)}")
            for p in reversed(chart.points) if not p.missing]


def _render_detail(measure: Measure, site: Site, view: str | None,
                   phase_form: PhaseBreakForm | None = None, *,
                   note_form: ChartNoteForm | None = None,
                   flag_form: PointFlagForm | None = None, typed: SitePick | None = None):
    """The measure page at `site`; `typed`, a site name typed in its box that named none.
    A page asked for plainly (no form refused, no name typed) is kept until anything the site's
    own pages show is written (versions.kept_body under the site's version: its values,
    phases, notes, flags and cycles are its own; the measures and the sites in its box are
    shared) for everyone who may see and do the same there: the site shown, whether they enter
    its data, lead it, edit the measure, see its drafts' cycles and its collaborative's
    sites. Making it was a whole chart at a site with its parts, phases,
    notes, cycles and table: a site's team and faculty look at the same page, and most of the
    page's time."""
    user = current_user
    can = (measure.can_set_phases(user, site), measure.can_enter_data(user, site),
           measure.can_edit(user))

    def made() -> str:
        return render_template("measures/_detail_body.html", **_detail(
            measure, site, view, *can, phase_form=phase_form, note_form=note_form,
            flag_form=flag_form, typed=typed))

    if any(x is not None for x in (phase_form, note_form, flag_form, typed)):
        body = Markup(made())  # what this reader typed, refused: theirs alone
    else:
        body = kept_body("measure_pages", utcnow(), made, reader=(
            site.id, *can, user.sees_drafts_at(site.id),
            user.can_view_collaborative(measure.collaborative_id)), sites=(site.id,))
    return render_template("measures/detail.html", measure=measure, site=site, body=body)


def _detail(measure: Measure, site: Site, view: str | None, can_lead: bool, can_enter: bool,
            can_edit: bool, *, phase_form: PhaseBreakForm | None,
            note_form: ChartNoteForm | None, flag_form: PointFlagForm | None,
            typed: SitePick | None) -> dict:
    """What the measure page's body shows."""
    view = view if view in series.VIEWS else series.default_view(measure)
    asked = series.chosen_chart(measure, request.args.get("chart"))
    # The measure and the ones shown with it, charted from one read of values, of phases and
    # of point flags.
    others = db.session.execute(queries.related_measures(measure)).scalars().all()
    built, phases, flag_history = charts_of_measures([measure, *others], site,
                                                     {measure.id: view}, {measure.id: asked})
    chart = built[measure.id]
    cycles = load_cycles(measure, site, current_user)
    notes = load_notes(measure, site)
    items = note_items(notes)
    title = f"{measure.name}, {site.name}"
    geometry = drawing.layout(chart, title=title, cycles=cycles, point_href="#row-{period}",
                              notes=items)
    # The phone's own drawing: CSS shows one of the two (tracker/static/measures.css).
    narrow = drawing.layout(chart, title=title, cycles=cycles, point_href="#row-{period}",
                            narrow=True, notes=items)
    related = [(m, drawing.layout(built[m.id], title=f"{m.name}, {site.name}", compact=True))
               for m in others]
    breaks = phases[measure.id]
    if can_lead and phase_form is None:
        phase_form = PhaseBreakForm(period_start=chart.suggested_rebase, formdata=None)
    if can_enter and note_form is None:
        note_form = ChartNoteForm(formdata=None)
    if can_lead:
        flag_form = flag_form or PointFlagForm(formdata=None)
        flag_form.period.choices = flag_choices(chart)
    return dict(
        measure=measure, site=site, view=view, chart=chart, geometry=geometry, narrow=narrow,
        summary=words.summary(chart), details=words.details(chart), notes=words.notes(chart),
        cycles=cycles, chart_notes=notes, note_letter=charts.note_letter,
        note_form=note_form if can_enter else None, flag_form=flag_form if can_lead else None,
        flags=flag_history[measure.id], chart_choices=[(t.value, series.CHART_NAMES[t])
                                    for t in series.chart_choices(measure)],
        asked_chart=asked.value if asked else "",
        related=related, breaks=breaks, phase_form=phase_form if can_lead else None,
        site_pick=_site_pick(measure, site, typed),
        can_enter=can_enter,
        can_edit=can_edit, can_lead=can_lead,
        # Its parts are among `others`: no query to know whether the tally counts it.
        can_tally=can_enter and measure.composite_id is None
        and measure.id in bundles.tally_heads([measure, *others]),
        chart_name=series.CHART_NAMES[chart.chart], rule_name=series.RULE_NAMES[chart.rules],
        chart_badges=charts.badges(chart),
        download_name=download_name(measure.name, site.name),
    )


@bp.post("/<id:measure_id>/phases")
@login_required
def set_phase(measure_id: int):
    """Start a new phase at a date, with a note saying why (the site lead's decision)."""
    measure = get_measure_or_404(measure_id)
    site = get_measure_site_or_404(measure, arg_id(request.args, "site_id"), lead=True)
    form = PhaseBreakForm()
    if form.validate_on_submit():
        problem = period_error(form.period_start.data, measure.frequency)
        if not problem:
            services.set_phase_break(measure, site, form.period_start.data,
                                     form.note.data.strip(), by=current_user)
            db.session.commit()
            flash(f"New phase from {form.period_start.data:%-d %b %Y}.", "success")
            return redirect(url_for("measures.detail", measure_id=measure.id, site_id=site.id))
        form.period_start.errors = [problem]
    return _render_detail(measure, site, request.args.get("view"), form)


@bp.post("/<id:measure_id>/phases/<id:phase_id>/remove")
@login_required
def remove_phase(measure_id: int, phase_id: int):
    """Remove a phase break (kept in the database, marked removed)."""
    measure = get_measure_or_404(measure_id)
    phase = get_phase_or_404(measure, phase_id)
    if phase is None:  # another measure's, or already removed (a second click)
        return redirect(url_for("measures.detail", measure_id=measure.id))
    site = get_measure_site_or_404(measure, phase.site_id, lead=True)
    if ConfirmForm().validate_on_submit():
        services.remove_phase_break(phase, by=current_user)
        db.session.commit()
        flash("Phase break removed.", "success")
    return redirect(url_for("measures.detail", measure_id=measure.id, site_id=site.id))
