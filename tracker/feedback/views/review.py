"""The faculty review queue."""

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required

from ...core.paging import page_number
from ...core.queries import faculty_sites
from ...core.versions import kept_body, version_first
from ...models import utcnow
from ...sites.loaders import network_filter
from .. import bp, review


@bp.get("/review")
@version_first
@login_required
def review_queue():
    """Faculty only: requests waiting oldest first, cycles changed since your feedback, and
    sites with no feedback this action period; regional faculty see their network's sites,
    and anyone may narrow the queue to one network (?network=)."""
    if not current_user.is_faculty:
        abort(403)
    scope = current_user.faculty_collaborative_ids
    networks, network = network_filter(scope, faculty=True)
    sites = faculty_sites(current_user, network.id if network else None)
    asked = review.asked_of(current_user, sites, narrowed=network is not None)
    now = utcnow()
    args = request.args

    def made() -> str:
        # Each list is paged on its own: ?page= (waiting), ?changed=, ?quiet=.
        return render_template(
            "feedback/_review_body.html",
            waiting=review.awaiting(current_user, scope, now, asked, number=page_number(args)),
            changed=review.changed_since_feedback(current_user, scope, sites,
                                                  number=page_number(args, "changed")),
            quiet=review.quiet_sites(scope, now, sites, number=page_number(args, "quiet")),
            networks=networks, network=network, action=url_for("feedback.review_queue"),
            keep={k: v for k, v in args.items()
                  if k in ("page", "changed", "quiet", "network")})

    return render_template("feedback/review.html", body=kept_body("review_queues", now, made))
