"""The API's views, one module per family of resources."""

from . import comments, cycles, events, ideas, measures, places  # noqa: F401
