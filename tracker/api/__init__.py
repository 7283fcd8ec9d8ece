"""The public JSON API under /api/v1/: the same loaders, services and permission predicates as
the pages, authenticated by personal access tokens, documented by OpenAPI 3.1 generated from
the code (flask-smorest: see the README's API section for why)."""

from flask_smorest import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1",
               description="PDSA Tracker's public API, version 1.")

from . import views  # noqa: E402,F401  (the routes register themselves on bp)
from .setup import init_app  # noqa: E402,F401
