"""Learning events: the collaborative's calendar and its iCalendar feed."""

from .routes import bp

__all__ = ["bp"]
