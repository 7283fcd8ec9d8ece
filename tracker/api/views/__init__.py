"""The API's views, one module per family of resources."""

from . import comments, cycles, events, measures, places  # noqa: F401
