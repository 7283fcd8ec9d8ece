"""The front door and the dashboard, with the activity feed."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from . import routes  # noqa: E402,F401  (registers the views on bp)
