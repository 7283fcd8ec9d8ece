"""PDSA cycles: quick log, the worksheet, stage moves, ramps, revisions and the trash."""

from flask import Blueprint

bp = Blueprint("cycles", __name__, url_prefix="/cycles")

from . import charts, history, routes  # noqa: E402,F401  (register the views on bp)
