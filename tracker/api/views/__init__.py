"""The API's views, one module per family of resources."""

from . import comments, cycles, events, places  # noqa: F401
