"""`flask --app wsgi sustain-watch`: the daily sustainability watch; safe to run from cron."""

import click
from flask.cli import with_appcontext

from . import watch


@click.command("sustain-watch")
@with_appcontext
def sustain_watch_command():
    """Announce check-ins that fell due (once each) and raise alerts for measures that fell
    after a change was adopted (once per signal). Run it daily, before send-digests."""
    told = watch.announce_due()
    raised = sum(watch.watch_site(site_id) for site_id in watch.watched_sites())
    click.echo(f"{told} check-in{'s' if told != 1 else ''} announced, "
               f"{raised} alert{'s' if raised != 1 else ''} raised.")
