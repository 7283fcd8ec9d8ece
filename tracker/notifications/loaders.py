"""The feature's loader: a notification the current user owns, else 404."""

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Notification


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
