"""Learning events: read only."""

from flask_login import current_user

from ...events.loaders import get_event_or_404
from ...events.queries import events_visible_to
from ...models import LearningEvent
from .. import bp
from ..inputs import paginate
from ..schemas import EventPage, EventSchema, PageArgs


@bp.get("/events")
@bp.doc(tags=["events"])
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, EventPage)
def list_events(limit: int, cursor: str | None = None):
    """Learning events in your collaboratives and networks, by id; follow `next_cursor`."""
    return paginate(events_visible_to(current_user), LearningEvent.id, limit=limit,
                    cursor=cursor)


@bp.get("/events/<id:event_id>")
@bp.doc(tags=["events"])
@bp.response(200, EventSchema)
def get_event(event_id: int):
    """One learning event."""
    return get_event_or_404(event_id)
