"""Ramps, revisions, the trash and CSV export: the cycle views beyond the worksheet."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from ..attachments.queries import by_cycle
from ..core import audit
from ..core.args import arg_id
from ..core.exports import csv_text
from ..core.forms import ConfirmForm
from ..core.versions import kept_body, version_first
from ..extensions import db
from ..models import ChangeIdea, Cycle, CycleRevision, Measure, utcnow
from . import bp, services
from .calibration import calibrate
from .loaders import get_cycle_or_404
from .queries import apply_filters, cycles_visible_to, sorted_by, with_row_data
from .ramp_chart import ramp_charts
from .worksheet import read_filters


@bp.get("/<id:cycle_id>/ramp")
@version_first
@login_required
def ramp(cycle_id: int):
    """The chain of linked cycles this one belongs to: scale, dates, predictions, decisions.
    Kept for its reader until anything is written (versions.kept_body), as the cycle's page
    is: the cycles of the chain shown are those the reader may see."""
    cycle = get_cycle_or_404(cycle_id)

    def made() -> str:
        chain = services.ramp_chain(cycle, current_user, with_questions=True)
        return render_template(
            "cycles/_ramp_body.html", cycle=cycle, chain=chain,
            photos=by_cycle([c.id for c in chain], images_only=True),
            calibration=calibrate(q for c in chain for q in c.questions),
            ramp_charts=ramp_charts(chain))

    return render_template("cycles/ramp.html", cycle=cycle,
                           body=kept_body("ramp_pages", utcnow(), made))


@bp.post("/<id:cycle_id>/next")
@login_required
def start_next(cycle_id: int):
    """Start the next cycle of the ramp from this one's Act."""
    cycle = get_cycle_or_404(cycle_id, edit=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    next_cycle = services.start_next_cycle(cycle, by=current_user)
    db.session.commit()
    flash("Next cycle started in Plan, with the idea, measures and open questions carried over. "
          "Set its scale: grow it as confidence grows.", "success")
    return redirect(url_for("cycles.edit", cycle_id=next_cycle.id))


@bp.get("/<id:cycle_id>/history")
@login_required
def history(cycle_id: int):
    """Every saved version of the worksheet: who changed what, and when."""
    cycle = get_cycle_or_404(cycle_id)
    revisions = db.session.scalars(
        db.select(CycleRevision).options(joinedload(CycleRevision.user))
        .where(CycleRevision.cycle_id == cycle.id).order_by(CycleRevision.version.desc())
    ).all()
    return render_template("cycles/history.html", cycle=cycle, revisions=revisions,
                           can_edit=cycle.can_edit(current_user), confirm_form=ConfirmForm(),
                           labels=FIELD_LABELS, names=_names(revisions))


# How the history names the worksheet's fields.
FIELD_LABELS = {
    "idea_id": "Change idea", "measure_ids": "Measures", "visibility": "Who can read it",
    "plan_who": "Who", "plan_what": "What", "plan_where": "Where", "plan_when": "When",
    "data_plan": "Data to collect", "scale_amount": "Scale: how many",
    "scale_unit": "Scale: of what", "do_started_on": "Test started on",
    "do_ended_on": "Test ended on", "do_what_happened": "What happened",
    "do_problems": "Problems and surprises", "do_deviations": "Deviations from the plan",
    "study_learning": "What we learned", "act_next_steps": "Next steps",
    "questions": "Questions and predictions",
}


def _names(revisions) -> dict[str, dict[int, str]]:
    """Titles for the ideas and measures the history mentions by id (two queries)."""
    idea_ids, measure_ids = set(), set()
    for revision in revisions:
        idea_ids |= {i for i in revision.changes.get("idea_id") or () if i}
        for ids in revision.changes.get("measure_ids") or ():
            measure_ids |= set(ids or ())
    return {
        "idea_id": dict(db.session.execute(db.select(ChangeIdea.id, ChangeIdea.title).where(
            ChangeIdea.id.in_(idea_ids))).all()),
        "measure_ids": dict(db.session.execute(db.select(Measure.id, Measure.name).where(
            Measure.id.in_(measure_ids))).all()),
    }


@bp.post("/<id:cycle_id>/history/<id:version>/restore")
@login_required
def restore_revision(cycle_id: int, version: int):
    """Bring back an earlier version (the current one stays in the history)."""
    cycle = get_cycle_or_404(cycle_id, edit=True)
    revision = db.session.scalars(
        db.select(CycleRevision).filter_by(cycle_id=cycle.id, version=version)
    ).first() or abort(404)
    if ConfirmForm().validate_on_submit():
        services.restore_revision(cycle, revision, by=current_user)
        db.session.commit()
        flash(f"Version {version} restored.", "success")
    return redirect(url_for("cycles.detail", cycle_id=cycle.id))


@bp.post("/<id:cycle_id>/delete")
@login_required
def delete(cycle_id: int):
    """Move a cycle to its site's trash (site leads and admins), restorable for 30 days."""
    cycle = get_cycle_or_404(cycle_id, delete=True)
    if ConfirmForm().validate_on_submit():
        services.soft_delete(cycle, by=current_user)
        db.session.commit()
        flash(f"“{cycle.title}” moved to the trash. It can be restored for "
              f"{services.TRASH_DAYS} days.", "success")
    return redirect(url_for("cycles.trash", site_id=cycle.site_id))


@bp.get("/trash")
@login_required
def trash():
    """Deleted cycles of the sites the user leads, restorable for 30 days."""
    site_ids = None if current_user.is_admin else current_user.lead_site_ids
    query = (
        db.select(Cycle).options(joinedload(Cycle.site))
        .where(Cycle.deleted_at.is_not(None), Cycle.deleted_at >= services.restorable_since())
        .order_by(Cycle.deleted_at.desc())
    )
    if site_ids is not None:
        query = query.where(Cycle.site_id.in_(site_ids))
    if site_id := arg_id(request.args, "site_id"):
        query = query.where(Cycle.site_id == site_id)
    return render_template("cycles/trash.html", cycles=db.session.scalars(query).all(),
                           days=services.TRASH_DAYS, confirm_form=ConfirmForm())


@bp.post("/<id:cycle_id>/restore")
@login_required
def restore(cycle_id: int):
    """Take a cycle out of the trash."""
    cycle = get_cycle_or_404(cycle_id, delete=True, deleted=True)
    if cycle.deleted_at < services.restorable_since():
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.restore(cycle, by=current_user)
        db.session.commit()
        flash(f"“{cycle.title}” restored.", "success")
    return redirect(url_for("cycles.detail", cycle_id=cycle.id))


@bp.get("/export.csv")
@login_required
def export():
    """The filtered list as CSV (cells neutralised against spreadsheet formula injection)."""
    _, filters = read_filters(request.args, current_user)
    query = with_row_data(sorted_by(
        apply_filters(cycles_visible_to(current_user), filters, current_user),
        filters.get("sort", "updated")))
    rows = (
        (c.id, c.site.name, c.title, c.idea.title if c.idea else "", c.stage.label,
         c.decision.label if c.decision else "", c.scale, c.author.name if c.author else "",
         c.author.profession.label if c.author else "", c.do_started_on, c.do_ended_on,
         c.objective, "; ".join(q.prediction for q in c.questions if q.prediction),
         c.study_learning, c.act_next_steps, c.created_at.date(),
         url_for("cycles.detail", cycle_id=c.id, _external=True))
        for c in db.session.scalars(query)
    )
    header = ("id", "site", "title", "change idea", "stage", "decision", "scale", "author",
              "profession", "test started", "test ended", "objective", "predictions",
              "learning", "next steps", "logged", "link")
    body = csv_text(header, rows)
    audit.exported("cycles", detail=request.query_string.decode(errors="replace"),
                   site_id=filters.get("site"))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=cycles.csv"})

