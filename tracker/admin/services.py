"""Set-up verbs for collaboratives, networks and sites: they check, flush and audit; the
caller commits. Bad input raises AdminError naming the field to put the message on."""

from datetime import date

from ..core import audit
from ..core.db import lock
from ..events.periods import planned_periods
from ..extensions import db
from ..models import Collaborative, Measure, PlannedPeriod, Site, User, utcnow
from .queries import core_measures_of

# A measure's definition, copied when a new collaborative starts from another's measure set.
COPIED_MEASURE_FIELDS = ("name", "kind", "definition", "data_kind", "unit", "direction",
                         "target", "frequency", "position", "chart_type", "rule_set",
                         "screen_outliers", "baseline_periods")


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
                         ends_on: date | None = None, *, by: User | None,
                         measures_from: Collaborative | None = None) -> Collaborative:
    """A new national collaborative with a unique name; with `measures_from`, it starts with a
    copy of that collaborative's core measure set (else with none)."""
    name = _clean(name, "name", "The name")
    _check_name_free(name)
    _check_dates(starts_on, ends_on)
    if measures_from is not None and measures_from.parent_id is not None:
        raise AdminError("measures_from", "Copy the measures of a national collaborative.")
    collaborative = Collaborative(name=name, aim=(aim or "").strip(), starts_on=starts_on,
                                  ends_on=ends_on)
    db.session.add(collaborative)
    db.session.flush()
    copied = copy_core_measures(measures_from, collaborative) if measures_from else []
    audit.record("admin.collaborative_created", actor=by, obj=collaborative,
                 after={"name": name, "measures_from": measures_from.id if measures_from
                        else None, "measures_copied": len(copied)})
    return collaborative


def copy_core_measures(source: Collaborative, target: Collaborative) -> list[Measure]:
    """Copy `source`'s live core measures into `target`, keeping bundles and balancing links
    between the copies (a link to a measure not copied is dropped)."""
    originals = db.session.scalars(core_measures_of(source)).all()
    copies = {m.id: Measure(collaborative_id=target.id,
                            **{f: getattr(m, f) for f in COPIED_MEASURE_FIELDS})
              for m in originals}
    db.session.add_all(copies.values())
    db.session.flush()
    for m in originals:
        copy = copies[m.id]
        copy.composite_id = copies[m.composite_id].id if m.composite_id in copies else None
        copy.balances_id = copies[m.balances_id].id if m.balances_id in copies else None
    db.session.flush()
    return list(copies.values())


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
            "ends_on": str(collaborative.ends_on or ""),
            "aim_measure_id": collaborative.aim_measure_id,
            "aim_target": collaborative.aim_target,
            "aim_target_on": str(collaborative.aim_target_on or "")}


def set_aim_numbers(collaborative: Collaborative, measure: Measure | None,
                    target: float | None, target_on: date | None, *, by: User) -> None:
    """Name the core measure that shows the aim is met, the value to reach and by when."""
    if measure is not None and (measure.collaborative_id != collaborative.id
                                or not measure.is_core or measure.deleted_at is not None):
        raise AdminError("aim_measure_id", "Choose one of this collaborative's core measures.")
    if measure is None and (target is not None or target_on is not None):
        raise AdminError("aim_measure_id", "Choose the measure the target is for.")
    if target_on and collaborative.starts_on and target_on < collaborative.starts_on:
        raise AdminError("aim_target_on", "The target date must not come before the start.")
    before = _facts(collaborative)
    collaborative.aim_measure_id = measure.id if measure is not None else None
    collaborative.aim_target, collaborative.aim_target_on = target, target_on
    db.session.flush()
    if before != _facts(collaborative):
        audit.record("admin.collaborative_aim_set", actor=by, obj=collaborative,
                     before=before, after=_facts(collaborative))


def save_period(collaborative: Collaborative, period: PlannedPeriod | None, name: str,
                starts_on: date | None, ends_on: date | None, *, by: User) -> PlannedPeriod:
    """Add an action period (period=None) or change one: its last day after its first, and no
    overlap with the collaborative's other periods."""
    name = _clean(name, "name", "The name")
    if starts_on is None:
        raise AdminError("starts_on", "Give the first day.")
    if ends_on is None:
        raise AdminError("ends_on", "Give the last day.")
    if ends_on < starts_on:
        raise AdminError("ends_on", "The last day must not come before the first.")
    clash = _overlapping(collaborative.id, period, starts_on, ends_on)
    if clash is not None:
        raise AdminError("starts_on", f"These dates overlap {_named(clash)}.")
    before = _period_facts(period) if period is not None else None
    if period is None:
        period = PlannedPeriod(collaborative_id=collaborative.id)
        db.session.add(period)
    period.name, period.starts_on, period.ends_on = name, starts_on, ends_on
    db.session.flush()
    audit.record("admin.action_period_saved", actor=by, obj=period, before=before,
                 after=_period_facts(period), detail=collaborative.name)
    return period


def remove_period(period: PlannedPeriod, *, by: User) -> None:
    """Take an action period out of use (restorable): with none left, the learning sessions
    divide the time again."""
    period.deleted_at = utcnow()
    db.session.flush()
    audit.record("admin.action_period_removed", actor=by, obj=period,
                 before=_period_facts(period), detail=period.collaborative.name)


def restore_period(period: PlannedPeriod, *, by: User) -> None:
    """Put a removed action period back, unless a period now in use overlaps it."""
    clash = _overlapping(period.collaborative_id, period, period.starts_on, period.ends_on)
    if clash is not None:
        raise AdminError("starts_on", f"{_named(period)} overlaps {_named(clash)}, now in "
                                      "use: change or remove that one first.")
    period.deleted_at = None
    db.session.flush()
    audit.record("admin.action_period_restored", actor=by, obj=period,
                 after=_period_facts(period), detail=period.collaborative.name)


def _overlapping(collaborative_id: int, period: PlannedPeriod | None, starts_on: date,
                 ends_on: date) -> PlannedPeriod | None:
    """The collaborative's first period in use, other than `period`, overlapping those dates.
    The collaborative is held first, until the commit: two people saving or restoring
    overlapping periods at once would each find no overlap and both put theirs in use."""
    lock(Collaborative.name, collaborative_id)
    others = db.session.scalars(planned_periods(collaborative_id).where(
        PlannedPeriod.id != (period.id if period is not None else 0))).all()
    return next((p for p in others if p.overlaps(starts_on, ends_on)), None)


def _named(period: PlannedPeriod) -> str:
    return f"{period.name} ({period.starts_on:%-d %b %Y} to {period.ends_on:%-d %b %Y})"


def _period_facts(period: PlannedPeriod) -> dict:
    return {"name": period.name, "starts_on": str(period.starts_on),
            "ends_on": str(period.ends_on)}


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
                organisation: str = "", *, by: User | None, record: dict | None = None
                ) -> Site:
    """A site in a collaborative (and one of its live networks), its name unique there, with
    its sign-up record if given (see update_site)."""
    if network is not None and network.parent_id != collaborative.id:
        raise AdminError("network_id", "Choose one of this collaborative's networks.")
    if network is not None and network.is_archived:
        raise AdminError("network_id", f"The network {network.name} is archived: choose "
                         "another.")
    name = _clean(name, "name", "The site name")
    _check_site_name_free(collaborative, name)
    site = Site(name=name, organisation=(organisation or "").strip()[:200],
                collaborative_id=collaborative.id,
                network_id=network.id if network is not None else None)
    set_record(site, record or {})
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


RECORD_FIELDS = ("joined_on", "executive_sponsor", "clinical_lead", "data_lead", "wards")


def update_site(site: Site, name: str, organisation: str, record: dict, *, by: User,
                network: Collaborative | None) -> None:
    """Change a site's name and organisation and its sign-up record (`record` holds
    RECORD_FIELDS: the date it joined, its executive sponsor, clinical and data leads, and the
    wards or units taking part, one a line), and its regional network (`network`, of its
    collaborative; None: none). Its work moves with it: a network's faculty see what its
    sites did, whenever they did it."""
    name = _clean(name, "name", "The site name")
    _check_site_name_free(site.collaborative, name, exclude=site)
    if network != site.network:
        if network is not None and network.parent_id != site.collaborative_id:
            raise AdminError("network_id", "Choose one of this collaborative's networks.")
        if network is not None and network.is_archived:
            raise AdminError("network_id", f"The network {network.name} is archived: choose "
                             "another.")
    before = _site_facts(site)
    site.name, site.organisation = name, (organisation or "").strip()[:200]
    site.network_id = network.id if network is not None else None
    set_record(site, record)
    db.session.flush()
    audit.record("admin.site_updated", actor=by, obj=site, before=before,
                 after=_site_facts(site))


def set_record(site: Site, record: dict) -> None:
    """Fill the site's sign-up record from `record` (missing keys leave a field as it is)."""
    for key in RECORD_FIELDS:
        if key not in record:
            continue
        value = record[key]
        if key == "wards":
            value = "\n".join(line.strip() for line in (value or "").splitlines()
                              if line.strip())
        elif key != "joined_on":
            value = (value or "").strip()[:200]
        setattr(site, key, value)


def _site_facts(site: Site) -> dict:
    facts = {key: getattr(site, key) for key in RECORD_FIELDS}
    facts["network_id"] = site.network_id
    facts["joined_on"] = str(site.joined_on or "")
    return {"name": site.name, "organisation": site.organisation, **facts}


def _check_site_name_free(collaborative: Collaborative, name: str, *,
                          exclude: Site | None = None) -> None:
    query = db.select(Site.id).where(Site.collaborative_id == collaborative.id,
                                     db.func.lower(Site.name) == name.lower())
    if exclude is not None:
        query = query.where(Site.id != exclude.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise AdminError("name", f"{collaborative.name} already has a site called {name!r}.")
