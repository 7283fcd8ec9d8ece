"""A site's one-page storyboard for a learning session: aim, driver-diagram excerpt, the main
measure's chart with its cycles, the ramp, and key learning."""

from dataclasses import dataclass, field

from sqlalchemy.orm import joinedload

from ..attachments.queries import by_cycle
from ..extensions import db
from ..measures.charts import Geometry
from ..measures.front import site_chart
from ..models import (
    Attachment,
    Collaborative,
    Cycle,
    Driver,
    Measure,
    Site,
    Stage,
    User,
    Visibility,
)
from .figures import main_measure

LEARNING_SHOWN = 4
PHOTOS_SHOWN = 6


@dataclass
class DriverLine:
    primary: str
    secondary: list[str] = field(default_factory=list)
    ideas: list[str] = field(default_factory=list)


@dataclass
class Storyboard:
    site: Site
    collaborative: Collaborative
    drivers: list[DriverLine]
    measure: Measure | None
    geometry: Geometry | None
    summary: list[str]
    ramp: list[Cycle]
    learning: list[Cycle]
    photos: list[Attachment] = field(default_factory=list)  # the site's photos, newest first


def build(site: Site, user: User) -> Storyboard:
    """Everything the storyboard shows (a site's drafts only for its own team)."""
    query = (db.select(Cycle).where(Cycle.site_id == site.id, Cycle.deleted_at.is_(None))
             .options(joinedload(Cycle.idea))  # the driver excerpt reads each cycle's idea
             .order_by(Cycle.created_at))
    if site.id not in user.site_ids and not user.is_admin:
        query = query.where(Cycle.visibility == Visibility.COLLABORATIVE)
    cycles = list(db.session.scalars(query))
    measure = main_measure(site.collaborative_id)
    geometry, summary = None, []
    if measure is not None:
        shown = site_chart(measure, site, user)
        geometry, summary = shown.geometry, shown.summary
    learning = [c for c in reversed(cycles)
                if c.study_learning.strip() and c.stage in (Stage.ACT, Stage.COMPLETE)]
    return Storyboard(site, db.session.get(Collaborative, site.collaborative_id),
                      driver_excerpt(site.collaborative_id, cycles), measure, geometry, summary,
                      _longest_ramp(cycles), learning[:LEARNING_SHOWN], _photos(cycles))


def _photos(cycles: list[Cycle]) -> list[Attachment]:
    """The latest photos of the cycles shown (one query)."""
    grouped = by_cycle([c.id for c in cycles], images_only=True)
    photos = [a for group in grouped.values() for a in group]
    return sorted(photos, key=lambda a: (a.created_at, a.id), reverse=True)[:PHOTOS_SHOWN]


def driver_excerpt(collaborative_id: int, cycles: list[Cycle]) -> list[DriverLine]:
    """The part of the driver diagram the site's tested ideas sit under."""
    drivers = {d.id: d for d in db.session.scalars(
        db.select(Driver).where(Driver.collaborative_id == collaborative_id,
                                Driver.deleted_at.is_(None)))}
    lines: dict[int, DriverLine] = {}
    for idea in {c.idea.id: c.idea for c in cycles if c.idea is not None}.values():
        driver = drivers.get(idea.driver_id)
        if driver is None:
            continue
        primary = drivers.get(driver.parent_id, driver)
        line = lines.setdefault(primary.id, DriverLine(primary.title))
        if driver is not primary and driver.title not in line.secondary:
            line.secondary.append(driver.title)
        line.ideas.append(idea.title)
    return [lines[k] for k in sorted(lines, key=lambda k: drivers[k].position)]


def _longest_ramp(cycles: list[Cycle]) -> list[Cycle]:
    """The site's longest chain of linked cycles (the latest one when several tie)."""
    by_id = {c.id: c for c in cycles}
    best: list[Cycle] = []
    for cycle in cycles:  # oldest first, so a later chain of equal length wins below
        chain, seen = [cycle], {cycle.id}
        while chain[0].previous_id in by_id and chain[0].previous_id not in seen:
            chain.insert(0, by_id[chain[0].previous_id])
            seen.add(chain[0].id)
        if len(chain) >= len(best):
            best = chain
    return best
