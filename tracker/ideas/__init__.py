"""Change ideas: the library, each idea's evidence, the driver diagram and tags."""

from flask import Blueprint

bp = Blueprint("ideas", __name__, url_prefix="/ideas")

from . import drivers, routes  # noqa: E402,F401  (register the views on bp)
