"""The feature's loader: the only place other features get a cycle from (404 and 403 here)."""

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Cycle


def get_cycle_or_404(cycle_id: int, *, edit: bool = False, delete: bool = False,
                     deleted: bool = False) -> Cycle:
    """The cycle if the current user may see it (and edit or delete it when asked): else 404/403."""
    # The few questions joined in (one query fewer on every cycle page); the measures, shared
    # with other cycles, in a second query.
    cycle = db.session.scalars(
        db.select(Cycle).where(Cycle.id == cycle_id).options(
            joinedload(Cycle.site), joinedload(Cycle.idea), joinedload(Cycle.author),
            joinedload(Cycle.questions), selectinload(Cycle.measures),
        )
    ).unique().first()
    if cycle is None or (cycle.deleted_at is not None) != deleted:
        abort(404)
    if not cycle.can_view(current_user):
        abort(403)
    if (edit and not cycle.can_edit(current_user)) or (
        delete and not cycle.can_delete(current_user)
    ):
        abort(403)
    return cycle
