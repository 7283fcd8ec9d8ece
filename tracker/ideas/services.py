"""Idea verbs: edit, try an idea at a site, follow, tags, the driver diagram. They flush, never
commit."""

import difflib
import re

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..core.db import lock
from ..cycles import services as cycles
from ..extensions import db
from ..models import (
    ChangeIdea,
    Collaborative,
    Cycle,
    Driver,
    IdeaFollow,
    Site,
    Tag,
    User,
    Visibility,
    idea_tag,
    utcnow,
)


def try_at_site(idea: ChangeIdea, site: Site, *, by: User, source: Cycle | None = None) -> Cycle:
    """A draft cycle at `site` testing `idea`, remembering the cycle (if any) it came from."""
    title = source.title.split(", cycle")[0].split(" — cycle")[0] if source else idea.title
    cycle = cycles.log_cycle(
        site, by=by, title=title, idea=idea, visibility=Visibility.SITE,
        objective=f"Test “{idea.title}” at {site.name}, starting small.",
        inspired_by_id=source.id if source else None,
        plan_what=source.plan_what if source else idea.description,
    )
    return cycle


def add_idea(collaborative: Collaborative, *, by: User, title: str, description: str,
             driver_id: int | None, tags: list[str]) -> ChangeIdea:
    """A new idea in the collaborative's library, from the author's first site there (by
    name), if any: faculty add ideas that come from no site."""
    site = min((m.site for m in by.memberships if m.site.collaborative_id == collaborative.id),
               key=lambda s: s.name, default=None)
    idea = ChangeIdea(collaborative_id=collaborative.id, origin_site_id=site.id if site else None,
                      author_id=by.id, title=title, description=description,
                      driver_id=driver_id)
    db.session.add(idea)
    set_tags(idea, tags)
    return idea


def hold(idea: ChangeIdea) -> None:
    """Lock the idea until the transaction ends and re-read it, so the edit check sees the
    latest save (core.db.lock says why this way)."""
    lock(ChangeIdea.updated_at, idea.id)  # holding is not editing
    db.session.expire(idea)


def save_idea(idea: ChangeIdea, *, stamp: str, title: str, description: str,
              driver_id: int | None, tags: list[str]) -> bool:
    """Save an edit made on a form opened when the idea was last saved at `stamp`; False (and
    nothing changed) when someone has saved it since, so the caller shows their version."""
    hold(idea)
    if idea.updated_at.isoformat() != stamp:
        return False
    idea.title, idea.description, idea.driver_id = title, description, driver_id
    idea.updated_at = utcnow()  # tags alone do not touch the row: the edit check reads this
    set_tags(idea, tags)
    return True


def _insert_new(table: sa.Table, rows: list[dict], keys: tuple[str, ...]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: a row that someone else added at the same moment
    (two people creating the same tag, a double-clicked follow) is kept, not an error."""
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[
        db.session.get_bind().dialect.name]
    db.session.execute(insert(table).values(rows).on_conflict_do_nothing(index_elements=keys))


def toggle_follow(idea: ChangeIdea, user: User) -> bool:
    """Follow the idea, or stop following it; True when the user now follows it."""
    follows = IdeaFollow.__table__
    mine = (follows.c.idea_id == idea.id) & (follows.c.user_id == user.id)
    if db.session.execute(follows.delete().where(mine)).rowcount:
        return False
    _insert_new(follows, [{"idea_id": idea.id, "user_id": user.id, "created_at": utcnow()}],
                ("user_id", "idea_id"))
    return True


def parse_tags(text: str) -> list[str]:
    """Tag names from "a, b; c": trimmed, lower-case, unique, in order."""
    names = [re.sub(r"\s+", " ", t).strip().lower()[:60] for t in re.split(r"[,;]", text or "")]
    return list(dict.fromkeys(n for n in names if n))


def set_tags(idea: ChangeIdea, names: list[str]) -> None:
    """Tag the idea with `names`, creating the tags its collaborative does not have yet."""
    query = db.select(Tag).where(Tag.collaborative_id == idea.collaborative_id,
                                 Tag.name.in_(names))
    existing = {t.name: t for t in db.session.scalars(query)}
    if missing := [n for n in names if n not in existing]:
        _insert_new(Tag.__table__, [{"collaborative_id": idea.collaborative_id, "name": n}
                                    for n in missing], ("collaborative_id", "name"))
        existing = {t.name: t for t in db.session.scalars(query)}
    idea.tags = [existing[n] for n in names]
    db.session.flush()


def merge_tags(source: Tag, target: Tag) -> int:
    """Move every idea from `source` to `target`, then remove `source`; returns ideas moved."""
    idea_ids = set(db.session.scalars(
        sa.select(idea_tag.c.idea_id).where(idea_tag.c.tag_id == source.id)))
    already = set(db.session.scalars(
        sa.select(idea_tag.c.idea_id).where(idea_tag.c.tag_id == target.id)))
    db.session.execute(idea_tag.delete().where(idea_tag.c.tag_id == source.id))
    moved = idea_ids - already
    if moved:
        db.session.execute(idea_tag.insert(), [{"idea_id": i, "tag_id": target.id} for i in moved])
    db.session.delete(source)
    db.session.flush()
    return len(moved)


def _words(title: str) -> set[str]:
    stop = {"a", "an", "the", "of", "and", "for", "to", "in", "on", "at", "by", "with"}
    return {w for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in stop}


def similar_ideas(title: str, collaborative_ids: set[int], *, exclude: int | None = None,
                  limit: int = 5) -> list[ChangeIdea]:
    """Existing ideas whose titles look like `title` (the duplicate guard)."""
    words = _words(title)
    if not words:
        return []
    candidates = db.session.scalars(
        db.select(ChangeIdea).where(ChangeIdea.collaborative_id.in_(collaborative_ids),
                                    ChangeIdea.deleted_at.is_(None))).all()
    scored = []
    for idea in candidates:
        if idea.id == exclude:
            continue
        other = _words(idea.title)
        overlap = len(words & other) / max(len(words | other), 1)
        ratio = difflib.SequenceMatcher(None, title.lower(), idea.title.lower()).ratio()
        prefix = any(a.startswith(b) or b.startswith(a) for a in words for b in other
                     if min(len(a), len(b)) >= 4)
        score = max(overlap, ratio) + (0.2 if prefix else 0)
        if score >= 0.5:
            scored.append((score, idea.title, idea))
    return [idea for _, _, idea in sorted(scored, key=lambda s: (-s[0], s[1]))[:limit]]


# --- the driver diagram -------------------------------------------------------------------

def add_driver(collaborative_id: int, title: str, *, parent: Driver | None) -> Driver:
    same_level = Driver.parent_id == parent.id if parent else Driver.parent_id.is_(None)
    siblings = db.session.scalar(sa.select(sa.func.max(Driver.position)).where(
        Driver.collaborative_id == collaborative_id, same_level))
    driver = Driver(collaborative_id=collaborative_id, parent_id=parent.id if parent else None,
                    title=title, position=(siblings or 0) + 1)
    db.session.add(driver)
    db.session.flush()
    return driver


def move_driver(driver: Driver, step: int) -> None:
    """Swap the driver with its neighbour above (step -1) or below (step +1)."""
    siblings = db.session.scalars(
        sa.select(Driver).where(
            Driver.collaborative_id == driver.collaborative_id,
            Driver.parent_id.is_(None) if driver.parent_id is None
            else Driver.parent_id == driver.parent_id,
            Driver.deleted_at.is_(None),
        ).order_by(Driver.position, Driver.id)).all()
    for position, sibling in enumerate(siblings):  # renumber: positions may have gaps or ties
        sibling.position = position
    index = siblings.index(driver)
    other = index + step
    if 0 <= other < len(siblings):
        siblings[index].position, siblings[other].position = other, index
    db.session.flush()


class DriverInUse(ValueError):
    """A driver that still has secondary drivers or ideas under it."""


def remove_driver(driver: Driver) -> None:
    """Soft-delete an empty driver; ideas and secondary drivers must be moved first."""
    has_children = db.session.scalar(sa.select(sa.func.count(Driver.id)).where(
        Driver.parent_id == driver.id, Driver.deleted_at.is_(None)))
    has_ideas = db.session.scalar(sa.select(sa.func.count(ChangeIdea.id)).where(
        ChangeIdea.driver_id == driver.id, ChangeIdea.deleted_at.is_(None)))
    if has_children or has_ideas:
        raise DriverInUse(f"“{driver.title}” still has secondary drivers or ideas: "
                          "move them first.")
    driver.deleted_at = utcnow()
    db.session.flush()
