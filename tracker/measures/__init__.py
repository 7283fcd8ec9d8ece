"""Measures, their data and charts. Each route module adds its views to the one blueprint."""

from . import chart_routes, data_routes, definition_routes, import_routes  # noqa: F401
from .routes import bp

__all__ = ["bp"]
