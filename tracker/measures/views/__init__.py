"""The feature's views, one module per page family; importing them registers them on bp."""

from . import charts, data, definitions, imports, notes, pages, quarters  # noqa: F401
