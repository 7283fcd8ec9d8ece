"""Set-up verbs for collaboratives, networks and sites: they check, flush and audit; the
caller commits. Bad input raises AdminError naming the field to put the message on."""

from datetime import date

from ..core import audit
from ..extensions import db
from ..models import Collaborative, Site, User, utcnow


class AdminError(ValueError):
    """Refused input: `field` is the form field the message belongs next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _clean(value: str | None, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise AdminError(field, f"{label} is required.")
    if len(value) > 200:
        raise AdminError(field, f"{label} is too long (at most 200 characters).")
    return value


def _check_name_free(name: str, *, exclude: Collaborative | None = None) -> None:
    # Collaboratives and networks share one table with a unique name.
    query = db.select(Collaborative.id).where(db.func.lower(Collaborative.name) == name.lower())
    if exclude is not None:
        query = query.where(Collaborative.id != exclude.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise AdminError("name", f"The name {name!r} is already taken: choose another.")


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on <= starts_on:
        raise AdminError("ends_on", "The end date must come after the start date.")


def create_collaborative(name: str, aim: str, starts_on: date | None = None,
                         ends_on: date | None = None, *, by: User | None) -> Collaborative:
    """A new national collaborative with a unique name."""
    name = _clean(name, "name", "The name")
    _check_name_free(name)
    _check_dates(starts_on, ends_on)
    collaborative = Collaborative(name=name, aim=(aim or "").strip(), starts_on=starts_on,
                                  ends_on=ends_on)
    db.session.add(collaborative)
    db.session.flush()
    audit.record("admin.collaborative_created", actor=by, obj=collaborative,
                 after={"name": name})
    return collaborative


def update_collaborative(collaborative: Collaborative, name: str, aim: str,
                         starts_on: date | None, ends_on: date | None, *, by: User) -> None:
    """Change a collaborative's name, aim and dates."""
    name = _clean(name, "name", "The name")
    _check_name_free(name, exclude=collaborative)
    _check_dates(starts_on, ends_on)
    before = _facts(collaborative)
    collaborative.name, collaborative.aim = name, (aim or "").strip()
    collaborative.starts_on, collaborative.ends_on = starts_on, ends_on
    db.session.flush()
    audit.record("admin.collaborative_updated", actor=by, obj=collaborative, before=before,
                 after=_facts(collaborative))


def _facts(collaborative: Collaborative) -> dict:
    return {"name": collaborative.name, "aim": collaborative.aim,
            "starts_on": str(collaborative.starts_on or ""),
            "ends_on": str(collaborative.ends_on or "")}


def create_network(collaborative: Collaborative, name: str, *, by: User | None
                   ) -> Collaborative:
    """A regional network inside a national collaborative."""
    if collaborative.is_archived:
        raise AdminError("name", f"{collaborative.name} is archived: it takes no new networks.")
    name = _clean(name, "name", "The network name")
    _check_name_free(name)
    network = Collaborative(name=name, parent_id=collaborative.id)
    db.session.add(network)
    db.session.flush()
    audit.record("admin.network_created", actor=by, obj=network, after={"name": name})
    return network


def rename_network(network: Collaborative, name: str, *, by: User) -> None:
    """Give a regional network a new (unique) name."""
    name = _clean(name, "name", "The network name")
    _check_name_free(name, exclude=network)
    before, network.name = network.name, name
    db.session.flush()
    audit.record("admin.network_renamed", actor=by, obj=network, before={"name": before},
                 after={"name": name})


def create_site(collaborative: Collaborative, network: Collaborative | None, name: str,
                organisation: str = "", *, by: User | None) -> Site:
    """A site in a collaborative (and one of its live networks), its name unique there."""
    if network is not None and network.parent_id != collaborative.id:
        raise AdminError("network_id", "Choose one of this collaborative's networks.")
    if network is not None and network.is_archived:
        raise AdminError("network_id", f"The network {network.name} is archived: choose "
                         "another.")
    name = _clean(name, "name", "The site name")
    taken = db.session.scalar(db.select(Site.id).where(
        Site.collaborative_id == collaborative.id, db.func.lower(Site.name) == name.lower()))
    if taken is not None:
        raise AdminError("name", f"{collaborative.name} already has a site called {name!r}.")
    site = Site(name=name, organisation=(organisation or "").strip()[:200],
                collaborative_id=collaborative.id,
                network_id=network.id if network is not None else None)
    db.session.add(site)
    db.session.flush()
    audit.record("admin.site_created", actor=by, obj=site,
                 after={"name": name, "network_id": site.network_id})
    return site


def archive(thing: Collaborative | Site, *, by: User) -> None:
    """Archive a collaborative, network or site: gone from pickers, its work still readable."""
    if thing.archived_at is None:
        thing.archived_at = utcnow()
        db.session.flush()
        audit.record(f"admin.{thing.__tablename__}_archived", actor=by, obj=thing,
                     detail=thing.name)
