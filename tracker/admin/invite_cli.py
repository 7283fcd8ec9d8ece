"""`flask invite --csv FILE`: invite the people a table names (columns name, email, role,
site), as the web page does. Idempotent: a row already invited, or whose person already holds
the role, is left alone. Any bad row refuses the whole file, with every row's reason."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..auth import services as auth_services
from ..extensions import db
from ..models import User
from ..models.people import normalise_email
from . import invite_csv


@click.command("invite")
@with_appcontext
@click.option("--csv", "csv_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV (or .xlsx) file with the columns name, email, role, site.")
@click.option("--by", "by_email", help="The admin the invitations come from (default: the "
              "first admin).")
@click.option("--base-url", envvar="PUBLIC_URL", default="http://localhost:5000",
              show_default=True, help="The site's address, for the links (or PUBLIC_URL).")
def invite_command(csv_file: Path, by_email: str | None, base_url: str):
    """Invite everyone in FILE; print each link when no mail server is configured."""
    by = _inviter(by_email)
    try:
        _text, rows = invite_csv.read(csv_file.read_bytes(), csv_file.name)
    except invite_csv.FileProblem as problem:
        raise click.ClickException(f"{csv_file.name}: {problem}") from problem
    result = invite_csv.check(rows, by=by)
    if result.problems or result.errors:
        lines = [*result.problems, *(f"row {row.number}: {error}" for row in result.errors
                                     for error in row.errors)]
        raise click.ClickException("Nothing was sent; correct the file and run it again:\n  "
                                   + "\n  ".join(lines))
    for row in result.rows:
        if row.already:
            click.echo(f"row {row.number}: {row.email}: {row.already}")
    if not result.to_send:
        click.echo("Nothing to send.")
        return
    sent = invite_csv.send(result, by=by)
    db.session.commit()
    show_links = current_app.config["MAIL_BACKEND"] != "smtp"
    with current_app.test_request_context(base_url=base_url):
        for row, invitation in sent:
            auth_services.email_invitation(invitation, by)
            click.echo(f"Invited {invitation.email} as {row.role_label}"
                       + (f": {auth_services.invitation_link(invitation)}" if show_links
                          else "."))


def _inviter(email: str | None) -> User:
    query = db.select(User).where(User.is_admin.is_(True), User.active.is_(True))
    if email:
        query = query.where(User.email == normalise_email(email))
    admin = db.session.scalars(query.order_by(User.id).limit(1)).first()
    if admin is None:
        raise click.ClickException(f"--by {email}: no active admin has that email." if email
                                   else "No admin exists yet: run create-admin first.")
    return admin
