"""`flask --app wsgi send-digests`: email pending notifications; safe to run from cron."""

import click
from flask.cli import with_appcontext

from .delivery import send_digests


@click.command("send-digests")
@with_appcontext
@click.option("--base-url", envvar="PUBLIC_URL", default="http://localhost:5000",
              show_default=True, help="The app's public address, for links in the emails "
              "(or set PUBLIC_URL).")
def send_digests_command(base_url):
    """Email each user their unread notifications (daily digest). Never sends one twice."""
    result = send_digests(base_url=base_url)
    click.echo(f"Sent {result.emails} email{'s' if result.emails != 1 else ''} "
               f"with {result.notifications} notification"
               f"{'s' if result.notifications != 1 else ''}.")
    if result.stranded:
        click.echo(f"{result.stranded} notifications were claimed by an earlier run that stopped "
                   "before sending; they stay unsent (and unread in the app) rather than risk "
                   "a duplicate.")
