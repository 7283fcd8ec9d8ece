"""Comments on cycles and ideas, structured feedback on cycles, and the faculty review queue."""

from flask import Blueprint

bp = Blueprint("feedback", __name__)

from . import views  # noqa: E402,F401  (its modules register the views on bp)
