"""Structured feedback: a team asks, faculty and peers give it, the team marks it addressed."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...core.forms import ConfirmForm
from ...cycles.loaders import get_cycle_or_404
from ...extensions import db
from ...models import Site, User, Visibility
from .. import audience, bp, services
from ..forms import AddressedForm, FeedbackForm
from ..loaders import get_feedback_or_404, get_request_or_404
from ..panel import request_form


def _cycle_page(cycle_id: int, anchor: str = "feedback") -> str:
    return url_for("cycles.detail", cycle_id=cycle_id) + f"#{anchor}"


@bp.post("/cycles/<id:cycle_id>/feedback-requests")
@login_required
def request_feedback(cycle_id: int):
    """The cycle's team asks for feedback: any faculty, a named faculty member, or a site."""
    cycle = get_cycle_or_404(cycle_id)
    if not cycle.can_request_feedback(current_user):
        abort(403)
    form = request_form(cycle, formdata=request.form)
    if cycle.visibility != Visibility.COLLABORATIVE:
        form.message.errors = ["Share this cycle with the collaborative first: a site-only "
                               "draft cannot be seen by faculty or other sites."]
    elif form.validate_on_submit():
        faculty = db.session.get(User, int(form.faculty_id.data)) if form.faculty_id.data else None
        site = db.session.get(Site, int(form.site_id.data)) if form.site_id.data else None
        services.request_feedback(cycle, by=current_user, faculty=faculty, site=site,
                                  message=form.message.data or "")
        db.session.commit()
        flash("Feedback requested. They have been told.", "success")
        return redirect(_cycle_page(cycle.id))
    return render_template("feedback/request_form.html", form=form, cycle=cycle), 422


@bp.post("/feedback-requests/<id:request_id>/withdraw")
@login_required
def withdraw_request(request_id: int):
    """Withdraw an open request (it leaves the review queue)."""
    feedback_request = get_request_or_404(request_id)
    if ConfirmForm().validate_on_submit():
        services.withdraw_request(feedback_request)
        db.session.commit()
        flash("Request withdrawn.", "success")
    return redirect(_cycle_page(feedback_request.cycle_id))


@bp.route("/cycles/<id:cycle_id>/feedback", methods=["GET", "POST"])
@login_required
def give(cycle_id: int):
    """Give feedback on a cycle, optionally on one section and one PDSA-quality criterion."""
    cycle = get_cycle_or_404(cycle_id)
    if not cycle.can_give_feedback(current_user):
        abort(403)
    form = FeedbackForm()
    if request.method == "GET":
        form.section.data = request.args.get("section", "")
        form.criterion.data = request.args.get("criterion", "")
    if form.validate_on_submit():
        try:
            mentioned = services.mentioned_users(cycle, form.body.data)
        except audience.AmbiguousMention as error:
            form.body.errors.append(str(error))
        else:
            feedback = services.give_feedback(cycle, form.body.data, by=current_user,
                                              section=form.section.data,
                                              criterion=form.criterion.data,
                                              mentioned=mentioned)
            db.session.commit()
            flash("Feedback sent. The team has been told.", "success")
            return redirect(_cycle_page(cycle.id, f"feedback-{feedback.id}"))
    status = 422 if form.errors else 200
    return render_template("feedback/give.html", form=form, cycle=cycle), status


@bp.post("/feedback/<id:feedback_id>/addressed")
@login_required
def addressed(feedback_id: int):
    """The team marks feedback addressed, or back to not yet."""
    feedback = get_feedback_or_404(feedback_id, address=True)
    form = AddressedForm()
    if form.validate_on_submit():
        done = form.addressed.data == "1"
        services.set_addressed(feedback, done, by=current_user)
        db.session.commit()
        flash("Marked addressed." if done else "Marked not yet addressed.", "success")
    return redirect(_cycle_page(feedback.cycle_id, f"feedback-{feedback.id}"))


@bp.post("/feedback/<id:feedback_id>/delete")
@login_required
def delete_feedback(feedback_id: int):
    """Remove your feedback (kept in the database)."""
    feedback = get_feedback_or_404(feedback_id, delete=True)
    if ConfirmForm().validate_on_submit():
        services.delete_feedback(feedback)
        db.session.commit()
        flash("Feedback deleted.", "success")
    return redirect(_cycle_page(feedback.cycle_id))
