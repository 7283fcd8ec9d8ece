"""The feature's loader: a learning event the current user may see (or manage)."""

from flask import abort
from flask_login import current_user

from ..extensions import db
from ..models import LearningEvent


def get_event_or_404(event_id: int, *, manage: bool = False) -> LearningEvent:
    """An event (not deleted) the current user may see, or manage when asked: else 404/403."""
    event = db.session.get(LearningEvent, event_id)
    if event is None or event.deleted_at is not None:
        abort(404)
    if not event.can_view(current_user):
        abort(403)
    if manage and not event.can_manage(current_user):
        abort(403)
    return event
