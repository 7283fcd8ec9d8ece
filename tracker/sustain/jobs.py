"""The sustainability watch's jobs (tracker/core/jobs.py): each commits its own work and is
safe to run twice (announcements are claimed, alerts have a unique row)."""

from flask import current_app

from ..core import jobs
from . import watch


@jobs.job
def watch_site(site_id: int) -> None:
    """After a site's numbers change (grid, tally, import): alerts for its adopted changes."""
    watch.watch_site(site_id)


@jobs.periodic("40 6 * * *")  # every day at 06:40 UTC, before the 07:00 digest
def sustain_daily() -> None:
    """Announce the check-ins that fell due, and look again at every watched measure."""
    told = watch.announce_due()
    raised = sum(watch.watch_site(site_id) for site_id in watch.watched_sites())
    if told or raised:
        current_app.logger.info("Sustain watch: %s check-in(s) announced, %s alert(s) raised",
                                told, raised)


def watch_after_save(site_id: int) -> None:
    """Call after committing new numbers for a site: its adopted changes are looked at again."""
    jobs.enqueue(watch_site, site_id)
