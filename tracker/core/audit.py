"""The audit log: one call per security or data event; it adds, the caller commits."""

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from ..extensions import db
from ..models import AuditEvent, User


def record(
    action: str,
    *,
    actor: User | None,
    obj: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add an audit event for `action` by `actor` on `obj` (any model with an id)."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        object_type=getattr(obj, "__tablename__", "") if obj is not None else "",
        object_id=getattr(obj, "id", None),
        before=before,
        after=after,
        detail=detail[:500],
        ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
    )
    db.session.add(event)
    return event


def exported(what: str, *, obj: Any = None, detail: str = "") -> None:
    """Record that the current user downloaded data ("export.<what>") and commit: an export
    writes nothing else, so this record is its request's only change."""
    record(f"export.{what}", actor=current_user, obj=obj, detail=detail)
    db.session.commit()
