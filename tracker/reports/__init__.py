"""Reports: the action-period report, site storyboards and the faculty dashboard."""

from .routes import bp

__all__ = ["bp"]
