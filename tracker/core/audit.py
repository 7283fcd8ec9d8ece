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
    site_id: int | None = None,
) -> AuditEvent:
    """Add an audit event for `action` by `actor` on `obj` (any model with an id); the site
    it concerns is `site_id`, else read off `obj` (see `site_of`)."""
    event = AuditEvent(
        site_id=site_id if site_id is not None else site_of(obj),
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


def site_of(obj: Any) -> int | None:
    """The site an object belongs to: a site itself, anything with a site_id (a cycle, a
    membership, an invitation, a tally), or anything on a cycle (feedback, a request)."""
    if obj is None:
        return None
    if getattr(obj, "__tablename__", "") == "site":
        return obj.id
    site_id = getattr(obj, "site_id", None)
    if site_id is None and getattr(obj, "cycle", None) is not None:
        site_id = obj.cycle.site_id
    return site_id if isinstance(site_id, int) else None


def exported(what: str, *, obj: Any = None, detail: str = "", site_id: int | None = None
             ) -> None:
    """Record that the current user downloaded data ("export.<what>") and commit: an export
    writes nothing else, so this record is its request's only change."""
    record(f"export.{what}", actor=current_user, obj=obj, detail=detail, site_id=site_id)
    db.session.commit()
