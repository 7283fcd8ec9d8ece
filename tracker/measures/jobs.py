"""The measures' background jobs (tracker/core/jobs.py): each commits its own work."""

from flask import current_app

from ..core import jobs
from ..extensions import db
from . import services


@jobs.periodic("17 * * * *")  # hourly
def discard_stale_imports() -> None:
    count = services.discard_stale_imports()
    db.session.commit()
    if count:
        current_app.logger.info("Discarded %s upload(s) left unconfirmed", count)
