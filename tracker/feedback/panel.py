"""What the comments-and-feedback section of a cycle or idea page shows, built in a fixed
number of queries (one each for comments, feedback and open requests) however long the thread.
"""

from dataclasses import dataclass, field

from flask import url_for
from markupsafe import Markup
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from ..core import markdown
from ..core.forms import ConfirmForm
from ..cycles.quality import CRITERIA
from ..extensions import db
from ..models import ChangeIdea, Comment, Cycle, Feedback, FeedbackRequest, Site, User, Visibility
from . import audience
from .forms import AddressedForm, CommentForm, FeedbackForm, FeedbackRequestForm
from .loaders import collaborative_of

CRITERION_NAMES = dict(CRITERIA)


@dataclass
class Entry:
    """One comment as shown: its safe HTML, what the viewer may do, its replies."""

    comment: Comment
    html: Markup
    can_edit: bool
    can_delete: bool
    replies: list["Entry"] = field(default_factory=list)


@dataclass
class FeedbackItem:
    feedback: Feedback
    html: Markup
    section: str
    criterion: str
    can_address: bool
    can_delete: bool


def comment_threads(target: Cycle | ChangeIdea, user: User) -> list[Entry]:
    """Top-level comments oldest first, each with its replies (replies to replies flattened)."""
    column = Comment.cycle_id if isinstance(target, Cycle) else Comment.idea_id
    comments = db.session.scalars(
        db.select(Comment).where(column == target.id)
        .options(joinedload(Comment.author))  # every entry shows its author
        .order_by(Comment.created_at, Comment.id)
    ).all()
    collaborative_id = collaborative_of(target)
    entries = {c.id: Entry(
        c, markdown.render(c.body) if c.deleted_at is None else Markup(""),
        c.can_edit(user), c.can_delete(user, collaborative_id),
    ) for c in comments}
    roots: list[Entry] = []
    for c in comments:
        root = c
        while root.parent_id in entries and root.parent_id != root.id:
            root = entries[root.parent_id].comment
        if root is c:
            roots.append(entries[c.id])
        else:
            entries[root.id].replies.append(entries[c.id])
    # A deleted comment stays as a placeholder only while replies hang from it.
    return [e for e in roots if e.comment.deleted_at is None or any(
        r.comment.deleted_at is None for r in e.replies)]


def comments_context(target: Cycle | ChangeIdea, user: User) -> dict:
    """Context for templates/feedback/_comments.html under a cycle or an idea."""
    if isinstance(target, Cycle):
        post_url = url_for("feedback.comment_cycle", cycle_id=target.id)
        mentions_url = url_for("feedback.mentions", cycle=target.id)
    else:
        post_url = url_for("feedback.comment_idea", idea_id=target.id)
        mentions_url = url_for("feedback.mentions", idea=target.id)
    return {"comments": {
        "threads": comment_threads(target, user), "form": CommentForm(formdata=None),
        "post_url": post_url, "mentions_url": mentions_url,
        "confirm_form": ConfirmForm(formdata=None),
    }}


def cycle_panel(cycle: Cycle, user: User) -> dict:
    """Context for templates/feedback/_cycle_panel.html: feedback, requests and comments."""
    items = db.session.scalars(
        db.select(Feedback).where(Feedback.cycle_id == cycle.id, Feedback.deleted_at.is_(None))
        .options(joinedload(Feedback.author), joinedload(Feedback.addressed_by))
        .order_by(Feedback.created_at, Feedback.id)
    ).all()
    requests = db.session.scalars(
        db.select(FeedbackRequest).where(
            FeedbackRequest.cycle_id == cycle.id, FeedbackRequest.answered_at.is_(None),
            FeedbackRequest.withdrawn_at.is_(None))
        .options(joinedload(FeedbackRequest.faculty), joinedload(FeedbackRequest.to_site),
                 joinedload(FeedbackRequest.requested_by))
        .order_by(FeedbackRequest.created_at)
    ).all()
    can_request = cycle.can_request_feedback(user)
    return {
        **comments_context(cycle, user),
        "feedback": {
            "items": [FeedbackItem(
                f, markdown.render(f.body), f.section.capitalize(),
                CRITERION_NAMES.get(f.criterion, ""), f.can_address(user),
                f.can_delete(user)) for f in items],
            "requests": requests,
            "can_request": can_request,
            "shared": cycle.visibility == Visibility.COLLABORATIVE,
            "request_form": request_form(cycle) if can_request else None,
            "give_form": FeedbackForm(formdata=None)
            if cycle.can_give_feedback(user) else None,
            "addressed_form": AddressedForm(formdata=None),
        },
    }


def request_form(cycle: Cycle, formdata=None) -> FeedbackRequestForm:
    """The request form with the collaborative's faculty and its other sites as choices."""
    form = FeedbackRequestForm(formdata=formdata)
    faculty = db.session.scalars(audience.faculty_of(cycle.site.collaborative_id)).all()
    form.faculty_id.choices = [SelectChoice("", "Any faculty member"),
                               *[SelectChoice(str(u.id), u.name) for u in faculty]]
    form.site_id.offer(db.select(Site).where(Site.collaborative_id == cycle.site.collaborative_id,
                                             Site.id != cycle.site_id).order_by(Site.name),
                       collaborative_id=cycle.site.collaborative_id, strict=True)
    return form
