"""PDSA cycles: the lists, the worksheet, quick logging on the ward, stage moves."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..attachments.panel import attachments_panel
from ..core import idempotency
from ..core.args import arg_id, arg_int, parse_id
from ..core.forms import ConfirmForm
from ..core.paging import KeysetPage
from ..core.queries import reader_key
from ..core.versions import kept_body, version_first
from ..extensions import db
from ..feedback.panel import cycle_panel
from ..models import Cycle, Stage, utcnow
from ..sustain.routes import cycle_sustain
from . import bp, quality, services, study
from .forms import QuickLogForm, StageForm, WorksheetForm
from .loaders import get_cycle_or_404
from .queries import apply_filters, cycles_visible_to, sort_keys, with_row_data
from .worksheet import (
    FILTER_NAMES,
    fill_quick_choices,
    fill_worksheet_choices,
    filter_panel,
    form_values,
    log_from_quick_form,
    quick_log_sites,
    site_shares,
    stage_counts,
    worksheet_data,
)

PER_PAGE = 20


@bp.get("/")
@version_first
@login_required
def index():
    """Cycles across the collaborative, filtered, sorted and paged, with quality shares. Kept
    until anything is written (versions.kept_body) for everyone who may see and do the same:
    the reader's collaboratives and sites, whether they see the trash, and who they are only
    for "my cycles". A site's team opens the same list."""
    user = current_user
    can_see_trash = bool(user.lead_site_ids or user.is_admin)

    def made() -> str:
        filters_html, filters = filter_panel(request.args, user)
        base = apply_filters(cycles_visible_to(user, cycles_first=True), filters, user)
        # Keyset pages (after the last row shown), never OFFSET; the total is the stages' sum.
        page = KeysetPage(with_row_data(base), sort_keys(filters.get("sort", "updated")),
                          request.args, per_page=PER_PAGE)
        counts = stage_counts(base, user, filters)
        return render_template(
            "cycles/_list_body.html", filters_html=filters_html, page=page,
            criteria=quality.assess_many(page.items),
            stage_counts=counts, total=sum(counts.values()),
            # Assessing every filtered cycle costs more than the page: only when asked for.
            shares=site_shares(base) if request.args.get("shares") else None,
            args={k: v for k, v in request.args.items() if k in FILTER_NAMES},
            can_log=bool(user.site_ids), can_see_trash=can_see_trash,
        )

    mine = user.id if "mine" in request.args.getlist("scope") else None
    return render_template("cycles/index.html", body=kept_body(
        "cycle_lists", utcnow(), made, reader=(reader_key(user), can_see_trash, mine)))


@bp.get("/<id:cycle_id>")
@version_first
@login_required
def detail(cycle_id: int):
    """One cycle's worksheet, its quality panel and its place in the ramp."""
    return _render_detail(get_cycle_or_404(cycle_id), StageForm(), keep=True)


def _render_detail(cycle: Cycle, stage_form: StageForm, *, keep: bool = False):
    """The cycle page; `stage_form` carries a refused move's dates and messages. `keep`: the
    page asked for plainly, kept for its reader until anything is written (versions.kept_body:
    a reload, or coming back to it from the ramp or the list, while nothing has changed). Its
    comments, feedback, buttons and the sites to try it at are the reader's own, so it is not
    shared. Making it was twelve queries."""
    def made() -> str:
        if not stage_form.is_submitted():  # the dates already recorded, else today
            stage_form.started_on.data = cycle.do_started_on or stage_form.started_on.data
            stage_form.ended_on.data = cycle.do_ended_on or stage_form.ended_on.data
        ramp = services.ramp_chain(cycle)  # every cycle of it, whoever reads: says what follows
        chain = services.readable(ramp, cycle, current_user)
        position = next(i for i, c in enumerate(chain, 1) if c.id == cycle.id)
        inspired_by = db.session.get(Cycle, cycle.inspired_by_id) if cycle.inspired_by_id \
            else None
        criteria = quality.assess_many([cycle], with_next={c.previous_id for c in ramp})[cycle.id]
        return render_template(
            "cycles/_detail_body.html", cycle=cycle, criteria=criteria,
            chain=chain, position=position, stages=list(Stage),
            inspired_by=inspired_by if inspired_by and inspired_by.can_view(current_user)
            else None,
            # Another site's cycle can be tried at the user's own sites.
            try_sites=sorted((m.site for m in current_user.memberships
                              if m.site_id != cycle.site_id), key=lambda s: s.name),
            can_edit=cycle.can_edit(current_user), can_delete=cycle.can_delete(current_user),
            stage_form=stage_form, confirm_form=ConfirmForm(),
            **cycle_panel(cycle, current_user),
            **cycle_sustain(cycle, current_user),
            **attachments_panel(cycle, current_user),
        )

    body = kept_body("cycle_pages", utcnow(), made) if keep else Markup(made())
    return render_template("cycles/detail.html", cycle=cycle, body=body)


@bp.route("/quick", methods=["GET", "POST"])
@login_required
def quick():
    """Log a small test of change in under a minute (phone first); it starts in Plan."""
    sites = quick_log_sites(current_user)
    if not sites:
        abort(403)
    form = QuickLogForm()
    fill_quick_choices(form, sites)
    if request.method == "GET" and parse_id(request.args.get("site")) in current_user.site_ids:
        form.site_id.data = parse_id(request.args.get("site"))
    # An entry sent again from a phone's outbox (same key) is answered, not stored twice.
    key = idempotency.request_key()
    if (answer := idempotency.replay(key)) is not None:
        return answer
    if form.validate_on_submit():
        cycle = log_from_quick_form(form, current_user)
        if cycle is None:
            return render_template("cycles/quick.html", form=form)
        db.session.flush()
        done = url_for("cycles.detail", cycle_id=cycle.id)
        message = "Saved in Plan. Add the rest of the worksheet when you can."
        if (answer := idempotency.commit(key, "cycles.quick", done, message)) is not None:
            return answer
        flash(message, "success")
        return redirect(done)
    return render_template("cycles/quick.html", form=form)


@bp.route("/<id:cycle_id>/edit", methods=["GET", "POST"])
@login_required
def edit(cycle_id: int):
    """The full worksheet. A save that crosses someone else's shows both to merge."""
    cycle = get_cycle_or_404(cycle_id, edit=True)
    if request.method == "POST":
        form = WorksheetForm()
    else:
        form = WorksheetForm(data=form_values(services.snapshot(cycle)))
    fill_worksheet_choices(form, cycle)
    if form.validate_on_submit():
        resolutions = {k[len("resolve-"):]: v for k, v in request.form.items()
                       if k.startswith("resolve-")}
        outcome = services.save_worksheet(cycle, worksheet_data(form),
                                          base_version=parse_id(form.version.data) or 0,
                                          by=current_user, resolutions=resolutions)
        if not outcome.saved:
            # Show the merge: their changes taken in, and this user's side of each conflict.
            shown = {**outcome.merged, **{n: c["mine"] for n, c in outcome.conflicts.items()}}
            form = WorksheetForm(formdata=None, data=form_values(shown))
            fill_worksheet_choices(form, cycle)
            form.version.data = str(cycle.version)
            form.stage_seen.data = cycle.stage.value
            return render_template("cycles/form.html", form=form, cycle=cycle,
                                   outcome=outcome, labels=_labels(form)), 409
        moved = _advance(cycle, seen=form.stage_seen.data) if form.submit_advance.data else ""
        db.session.commit()
        flash(f"Worksheet saved.{moved}", "success")
        return redirect(url_for("cycles.detail", cycle_id=cycle.id))
    offers, accepted = study.tally_offers(cycle), None
    if request.method == "GET":
        form.version.data = str(cycle.version)
        form.stage_seen.data = cycle.stage.value
        accepted = study.accept(form, offers, arg_id(request.args, "use_tally"),
                                arg_int(request.args, "q", -1, low=-1, high=99))
    return render_template("cycles/form.html", form=form, cycle=cycle, outcome=None,
                           labels=_labels(form), tally_offers=offers, accepted=accepted)


def _advance(cycle: Cycle, *, seen: str) -> str:
    """"Save and move on": only from the stage the form showed (move_stage refuses a move from
    an old page), so no stage is skipped. A Do date the worksheet left empty is today's;
    returns what to tell the user of it."""
    order = services.STAGE_ORDER
    to = order[min(order.index(cycle.stage) + 1, len(order) - 1)]
    dated = {Stage.DO: ("started_on", cycle.do_started_on, "start"),
             Stage.STUDY: ("ended_on", cycle.do_ended_on, "end")}.get(to)
    try:
        services.move_stage(cycle, to, by=current_user, seen=seen,
                            **({dated[0]: dated[1] or date.today()} if dated else {}))
    except services.StageError as error:
        flash(str(error), "warning")
        return ""
    if dated and dated[1] is None:
        return (f" The test's {dated[2]} date was empty, so today's was recorded: change it "
                "in the worksheet if need be.")
    return ""


def _labels(form: WorksheetForm) -> dict[str, str]:
    labels = {name: f.label.text for name, f in form._fields.items()}
    return {**labels, "questions": "Questions and predictions", "measure_ids": "Measures"}


@bp.post("/<id:cycle_id>/stage")
@login_required
def move(cycle_id: int):
    """Move the cycle to the next stage, or back to an earlier one (recorded either way)."""
    cycle = get_cycle_or_404(cycle_id, edit=True)
    form = StageForm()
    if not form.validate_on_submit():
        if form.started_on.errors or form.ended_on.errors:
            return _render_detail(cycle, form), 422  # the message beside the date, as typed
        abort(400, "That stage is not one this page offers.")
    try:
        services.move_stage(cycle, Stage(form.to.data), by=current_user,
                            seen=form.seen.data or None, started_on=form.started_on.data,
                            ended_on=form.ended_on.data)
    except services.StageError as error:
        db.session.rollback()
        if error.field is None:
            flash(str(error), "warning")
            return redirect(url_for("cycles.detail", cycle_id=cycle.id))
        form[error.field].errors = [str(error)]
        return _render_detail(cycle, form), 422
    db.session.commit()
    flash(f"Moved to {cycle.stage.label}.", "success")
    return redirect(url_for("cycles.detail", cycle_id=cycle.id))

