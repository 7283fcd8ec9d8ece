"""Upkeep of the database for the background queue (tracker/core/jobs.py)."""

from ..core import db as db_setup
from ..core import jobs


@jobs.periodic("30 3 * * *")  # every night at 03:30 UTC, when the wards are quiet
def refresh_statistics() -> None:
    db_setup.refresh_statistics()
