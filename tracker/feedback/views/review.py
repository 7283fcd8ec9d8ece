"""The faculty review queue."""

from flask import abort, render_template
from flask_login import current_user, login_required

from ...models import utcnow
from .. import bp, review


@bp.get("/review")
@login_required
def review_queue():
    """Faculty only: requests waiting oldest first, cycles changed since your feedback, and
    sites with no feedback this action period."""
    if not current_user.is_faculty:
        abort(403)
    scope = current_user.faculty_collaborative_ids
    now = utcnow()
    return render_template(
        "feedback/review.html", waiting=review.awaiting(current_user, scope, now),
        changed=review.changed_since_feedback(current_user, scope),
        quiet=review.quiet_sites(scope, now),
    )
