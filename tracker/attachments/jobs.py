"""Upkeep of stored files for the background queue (tracker/core/jobs.py)."""

from flask import current_app

from ..core import jobs
from ..extensions import db
from . import services


@jobs.periodic("20 3 * * *")  # every night at 03:20 UTC, when the wards are quiet
def purge_removed_files() -> int:
    count = services.purge_removed()
    db.session.commit()
    if count:
        current_app.logger.info("Purged %s file(s) removed more than %s days ago", count,
                                services.RESTORABLE_FOR.days)
    return count
