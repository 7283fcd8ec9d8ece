"""Who may see a cycle or an idea, in SQL: the people a comment can mention and notify."""

import re

import sqlalchemy as sa
from sqlalchemy import Select

from ..extensions import db
from ..models import (
    ChangeIdea,
    Collaborative,
    CollaborativeRole,
    CollaborativeRoleKind,
    Cycle,
    IdeaFollow,
    Membership,
    Site,
    User,
    Visibility,
)

_HANDLE = re.compile(r"^(.*?)\s*#(\d+)$")


def _collaborative_people(collaborative_id: int) -> sa.ColumnElement[bool]:
    """Members of the collaborative's sites, and its faculty and partners (networks included)."""
    members = db.select(Membership.user_id).join(Membership.site).where(
        Site.collaborative_id == collaborative_id)
    networks = db.select(Collaborative.id).where(Collaborative.parent_id == collaborative_id)
    roles = db.select(CollaborativeRole.user_id).where(
        CollaborativeRole.collaborative_id.in_(networks)
        | (CollaborativeRole.collaborative_id == collaborative_id))
    return User.id.in_(members) | User.id.in_(roles)


def people_who_see(target: Cycle | ChangeIdea) -> Select:
    """Active users (admins aside) who can read the cycle or idea: those a comment can mention.

    A site's draft cycle is read only by its own team; shared work by the whole collaborative.
    """
    query = db.select(User).where(User.active.is_(True)).order_by(User.name, User.id)
    if isinstance(target, Cycle) and target.visibility == Visibility.SITE:
        return query.where(User.id.in_(
            db.select(Membership.user_id).where(Membership.site_id == target.site_id)))
    collaborative_id = (target.site.collaborative_id if isinstance(target, Cycle)
                        else target.collaborative_id)
    return query.where(_collaborative_people(collaborative_id))


def site_team(site_id: int) -> Select:
    """The ids of a site's team."""
    return db.select(Membership.user_id).where(Membership.site_id == site_id)


def faculty_of(collaborative_id: int) -> Select:
    """The faculty of a collaborative (and of its regional networks)."""
    networks = db.select(Collaborative.id).where(Collaborative.parent_id == collaborative_id)
    return (
        db.select(User).join(CollaborativeRole, CollaborativeRole.user_id == User.id)
        .where(CollaborativeRole.role == CollaborativeRoleKind.FACULTY, User.active.is_(True),
               (CollaborativeRole.collaborative_id == collaborative_id)
               | CollaborativeRole.collaborative_id.in_(networks))
        .order_by(User.name)
    )


def idea_followers(idea_id: int) -> Select:
    """The ids of users following an idea (the ideas feature's IdeaFollow)."""
    return db.select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea_id)


def handles(users: list[User]) -> dict[int, str]:
    """Each user's mention handle: the name, or 'Name #id' when namesakes could be confused."""
    counts: dict[str, int] = {}
    for user in users:
        counts[user.name.casefold()] = counts.get(user.name.casefold(), 0) + 1
    return {u.id: u.name if counts[u.name.casefold()] == 1 else f"{u.name} #{u.id}"
            for u in users}


def bare_name(handle: str) -> str:
    """'Amy Nurse #12' -> 'Amy Nurse'."""
    return _HANDLE.sub(r"\1", handle)


class AmbiguousMention(ValueError):
    """A handle that names more than one person who can see the thread."""


def resolve(names: list[str], people: list[User]) -> list[User]:
    """The users the handles name among `people`; unknown handles name nobody.

    Raises AmbiguousMention for a bare name shared by several people.
    """
    by_name: dict[str, list[User]] = {}
    for user in people:
        by_name.setdefault(user.name.casefold(), []).append(user)
    by_id = {u.id: u for u in people}
    found: dict[int, User] = {}
    for handle in names:
        numbered = _HANDLE.match(handle)
        if numbered:
            user = by_id.get(int(numbered.group(2)))
            if user is not None and user.name.casefold() == numbered.group(1).casefold():
                found[user.id] = user
            continue
        matches = by_name.get(handle.casefold(), [])
        if len(matches) > 1:
            example = f"@[{matches[0].name} #{matches[0].id}]"
            raise AmbiguousMention(
                f"More than one person here is called {handle}: pick one from the suggestions "
                f"(for example {example}).")
        if matches:
            found[matches[0].id] = matches[0]
    return list(found.values())
