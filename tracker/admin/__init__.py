"""Setting up and running collaboratives: collaboratives, regional networks and sites."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import audit_log, invitations, people, routes  # noqa: E402,F401  (registers the views on bp)
