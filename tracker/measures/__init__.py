"""Measures, their data and charts. Each view module adds its views to the one blueprint."""

from flask import Blueprint

bp = Blueprint("measures", __name__, url_prefix="/measures")

from . import drawing, jobs, views  # noqa: E402,F401  (views register on bp; jobs on the queue)

bp.add_app_template_global(drawing.svg, "chart_svg_markup")
bp.add_app_template_global(drawing.data_table, "data_table_markup")
