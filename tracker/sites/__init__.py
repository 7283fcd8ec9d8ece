"""The sites directory and each site's team."""

from flask import Blueprint

bp = Blueprint("sites", __name__, url_prefix="/sites")

from . import routes  # noqa: E402,F401  (registers the views on bp)
