"""Who may do what with comments and feedback: the loaders and the templates ask the same."""

from datetime import datetime, timedelta

from ..models import Comment, Cycle, Feedback, User, utcnow

EDIT_WINDOW = timedelta(minutes=15)


def can_edit_comment(user: User, comment: Comment, now: datetime | None = None) -> bool:
    """Authors fix their own comment within 15 minutes of posting it."""
    now = now or utcnow()
    return (comment.deleted_at is None and comment.author_id == user.id
            and now - comment.created_at <= EDIT_WINDOW)


def can_delete_comment(user: User, comment: Comment, collaborative_id: int) -> bool:
    """Authors remove their own comments; faculty and admins moderate."""
    return comment.deleted_at is None and (
        comment.author_id == user.id or user.is_faculty_of(collaborative_id))


def can_give_feedback(user: User, cycle: Cycle) -> bool:
    """Faculty, and peers from other sites: feedback comes from outside the team."""
    if not cycle.can_view(user):
        return False
    return user.is_faculty_of(cycle.site.collaborative_id) or bool(
        user.site_ids and cycle.site_id not in user.site_ids)


def can_request_feedback(user: User, cycle: Cycle) -> bool:
    """The cycle's own team asks for feedback on it."""
    return cycle.site_id in user.site_ids


def can_address(user: User, feedback: Feedback) -> bool:
    """The cycle's team marks feedback addressed."""
    return feedback.cycle.can_edit(user)


def can_delete_feedback(user: User, feedback: Feedback) -> bool:
    return feedback.deleted_at is None and (feedback.author_id == user.id or user.is_admin)


def faculty_collaborative_ids(user: User) -> set[int] | None:
    """The collaboratives whose review queue the user sees (None: every one, for admins)."""
    if user.is_admin:
        return None
    return {cid for cid in user.collaborative_ids if user.is_faculty_of(cid)}
