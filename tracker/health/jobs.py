"""Upkeep of the database for the background queue (tracker/core/jobs.py)."""

from flask import current_app

from ..core import db as db_setup
from ..core import idempotency, jobs
from ..extensions import db


@jobs.periodic("30 3 * * *")  # every night at 03:30 UTC, when the wards are quiet
def refresh_statistics() -> None:
    db_setup.refresh_statistics()


@jobs.periodic("10 3 * * *", "USED_KEYS_KEPT_DAYS")  # every night at 03:10 UTC
def forget_used_keys(used_keys_kept_days: int) -> int:
    count = idempotency.forget_used_keys(used_keys_kept_days)
    db.session.commit()
    if count:
        current_app.logger.info("Forgot %s offline entry key(s) older than %s days", count,
                                used_keys_kept_days)
    return count
