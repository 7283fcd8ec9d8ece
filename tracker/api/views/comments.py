"""Comments on a cycle: read, and post (anyone who may read the cycle, partners included)."""

from flask_login import current_user

from ...cycles.loaders import get_cycle_or_404
from ...extensions import db
from ...feedback import audience, services
from ...feedback.forms import CommentForm
from ...feedback.panel import comment_threads
from ...models import Comment
from .. import bp
from ..inputs import decode_cursor, invalid, page_of, validated
from ..schemas import CommentCreateSchema, CommentPage, CommentSchema, PageArgs


@bp.get("/cycles/<id:cycle_id>/comments")
@bp.doc(tags=["comments"])
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, CommentPage)
def list_comments(cycle_id: int, limit: int, cursor: str | None = None):
    """A cycle's comments, oldest first, each thread's replies after it; follow
    `next_cursor`."""
    threads = comment_threads(get_cycle_or_404(cycle_id), current_user)
    flat = [c for entry in threads for c in (entry.comment, *(r.comment for r in entry.replies))]
    start = 0
    if cursor:
        after = decode_cursor(cursor)
        start = next((i + 1 for i, c in enumerate(flat) if c.id == after), None)
        if start is None:
            raise invalid({"cursor": ["This comment is gone: read the list from the start."]})
    return page_of(flat[start:start + limit + 1], limit)


@bp.post("/cycles/<id:cycle_id>/comments")
@bp.doc(tags=["comments"])
@bp.arguments(CommentCreateSchema)
@bp.response(201, CommentSchema)
def create_comment(data: dict, cycle_id: int):
    """Comment on a cycle, or reply to one of its comments; @mentions notify as on the page."""
    cycle = get_cycle_or_404(cycle_id)
    parent = _parent(cycle.id, data.pop("parent_id", None))
    form = validated(CommentForm, data)
    try:
        mentioned = services.mentioned_users(cycle, form.body.data)
    except audience.AmbiguousMention as error:
        raise invalid({"body": [str(error)]}) from None
    comment = services.post_comment(cycle, form.body.data, by=current_user, parent=parent,
                                    mentioned=mentioned)
    db.session.commit()
    return comment, 201


def _parent(cycle_id: int, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.cycle_id != cycle_id or parent.deleted_at is not None:
        raise invalid({"parent_id": ["No such comment on this cycle."]})
    return parent
