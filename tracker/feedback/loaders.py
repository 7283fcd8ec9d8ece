"""The feature's loaders: each returns the object the current user may act on, else 404/403.

A comment or feedback is checked like the cycle or idea it sits on, through that feature's
own loader.
"""

from flask import abort
from flask_login import current_user

from ..cycles.loaders import get_cycle_or_404
from ..extensions import db
from ..ideas.loaders import get_idea_or_404
from ..models import ChangeIdea, Comment, Cycle, Feedback, FeedbackRequest


def target_of(comment: Comment) -> Cycle | ChangeIdea:
    """The cycle or idea a comment belongs to, checked like the page it sits on."""
    if comment.cycle_id is not None:
        return get_cycle_or_404(comment.cycle_id)
    return get_idea_or_404(comment.idea_id)


def collaborative_of(target: Cycle | ChangeIdea) -> int:
    """The collaborative whose faculty moderate the thread on `target`."""
    return target.site.collaborative_id if isinstance(target, Cycle) else target.collaborative_id


def get_comment_or_404(comment_id: int, *, edit: bool = False,
                       delete: bool = False) -> tuple[Comment, Cycle | ChangeIdea]:
    """A comment and its cycle or idea; editing and deleting are checked when asked."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.deleted_at is not None:
        abort(404)
    target = target_of(comment)
    if edit and not comment.can_edit(current_user):
        abort(403)
    if delete and not comment.can_delete(current_user, collaborative_of(target)):
        abort(403)
    return comment, target


def get_feedback_or_404(feedback_id: int, *, address: bool = False,
                        delete: bool = False) -> Feedback:
    """Feedback on a cycle the current user may read; addressing and deleting are checked."""
    feedback = db.session.get(Feedback, feedback_id)
    if feedback is None or feedback.deleted_at is not None:
        abort(404)
    get_cycle_or_404(feedback.cycle_id)
    if (address and not feedback.can_address(current_user)) or (
            delete and not feedback.can_delete(current_user)):
        abort(403)
    return feedback


def get_request_or_404(request_id: int) -> FeedbackRequest:
    """An open feedback request, to be withdrawn by the cycle's team."""
    request = db.session.get(FeedbackRequest, request_id)
    if request is None or not request.is_open:
        abort(404)
    cycle = get_cycle_or_404(request.cycle_id)
    if not cycle.can_request_feedback(current_user):
        abort(403)
    return request
