"""The feature's views, one module per page family; importing them registers them on bp."""

from . import charts, data, definitions, imports, pages  # noqa: F401
