"""Sustain and spread (issue 16): a site's monthly progress score, and the watch kept on a
change after "Adopt" (check-ins and the linked measures' concern alerts)."""

from flask import Blueprint

bp = Blueprint("sustain", __name__, url_prefix="/sustain")

from . import jobs, routes  # noqa: E402,F401  (registers the views and jobs)
