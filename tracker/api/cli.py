"""`flask --app wsgi create-token`: a personal access token for a script, printed once."""

import click
from flask.cli import with_appcontext

from ..core.pid import scan
from ..extensions import db
from ..models import TokenScope, User
from ..models.people import normalise_email
from .tokens import MAX_EXPIRY_DAYS, create_token


@click.command("create-token")
@with_appcontext
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--scope", type=click.Choice([s.value for s in TokenScope]), required=True)
@click.option("--expires-days", type=click.IntRange(1, MAX_EXPIRY_DAYS), default=None,
              help="Days until it stops working (default: never; revoke it on the profile page).")
def create_token_command(email, name, scope, expires_days):
    """Create an API token for the user with EMAIL and print it once (it is stored hashed)."""
    user = db.session.scalars(db.select(User).where(User.email == normalise_email(email))).first()
    if user is None or not user.active:
        raise click.UsageError(f"No active user with the email {email}.")
    if not name.strip() or len(name) > 100:
        raise click.UsageError("Give the token a name of 1 to 100 characters.")
    if scan(name).refused:
        raise click.UsageError("The name looks like it holds an NHS number: remove it.")
    _token, secret = create_token(user, name=name, scope=TokenScope(scope),
                                  expires_days=expires_days)
    db.session.commit()
    click.echo(secret)
