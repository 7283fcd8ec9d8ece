"""`flask --app wsgi create-admin`: the first admin without the browser."""

import click
from flask.cli import with_appcontext

from ..extensions import db
from . import services


@click.command("create-admin")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True)
def create_admin_command(email, name, password):
    """Create an admin account (an existing admin with this email is left as it is)."""
    try:
        user, created = services.create_admin(email, name, password)
    except services.SetupError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if created:
        click.echo(f"Created admin {user.email}.")
    else:
        click.echo(f"{user.email} is already an admin: nothing changed.")
