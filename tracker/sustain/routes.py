"""The sustain pages: a site's progress score (set monthly, with its history), and a check-in
on an adopted change ("is the change still happening?")."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..core import audit
from ..core.db import lock
from ..cycles.loaders import get_cycle_or_404
from ..extensions import db
from ..models import PROGRESS_SCALE, CheckAnswer, Cycle, SustainCheck, utcnow
from ..sites.loaders import get_site_or_404
from . import bp, progress, watch
from .forms import CheckInForm, CheckPlanForm, ProgressScoreForm


@bp.route("/sites/<id:site_id>/progress", methods=["GET", "POST"])
@login_required
def site_progress(site_id: int):
    """The site's progress score: this month's (set by those who manage the site, with the
    app's suggestion beside it, never saved for them) and every month's, with its revisions.
    Its team reads it; faculty and leads set it."""
    site = get_site_or_404(site_id)
    may_set = site.can_manage(current_user)
    if not may_set and site.id not in current_user.site_ids:
        abort(403)
    today = utcnow().date()
    rows = progress.history(site.id)
    current = next((r for r in rows if r.month == progress.month_of(today)), None)
    form = ProgressScoreForm()
    if form.is_submitted() and not may_set:
        abort(403)
    if may_set and form.validate_on_submit():
        row = progress.set_score(site, float(form.score.data), (form.note.data or "").strip(),
                                 by=current_user, today=today)
        audit.record("progress.scored", actor=current_user, obj=row,
                     after={"score": row.score, "month": row.month.isoformat()},
                     detail=site.name)
        db.session.commit()
        flash(f"Progress score for {row.month:%B %Y} saved: {row.score:.1f} ({row.label}).",
              "success")
        return redirect(url_for("sustain.site_progress", site_id=site.id))
    if not form.is_submitted() and current is not None:
        form.score.data, form.note.data = f"{current.score:.1f}", current.note
    return render_template(
        "sustain/progress.html", site=site, rows=rows, current=current, form=form,
        may_set=may_set, suggestion=progress.suggest(site, today) if may_set else None,
        revisions=progress.revisions([r.id for r in rows]), scale=PROGRESS_SCALE,
        month=progress.month_of(today)), 422 if form.errors else 200


def _held(check: SustainCheck) -> SustainCheck | None:
    """The check-in read again with its cycle held until the commit (None if it has gone
    since): an answer and a change of plan one after the other, never both from what each
    read before the other's commit (the plan dropping an answer it saw unanswered)."""
    lock(Cycle.updated_at, check.cycle_id)
    return db.session.scalars(db.select(SustainCheck).filter_by(id=check.id)
                              .execution_options(populate_existing=True)).first()


def _check_or_404(check_id: int) -> SustainCheck:
    check = db.get_or_404(SustainCheck, check_id)
    get_cycle_or_404(check.cycle_id, edit=True)  # the site's team (404/403 there)
    return check


@bp.route("/checks/<id:check_id>", methods=["GET", "POST"])
@login_required
def check_in(check_id: int):
    """'Is the change still happening?': the site team answers a check-in (and may change
    the answer later)."""
    check = _check_or_404(check_id)
    form = CheckInForm()
    if form.validate_on_submit():
        cycle_id, check = check.cycle_id, _held(check)
        if check is None:
            flash("That check-in was taken out of the plan meanwhile: nothing was saved.",
                  "warning")
            return redirect(url_for("cycles.detail", cycle_id=cycle_id) + "#sustain-heading")
        watch.answer(check, CheckAnswer(form.answer.data), (form.note.data or "").strip(),
                     by=current_user)
        audit.record("sustain.checked_in", actor=current_user, obj=check.cycle,
                     after={"months": check.months, "answer": check.answer.value})
        db.session.commit()
        flash(f"Check-in saved: {check.answer.label.lower()}.", "success")
        return redirect(url_for("cycles.detail", cycle_id=check.cycle_id))
    if not form.is_submitted() and check.answer is not None:
        form.answer.data, form.note.data = check.answer.value, check.note
    return render_template("sustain/check_in.html", check=check, cycle=check.cycle,
                           form=form), 422 if form.errors else 200


@bp.post("/cycles/<id:cycle_id>/plan")
@login_required
def plan(cycle_id: int):
    """Change when an adopted change is checked on (answered check-ins are kept)."""
    cycle = get_cycle_or_404(cycle_id, edit=True)
    lock(Cycle.updated_at, cycle.id)  # the check-ins read after any answer's commit (_held)
    checks = watch.checks_of(cycle.id)
    if not checks:
        abort(404)
    form = CheckPlanForm()
    months = watch.parse_months(form.months.data or "") if form.validate_on_submit() else None
    if months is None:
        flash("Give the check-ins as whole months after adopting, e.g. 1, 3, 6 (up to "
              f"{watch.MAX_MONTHS}). Nothing was changed.", "danger")
    else:
        watch.set_months(cycle, months, checks)
        audit.record("sustain.planned", actor=current_user, obj=cycle,
                     after={"months": months})
        db.session.commit()
        flash("Check-ins planned at " + ", ".join(str(m) for m in months)
              + " months after adopting.", "success")
    return redirect(url_for("cycles.detail", cycle_id=cycle.id) + "#sustain-heading")


def cycle_sustain(cycle, user) -> dict:
    """What the cycle page shows of the watch: its check-ins and the plan form (team only)."""
    checks = watch.checks_of(cycle.id)
    form = None
    if checks and cycle.can_edit(user):
        form = CheckPlanForm(formdata=None)
        form.months.data = ", ".join(str(c.months) for c in checks)
    return {"sustain_checks": checks, "sustain_form": form, "today": utcnow().date()}
