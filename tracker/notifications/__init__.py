"""Notifications: the bell, the list, email preferences, immediate emails and daily digests."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from . import routes  # noqa: E402,F401  (registers the views on bp)
