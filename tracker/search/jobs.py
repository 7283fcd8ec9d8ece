"""The search index's background job (tracker/core/jobs.py)."""

from flask import current_app

from ..core import jobs
from ..extensions import db
from .engine import reindex_all


@jobs.job
def reindex() -> int:
    """Rebuild the whole search index in one transaction: searches see the old index until it
    commits, and a retry simply rebuilds it again."""
    count = reindex_all()
    db.session.commit()
    current_app.logger.info("Search index rebuilt: %s documents", count)
    return count
