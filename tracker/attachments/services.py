"""Attachment verbs: store an upload (file and row together, or neither), delete, restore."""

import logging
import os
from uuid import uuid4

from flask import current_app

from ..core import audit
from ..extensions import db
from ..models import Attachment, ChangeIdea, Cycle, User, utcnow
from . import content
from .queries import RESTORABLE_FOR
from .storage import Storage, get_storage

log = logging.getLogger(__name__)

Owner = Cycle | ChangeIdea


def max_bytes() -> int:
    return current_app.config.get("UPLOAD_MAX_BYTES", content.MAX_BYTES)


def save_upload(owner: Owner, data: bytes, *, filename: str, caption: str, by: User,
                store: Storage | None = None) -> Attachment:
    """Clean `data`, store it (and its thumbnail), add its row and COMMIT: all or nothing.

    Raises content.Refused with the user's message for a file not accepted. Should a store
    write fail, no row is added; should the database write fail, the files just written are
    removed again, so neither side is left half-stored.
    """
    cleaned = content.examine(data, max_bytes=max_bytes())
    store = store or get_storage()
    folder = f"attachments/{uuid4().hex}"
    key = f"{folder}/file.{cleaned.extension}"
    thumb_key = None
    if cleaned.thumbnail is not None:
        thumb_key = f"{folder}/thumb.{'png' if cleaned.thumbnail_type == 'image/png' else 'jpg'}"
    written: list[str] = []
    try:
        store.put(key, cleaned.data, cleaned.content_type)
        written.append(key)
        if thumb_key:
            store.put(thumb_key, cleaned.thumbnail, cleaned.thumbnail_type)
            written.append(thumb_key)
        attachment = Attachment(
            cycle_id=owner.id if isinstance(owner, Cycle) else None,
            idea_id=owner.id if isinstance(owner, ChangeIdea) else None,
            uploaded_by_id=by.id, kind=cleaned.kind,
            original_name=_safe_name(filename), content_type=cleaned.content_type,
            size=len(cleaned.data), storage_key=key, thumbnail_key=thumb_key,
            thumbnail_type=cleaned.thumbnail_type, width=cleaned.width,
            height=cleaned.height, caption=caption.strip(), confirmed_no_patient=True,
        )
        db.session.add(attachment)
        db.session.flush()
        audit.record("attachment.added", actor=by, obj=attachment,
                     site_id=owner.site_id if isinstance(owner, Cycle) else None,
                     detail=attachment.original_name)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for written_key in written:
            try:
                store.delete(written_key)
            except Exception:  # the original error matters more; log this one
                log.exception("could not remove %s after a failed upload", written_key)
        raise
    return attachment


def _safe_name(filename: str) -> str:
    """The name as the user's device gave it, without any folder, trimmed to fit."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return (name or "upload")[-255:]


def delete(attachment: Attachment, *, by: User) -> None:
    """Soft delete: restorable from the cycle's or idea's page (the files stay)."""
    if attachment.deleted_at is not None:
        return
    attachment.deleted_at = utcnow()
    attachment.deleted_by_id = by.id
    audit.record("attachment.deleted", actor=by, obj=attachment, site_id=_site_id(attachment),
                 detail=attachment.original_name)


def restore(attachment: Attachment, *, by: User) -> None:
    if attachment.deleted_at is None:
        return
    attachment.deleted_at = None
    attachment.deleted_by_id = None
    audit.record("attachment.restored", actor=by, obj=attachment, site_id=_site_id(attachment),
                 detail=attachment.original_name)


def _site_id(attachment: Attachment) -> int | None:
    if attachment.cycle_id is None:
        return None
    return db.session.scalar(db.select(Cycle.site_id).where(Cycle.id == attachment.cycle_id))


PURGED_AT_ONCE = 500  # per run: a nightly job catches up with any backlog over a few nights


def purge_removed(now=None) -> int:
    """Remove for good what was removed by itself (`delete`) longer ago than it can be
    restored (RESTORABLE_FOR): its files from the store, then its row. A photo taken down
    because it showed someone must not stay on the disk for ever. What belongs to a cycle or
    an idea in the trash stays with it (it is not removed by itself). Files first: if the
    commit fails, the rows are removed next time, and a missing file is no error."""
    cutoff = (now or utcnow()) - RESTORABLE_FOR
    gone = db.session.execute(
        db.select(Attachment, Cycle.site_id).outerjoin(Cycle, Cycle.id == Attachment.cycle_id)
        .where(Attachment.deleted_at < cutoff)
        .order_by(Attachment.deleted_at).limit(PURGED_AT_ONCE)).all()
    store = get_storage()
    for attachment, site_id in gone:  # (with its cycle's site: one query for them all)
        for key in (attachment.storage_key, attachment.thumbnail_key):
            if key:
                store.delete(key)
        audit.record("attachment.purged", actor=None, obj=attachment, site_id=site_id,
                     detail=attachment.original_name)
        db.session.delete(attachment)
    return len(gone)
