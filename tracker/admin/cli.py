"""Scripted set-up: create-collaborative, create-network, create-site. Each is idempotent:
run again with the same values it changes nothing and says so."""

from datetime import date

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Collaborative, Site
from . import services


def _find(name: str, *, parent_id: int | None, option: str) -> Collaborative | None:
    query = db.select(Collaborative).where(db.func.lower(Collaborative.name) == name.lower())
    found = db.session.scalars(query).one_or_none()
    if found is not None and found.parent_id != parent_id:
        kind = (f"a regional network of {found.parent.name!r}" if found.parent
                else "a national collaborative")
        raise click.ClickException(f"{option} {name!r} is {kind}: names are unique across both.")
    return found


def _need(name: str, *, parent_id: int | None, option: str) -> Collaborative:
    found = _find(name, parent_id=parent_id, option=option)
    if found is None:
        raise click.ClickException(f"{option} {name!r}: no such "
                                   f"{'network' if parent_id else 'collaborative'}.")
    return found


def _run(verb, *args, **kwargs):
    try:
        result = verb(*args, by=None, **kwargs)
    except services.AdminError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    return result


@click.command("create-collaborative")
@with_appcontext
@click.option("--name", required=True)
@click.option("--aim", required=True)
@click.option("--starts", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--ends", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--measures-from", "measures_from",
              help="Start with a copy of this collaborative's core measures.")
def create_collaborative(name, aim, starts, ends, measures_from):
    """Create a national collaborative (one with this name already is left as it is)."""
    starts_on: date | None = starts.date() if starts else None
    ends_on: date | None = ends.date() if ends else None
    source = (_need(measures_from.strip(), parent_id=None, option="--measures-from")
              if measures_from else None)
    if _find(name.strip(), parent_id=None, option="--name"):
        click.echo(f"The collaborative {name.strip()!r} already exists: nothing changed.")
        return
    collaborative = _run(services.create_collaborative, name, aim, starts_on, ends_on,
                         measures_from=source)
    copied = f", with a copy of {source.name!r}'s core measures" if source else ""
    click.echo(f"Created the collaborative {collaborative.name!r}{copied}.")


@click.command("create-network")
@with_appcontext
@click.option("--collaborative", "collaborative_name", required=True)
@click.option("--name", required=True)
def create_network(collaborative_name, name):
    """Create a regional network in a collaborative (idempotent)."""
    collaborative = _need(collaborative_name, parent_id=None, option="--collaborative")
    if _find(name.strip(), parent_id=collaborative.id, option="--name"):
        click.echo(f"The network {name.strip()!r} already exists: nothing changed.")
        return
    network = _run(services.create_network, collaborative, name)
    click.echo(f"Created the network {network.name!r} in {collaborative.name!r}.")


@click.command("create-site")
@with_appcontext
@click.option("--collaborative", "collaborative_name", required=True)
@click.option("--network", "network_name", required=True)
@click.option("--name", required=True)
@click.option("--organisation", default="")
def create_site(collaborative_name, network_name, name, organisation):
    """Create a site in a collaborative's network (idempotent)."""
    collaborative = _need(collaborative_name, parent_id=None, option="--collaborative")
    network = _need(network_name, parent_id=collaborative.id, option="--network")
    existing = db.session.scalars(db.select(Site).where(
        Site.collaborative_id == collaborative.id,
        db.func.lower(Site.name) == name.strip().lower())).one_or_none()
    if existing is not None:
        if existing.network_id != network.id:
            raise click.ClickException(
                f"{collaborative.name!r} already has a site {existing.name!r} in another network.")
        click.echo(f"The site {existing.name!r} already exists: nothing changed.")
        return
    site = _run(services.create_site, collaborative, network, name, organisation)
    click.echo(f"Created the site {site.name!r} in {network.name!r}.")
