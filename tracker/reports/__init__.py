"""Reports: the action-period report, site storyboards and the faculty dashboard."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import routes  # noqa: E402,F401  (registers the views on bp)
