"""Command-line tools: `flask --app wsgi create-user ...`, `flask --app wsgi seed-demo`."""

import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .admin.cli import create_collaborative, create_network, create_site
from .admin.invite_cli import invite_command
from .api.cli import create_token_command
from .attachments.jobs import purge_removed_files
from .attachments.queries import RESTORABLE_FOR
from .core import backup, jobs, versions
from .core import db as db_setup
from .extensions import db
from .feedback import followup as feedback_followup
from .health.jobs import forget_used_keys
from .ideas import statuses as idea_statuses
from .jobs_cli import scheduler_command, worker_command
from .measures import summaries
from .models import (
    Collaborative,
    CollaborativeRole,
    CollaborativeRoleKind,
    DataVersion,
    Membership,
    Profession,
    Site,
    SiteRole,
    User,
)
from .models.people import MIN_PASSWORD, normalise_email
from .notifications.cli import send_digests_command
from .reports import standing as site_standing
from .search import jobs as search_jobs
from .setup.cli import create_admin_command
from .sustain.cli import sustain_watch_command

ROLES = ("member", "site_lead", "faculty", "partner", "admin")


def register_cli(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(search_reindex)
    app.cli.add_command(rebuild_summaries)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(send_digests_command)
    app.cli.add_command(sustain_watch_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(create_token_command)
    app.cli.add_command(refresh_statistics_command)
    app.cli.add_command(forget_used_keys_command)
    app.cli.add_command(data_changed_command)
    app.cli.add_command(purge_removed_files_command)
    for command in (create_admin_command, create_collaborative, create_network, create_site,
                    invite_command):
        app.cli.add_command(command)


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--site", "site_name", help="Site name (required for member and site_lead).")
@click.option("--profession", type=click.Choice([p.value for p in Profession]), default="other")
@click.option("--collaborative", "collaborative_name",
              help="For faculty and partner: the collaborative or network (default: the only "
                   "one); for member and site_lead: the collaborative whose --site is meant.")
def create_user(email, name, password, role, site_name, profession, collaborative_name):
    """Create a user, or update the one with this email, and give them ROLE."""
    if len(password) < MIN_PASSWORD:
        raise click.UsageError(f"The password needs at least {MIN_PASSWORD} characters.")
    email = normalise_email(email)
    user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
    created = user is None
    if created:
        user = User(email=email)
        db.session.add(user)
    user.name, user.profession = name, Profession(profession)
    user.set_password(password)
    if role in ("member", "site_lead"):
        where = Site.name == site_name
        if collaborative_name:  # two collaboratives may each have a site of this name
            collaborative = _one(Collaborative, Collaborative.name == collaborative_name,
                                 "--collaborative", collaborative_name)
            where &= Site.collaborative_id == collaborative.root_id
        site = _one(Site, where, "--site", site_name)
        membership = next((m for m in user.memberships if m.site_id == site.id), None)
        if membership is None:
            membership = Membership(user=user, site=site)
            db.session.add(membership)
        membership.role = SiteRole(role)
        where = f" at {site.name}"
    elif role in ("faculty", "partner"):
        if collaborative_name:
            collaborative = _one(Collaborative, Collaborative.name == collaborative_name,
                                 "--collaborative", collaborative_name)
        else:
            collaborative = _one(Collaborative, Collaborative.parent_id.is_(None),
                                 "--collaborative", None)
        existing = next((r for r in user.collaborative_roles
                         if r.collaborative_id == collaborative.id), None)
        if existing is None:
            existing = CollaborativeRole(user=user, collaborative=collaborative)
            db.session.add(existing)
        existing.role = CollaborativeRoleKind(role)
        where = f" in {collaborative.name}"
    else:
        user.is_admin = True
        where = ""
    db.session.commit()
    click.echo(f"{'Created' if created else 'Updated'} {user.email} as {role}{where}.")


def _one(model, condition, option: str, value):
    rows = db.session.execute(db.select(model).where(condition)).scalars().all()
    if len(rows) != 1:
        found = "none" if not rows else f"{len(rows)}"
        raise click.UsageError(
            f"{option} {value or ''}: expected exactly one match, found {found}."
        )
    return rows[0]


@click.command("seed-demo")
@with_appcontext
@click.option("--scale", type=click.Choice(["demo", "national", "10x"]), default="demo",
              help="demo: the DrEaMing collaborative; national: the benchmark data set (150 "
              "sites, two years); 10x: ten times its sites, for growth tests.")
@click.option("--if-empty", is_flag=True,
              help="Do nothing if the database holds any collaborative.")
def seed_demo(scale, if_empty):
    """Build the deterministic DrEaMing demo collaborative and print its accounts."""
    # Imported here, not at the top: the demo reads its data files when imported, which every
    # web worker would otherwise pay for at start-up.
    from .demo import DEMO_PASSWORD, build_demo, demo_accounts

    if if_empty and db.session.scalar(db.select(db.func.count(Collaborative.id))):
        click.echo("Skipped the demo: the database already holds data.")
    else:
        started = time.monotonic()
        build_demo(scale=scale, echo=click.echo)
        db.session.commit()
        click.echo(f"Built the {scale} data set in {time.monotonic() - started:.0f} s.")
    accounts = demo_accounts()
    if accounts:
        click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, label in accounts:
            click.echo(f"  {email:<36} {label}")


@click.command("search-reindex")
@with_appcontext
@click.option("--background", is_flag=True,
              help="Queue the rebuild for the worker (needs REDIS_URL) instead of waiting.")
def search_reindex(background):
    """Rebuild the search index from the tables (e.g. after restoring a backup)."""
    if background:
        if not current_app.config.get("REDIS_URL"):
            raise click.UsageError("--background needs REDIS_URL (a queue and a worker).")
        jobs.enqueue(search_jobs.reindex)
        click.echo("Queued: a worker will rebuild the search index.")
        return
    count = search_jobs.reindex()
    click.echo(f"Indexed {count} ideas, cycles and comments.")


@click.command("rebuild-summaries")
@with_appcontext
def rebuild_summaries():
    """Recompute every site's chart summary of every measure (latest signal, value, centre)
    that dashboards, reports and small multiples read, every site's standing with each idea
    that the idea library reads, every site's standing (its cycles and open requests) that
    the faculty's reasons for support read, and who gave feedback on each cycle and whether it
    has changed since (the review queue), e.g. after restoring a backup. Saves made meanwhile
    wait for it (a few seconds nationally), then refresh their own rows over it."""
    started = time.monotonic()
    db_setup.hold_derived()
    count = summaries.rebuild_all()
    standings = idea_statuses.rebuild_all()
    sites = site_standing.rebuild_all()
    followed = feedback_followup.rebuild_all()
    db.session.commit()
    click.echo(f"Summed up {count:,} charts, {standings:,} sites' standing with an idea, "
               f"{sites:,} sites' standing and {followed:,} cycles given feedback in "
               f"{time.monotonic() - started:.0f} s.")


@click.command("backup")
@with_appcontext
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file to write (replaced only once the new copy is complete).")
def backup_command(output: Path):
    """Write a consistent copy of the database to OUTPUT while the app keeps running."""
    try:
        backup.backup(db.engine, output)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    size = output.stat().st_size
    click.echo(f"Backed up {db.engine.url.render_as_string()} to {output} ({size:,} bytes).")


@click.command("restore")
@with_appcontext
@click.option("--input", "backup_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="A file made by `backup`.")
def restore_command(backup_file: Path):
    """Load a backup into this database, which must be empty (a non-empty one is refused)."""
    try:
        # The data's version row is what `db upgrade` leaves in an empty database.
        backup.restore(db.engine, backup_file, [t for t in db.metadata.sorted_tables
                                                if t is not DataVersion.__table__])
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {backup_file} into {db.engine.url.render_as_string()}. "
               "Run `db upgrade` next if the backup comes from an older version.")


@click.command("refresh-statistics")
@with_appcontext
def refresh_statistics_command() -> None:
    """Gather the query planner's statistics on every table (nightly from the scheduler; from
    cron without Redis)."""
    db_setup.refresh_statistics()
    click.echo("Gathered the query planner's statistics.")


@click.command("forget-used-keys")
@with_appcontext
def forget_used_keys_command() -> None:
    """Forget offline entries' keys older than USED_KEYS_KEPT_DAYS (nightly from the scheduler;
    from cron without Redis)."""
    days = current_app.config["USED_KEYS_KEPT_DAYS"]
    click.echo(f"Forgot {forget_used_keys(days)} key(s) of offline entries older than {days} "
               "days.")


@click.command("data-changed")
@with_appcontext
def data_changed_command() -> None:
    """Tell every app server the data has changed, after writing it outside the app (psql,
    another tool): what they keep under the data's version is made afresh. Writes through
    the app, and `flask db upgrade`, do this themselves. (Moved here, once: the commit's own
    hook is not told of it.)"""
    with versions.unshown():
        versions.move(db.session.connection())
    db.session.commit()
    click.echo("The data has a new version: kept pages will be made afresh.")


@click.command("purge-removed-files")
@with_appcontext
def purge_removed_files_command() -> None:
    """Remove for good the photos and files removed more than 30 days ago, past restoring
    (nightly from the scheduler; from cron without Redis)."""
    click.echo(f"Purged {purge_removed_files()} file(s) removed more than "
               f"{RESTORABLE_FOR.days} days ago.")
