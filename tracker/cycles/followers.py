"""Followers of a change idea hear when a shared cycle starts testing it or decides on it."""

from typing import Any

from ..core.notify import notify_followers
from ..extensions import db
from ..models import ChangeIdea, Cycle, Site, User, Visibility


def tell_followers_of_first_test(cycle: Cycle, idea: ChangeIdea, by: User) -> None:
    """The idea's followers hear of the first cycle testing it at this site."""
    earlier = db.session.scalar(db.select(db.func.count(Cycle.id)).where(
        Cycle.idea_id == idea.id, Cycle.site_id == cycle.site_id, Cycle.id != cycle.id))
    if not earlier:
        site = db.session.get(Site, cycle.site_id)
        notify_followers(idea, f"{site.name} started testing “{idea.title}”.", actor=by,
                         obj=cycle)


def tell_followers(cycle: Cycle, before: dict[str, Any], by: User) -> None:
    """Followers of the idea hear when a shared cycle starts testing it or decides on it."""
    if cycle.idea_id is None or cycle.visibility != Visibility.COLLABORATIVE:
        return  # a site's draft is its own business until it is shared
    if before.get("visibility") == Visibility.SITE.value:
        tell_followers_of_first_test(cycle, db.session.get(ChangeIdea, cycle.idea_id), by)
    if cycle.decision is None:
        return
    if before.get("decision") == cycle.decision.value:
        return
    idea = db.session.get(ChangeIdea, cycle.idea_id)
    site = db.session.get(Site, cycle.site_id)
    notify_followers(idea, f"{site.name} decided to {cycle.decision.value} “{idea.title}”.",
                     actor=by, obj=cycle)
