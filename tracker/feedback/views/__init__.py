"""The feature's views, one module per page family; importing them registers them on bp."""

from . import comments, feedback, review  # noqa: F401
