"""The dashboard's sections for people who support the sites: faculty (sites needing support,
ranked, and the review queue) and lived-experience partners (what is new since their last
visit, and where their comments were answered). A fixed number of queries per collaborative
the user is faculty of, however many sites, requests or comments."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import render_template, url_for
from markupsafe import Markup
from sqlalchemy.orm import aliased

from ..core.queries import faculty_sites
from ..core.versions import kept_until_written, this_minute
from ..extensions import db
from ..feedback.review import Waiting, asked_of, oldest_waiting
from ..models import Collaborative, Comment, User
from ..reports.front import SiteRow, sites_needing_support
from .activity import Item, comment_span, visible_comments

SUPPORT_SHOWN = 5
QUEUE_SHOWN = 5
ANSWERS_SHOWN = 10
ANSWERS_READ = 120  # replies read first: several times ANSWERS_SHOWN
SUPPORT_KEPT = 64  # per app process: the faculty members looking at their dashboards lately
ANSWERS_KEPT = 256  # per app process: partners' answers lately read (ten rows each)


@dataclass
class FacultySection:
    collaborative: Collaborative
    needing: Sequence[SiteRow]  # reports.dashboard.Needing


@dataclass
class ReviewQueue:
    waiting: list[Waiting]  # the oldest first, up to QUEUE_SHOWN
    total: int
    asking_you: int


def support_panel(user: User, collaboratives: list[Collaborative], now: datetime) -> Markup:
    """The faculty's sections (sites needing support, the review queue), drawn; empty for
    anyone else. Kept until anything is written, for the faculty member (the queue names the
    requests asking them), per minute (the days requests have waited): the ranking inside is
    kept per scope already, but the queue and the sites it names were read for every look."""
    if not user.is_faculty:
        return Markup("")
    key = (user.id, this_minute(now), tuple(c.id for c in collaboratives))
    return kept_until_written("support_panels", SUPPORT_KEPT, key, lambda: Markup(
        render_template("main/_support.html", faculty=faculty_sections(user, collaboratives, now),
                        queue=review_queue(user, now))), packed=True)


def faculty_sections(user: User, collaboratives: list[Collaborative],
                     now: datetime) -> list[FacultySection]:
    """For each collaborative the user is faculty of, its sites needing support, ranked."""
    return [FacultySection(c, sites_needing_support(c, now, user)) for c in collaboratives
            if user.is_faculty_of(c.id)]


def review_queue(user: User, now: datetime) -> ReviewQueue:
    """The feedback requests waiting in the user's collaboratives, oldest first."""
    asked = asked_of(user, faculty_sites(user), narrowed=False)
    scope = user.faculty_collaborative_ids
    return ReviewQueue(*oldest_waiting(user, scope, now, asked, shown=QUEUE_SHOWN))


def answers_to(user: User, seen: datetime | None) -> list[Item]:
    """Replies by others to the user's comments, newest first, new since `seen` marked.

    Only the newest ANSWERS_READ replies are joined to what they are on and checked against
    what the user may see (a partner who comments everywhere has thousands of answers); all of
    them only when those hold fewer than ANSWERS_SHOWN the user may still see."""
    # Read once until anything is written, for the partner (they are their comments'
    # answers); what is new since their last look is marked per request.
    found = kept_until_written("partner_answers", ANSWERS_KEPT, user.id,
                               lambda: _answers(user))
    return [Item(at, f"{who} answered your comment on “{title}”",
                 url_for("feedback.show_comment", comment_id=comment_id),
                 seen is not None and at > seen)
            for at, comment_id, who, title in found]


def _answers(user: User) -> list[tuple]:
    """(at, comment id, who, on what) of the newest ANSWERS_SHOWN answers the user may see."""
    # Not the replies to a comment the user has since removed: each reply's own looked up by
    # its id. (As NOT EXISTS, PostgreSQL read every comment once for the removed ones: 90,000
    # at 10x national, 10 ms of the partner's dashboard.)
    theirs = aliased(Comment)
    removed = (sa.select(theirs.deleted_at).where(theirs.id == Comment.parent_id)
               .scalar_subquery().is_not(None))
    for bound in (ANSWERS_READ, None):
        # Read newest first from the replies' index by whom they answer: gathering the
        # replies to each of the user's comments, then sorting them all, grew with them.
        span = comment_span(Comment.parent_author_id == user.id, Comment.author_id != user.id,
                            ~removed, newest=bound)
        shown = visible_comments(user, span).limit(ANSWERS_SHOWN).subquery()
        read = sa.select(sa.func.count().label("read")).select_from(span).subquery()
        rows = db.session.execute(
            sa.select(read.c.read, *shown.c).select_from(read.outerjoin(shown, sa.true()))
            .order_by(shown.c.created_at.desc())).all()
        found = [tuple(row[1:]) for row in rows if row[1] is not None]
        if len(found) == ANSWERS_SHOWN or bound is None or rows[0].read < bound:
            break
    return found
