"""Comments, structured feedback and the review queue, notifications and their emails."""

from . import feedback_routes, notification_routes  # noqa: F401  (add their views to bp)
from .cli import send_digests_command
from .routes import bp

__all__ = ["bp", "send_digests_command"]
