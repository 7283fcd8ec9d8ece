"""The feature's loaders: each returns the object the current user may act on, else 404/403."""

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..cycles.routes import get_cycle_or_404
from ..extensions import db
from ..ideas.routes import get_idea_or_404
from ..models import ChangeIdea, Comment, Cycle, Feedback, FeedbackRequest, Notification
from . import policy

__all__ = ["get_comment_or_404", "get_cycle_or_404", "get_feedback_or_404", "get_idea_or_404",
           "get_notification_or_404", "get_request_or_404", "target_of"]


def target_of(comment: Comment) -> Cycle | ChangeIdea:
    """The cycle or idea a comment belongs to, checked like the page it sits on."""
    if comment.cycle_id is not None:
        return get_cycle_or_404(comment.cycle_id)
    return get_idea_or_404(comment.idea_id)


def get_comment_or_404(comment_id: int, *, edit: bool = False,
                       delete: bool = False) -> tuple[Comment, Cycle | ChangeIdea]:
    """A comment and its cycle or idea; editing and deleting are checked when asked."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.deleted_at is not None:
        abort(404)
    target = target_of(comment)
    collaborative_id = (target.site.collaborative_id if isinstance(target, Cycle)
                        else target.collaborative_id)
    if edit and not policy.can_edit_comment(current_user, comment):
        abort(403)
    if delete and not policy.can_delete_comment(current_user, comment, collaborative_id):
        abort(403)
    return comment, target


def get_feedback_or_404(feedback_id: int, *, address: bool = False,
                        delete: bool = False) -> Feedback:
    """Feedback on a cycle the current user may read; addressing and deleting are checked."""
    feedback = db.session.get(Feedback, feedback_id)
    if feedback is None or feedback.deleted_at is not None:
        abort(404)
    get_cycle_or_404(feedback.cycle_id)
    if (address and not policy.can_address(current_user, feedback)) or (
            delete and not policy.can_delete_feedback(current_user, feedback)):
        abort(403)
    return feedback


def get_request_or_404(request_id: int) -> FeedbackRequest:
    """An open feedback request, to be withdrawn by the cycle's team."""
    request = db.session.get(FeedbackRequest, request_id)
    if request is None or not request.is_open:
        abort(404)
    cycle = get_cycle_or_404(request.cycle_id)
    if not policy.can_request_feedback(current_user, cycle):
        abort(403)
    return request


def get_notification_or_404(notification_id: int) -> Notification:
    """One of the current user's own notifications (anyone else's is simply not found)."""
    notification = db.session.scalars(
        db.select(Notification).where(Notification.id == notification_id,
                                      Notification.user_id == current_user.id)
        .options(joinedload(Notification.actor))
    ).first()
    if notification is None:
        abort(404)
    return notification
