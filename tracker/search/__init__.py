"""One search box over ideas, cycles and comments."""

from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")

from . import routes  # noqa: E402,F401  (registers the views on bp)
