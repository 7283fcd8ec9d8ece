from . import drivers  # noqa: F401  (registers the driver diagram and tag views on bp)
from .routes import bp

__all__ = ["bp"]
