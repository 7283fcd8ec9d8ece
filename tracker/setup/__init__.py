"""First run: create the first admin on an empty database (the page closes once one exists)."""

from flask import Blueprint

bp = Blueprint("setup", __name__, url_prefix="/setup")

from . import routes  # noqa: E402,F401  (registers the views on bp)
