"""Comment and feedback verbs. They take model objects and plain values, add the notifications
that follow, flush and never commit: the view commits.
"""

from datetime import datetime

import sqlalchemy as sa

from ..core import audit, markdown
from ..core.db import lock
from ..core.notify import notify
from ..extensions import db
from ..models import (
    ChangeIdea,
    Comment,
    Cycle,
    Feedback,
    FeedbackRequest,
    NotificationKind,
    Site,
    User,
    utcnow,
)
from . import audience

Target = Cycle | ChangeIdea


def _title(target: Target) -> str:
    return target.title if len(target.title) <= 80 else target.title[:79] + "…"


def mentioned_users(target: Target, body: str, *, exclude: set[str] = frozenset()) -> list[User]:
    """The people @mentioned in `body` who can see `target` (raises AmbiguousMention)."""
    names = [h for h in markdown.mention_handles(body) if h not in exclude]
    if not names:
        return []
    bare = {audience.bare_name(n).casefold() for n in names}
    people = db.session.scalars(
        audience.people_who_see(target).where(sa.func.lower(User.name).in_(bare))).all()
    return audience.resolve(names, list(people))


def post_comment(target: Target, body: str, *, by: User, parent: Comment | None = None,
                 mentioned: list[User] | None = None) -> Comment:
    """Add a comment (or a reply) and tell who should know: mentioned people, the author
    replied to, and the cycle's site team or the idea's followers. Nobody is told twice."""
    if mentioned is None:
        mentioned = mentioned_users(target, body)
    comment = Comment(
        cycle_id=target.id if isinstance(target, Cycle) else None,
        idea_id=target.id if isinstance(target, ChangeIdea) else None,
        parent_id=parent.id if parent is not None else None, author_id=by.id, body=body,
        # Known here: the column's default would read it again.
        parent_author_id=parent.author_id if parent is not None else None,
        site_id=target.site_id if isinstance(target, Cycle) else None,
    )
    db.session.add(comment)
    db.session.flush()
    title, excerpt = _title(target), markdown.plain(body, 120)
    told = {by.id}
    for kind, ids, text in (
        (NotificationKind.MENTION, {u.id for u in mentioned},
         f"{by.name} mentioned you on “{title}”: {excerpt}"),
        (NotificationKind.REPLY, _reply_to(parent, target),
         f"{by.name} replied to your comment on “{title}”: {excerpt}"),
        *_watchers(target, by, title, excerpt),
    ):
        ids = set(ids) - told
        if ids:
            notify(ids, kind, text, actor=by, obj=target)
        told |= ids
    return comment


def _reply_to(parent: Comment | None, target: Target) -> set[int]:
    if parent is None or parent.deleted_at is not None:
        return set()
    can_see = db.session.scalar(
        audience.people_who_see(target).with_only_columns(User.id)
        .where(User.id == parent.author_id))
    return {can_see} if can_see else set()


def _watchers(target: Target, by: User, title: str, excerpt: str) -> list[tuple]:
    """Who hears of every comment: the cycle's site team, or the idea's followers."""
    if isinstance(target, Cycle):
        ids = set(db.session.scalars(audience.site_team(target.site_id)))
        return [(NotificationKind.COMMENT, ids,
                 f"{by.name} commented on “{title}”: {excerpt}")]
    followers = audience.people_who_see(target).with_only_columns(User.id).where(
        User.id.in_(audience.idea_followers(target.id)))
    return [(NotificationKind.IDEA_ACTIVITY, set(db.session.scalars(followers)),
             f"{by.name} commented on the idea “{title}” you follow: {excerpt}")]


def edit_comment(comment: Comment, target: Target, body: str, *, by: User,
                 now: datetime | None = None) -> None:
    """Change a comment's text (within the edit window); newly mentioned people are told."""
    now = now or utcnow()
    if not comment.can_edit(by, now):
        raise PermissionError("Comments can be edited for 15 minutes after posting.")
    before = set(markdown.mention_handles(comment.body))
    mentioned = mentioned_users(target, body, exclude=before)
    comment.body, comment.edited_at = body, now
    if mentioned:
        notify(mentioned, NotificationKind.MENTION,
               f"{by.name} mentioned you on “{_title(target)}”: {markdown.plain(body, 120)}",
               actor=by, obj=target)
    db.session.flush()


def delete_comment(comment: Comment, *, by: User) -> None:
    """Soft delete: the thread keeps its shape, the text is no longer shown."""
    comment.deleted_at = utcnow()
    db.session.flush()


def request_feedback(cycle: Cycle, *, by: User, faculty: User | None = None,
                     site: Site | None = None, message: str = "") -> FeedbackRequest:
    """Ask for feedback on a cycle: from a named faculty member, another site, or any faculty."""
    # Held while it is asked: an edit of the cycle saved at the same moment moves the versions
    # of the sites it asks (read as it commits: core.shown_at.cycles_shown) either before this
    # request, or after it, with the site asked here.
    lock(Cycle.updated_at, cycle.id)
    request = FeedbackRequest(cycle_id=cycle.id, requested_by_id=by.id,
                              faculty_id=faculty.id if faculty else None,
                              to_site_id=site.id if site else None, message=message)
    db.session.add(request)
    db.session.flush()
    audit.record("feedback.requested", actor=by, obj=request, detail=f"cycle {cycle.id}")
    if faculty is not None:
        recipients = {faculty.id}
    elif site is not None:
        recipients = set(db.session.scalars(audience.site_team(site.id)))
    else:
        recipients = {u.id for u in db.session.scalars(
            audience.faculty_of(cycle.site.collaborative_id))}
    notify(recipients, NotificationKind.FEEDBACK_REQUESTED,
           f"{cycle.site.name} asks for feedback on “{_title(cycle)}”", actor=by, obj=cycle)
    return request


def withdraw_request(request: FeedbackRequest) -> None:
    request.withdrawn_at = utcnow()
    db.session.flush()


def give_feedback(cycle: Cycle, body: str, *, by: User, section: str = "",
                  criterion: str = "", mentioned: list[User] | None = None) -> Feedback:
    """Feedback on a cycle; it answers the open requests addressed to the giver, and the
    cycle's team (and whoever asked) are told, and anyone else it @mentions."""
    open_requests = db.session.scalars(
        db.select(FeedbackRequest).where(
            FeedbackRequest.cycle_id == cycle.id, FeedbackRequest.answered_at.is_(None),
            FeedbackRequest.withdrawn_at.is_(None))
        .order_by(FeedbackRequest.created_at)).all()
    answering = [r for r in open_requests if r.is_for(by, cycle.site.collaborative_id)]
    feedback = Feedback(cycle_id=cycle.id, site_id=cycle.site_id, author_id=by.id, body=body,
                        section=section, criterion=criterion,
                        request_id=answering[0].id if answering else None)
    db.session.add(feedback)
    now = utcnow()
    for request in answering:
        request.answered_at = now
    db.session.flush()
    audit.record("feedback.given", actor=by, obj=feedback, detail=f"cycle {cycle.id}")
    recipients = set(db.session.scalars(audience.site_team(cycle.site_id)))
    recipients |= {r.requested_by_id for r in answering}
    excerpt = markdown.plain(body, 120)
    notify(recipients, NotificationKind.FEEDBACK_GIVEN,
         f"{by.name} gave feedback on “{_title(cycle)}”: {excerpt}", actor=by, obj=cycle)
    others = {u.id for u in (mentioned if mentioned is not None
                             else mentioned_users(cycle, body))} - recipients
    if others:
        notify(others, NotificationKind.MENTION,
             f"{by.name} mentioned you in feedback on “{_title(cycle)}”: {excerpt}",
             actor=by, obj=cycle)
    return feedback


def set_addressed(feedback: Feedback, addressed: bool, *, by: User) -> None:
    """The team marks feedback addressed (or not yet)."""
    feedback.addressed_at = utcnow() if addressed else None
    feedback.addressed_by_id = by.id if addressed else None
    db.session.flush()


def delete_feedback(feedback: Feedback) -> None:
    feedback.deleted_at = utcnow()
    db.session.flush()
