"""Reading attachments: a cycle's or idea's list, and the photos of many cycles at once."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from ..extensions import db
from ..models import Attachment, Cycle, utcnow
from .storage import Storage, get_storage

# An attachment deleted less than this long ago can be restored from its cycle's page.
RESTORABLE_FOR = timedelta(days=30)


def _live():
    return db.select(Attachment).where(Attachment.deleted_at.is_(None))


def panel(*, cycle_id: int | None = None, idea_id: int | None = None, removed: bool = False
          ) -> tuple[list[Attachment], list[Attachment]]:
    """One owner's live attachments (oldest first) and, with `removed`, those deleted one by
    one that can still be restored (newest first): one query."""
    owner = Attachment.cycle_id == cycle_id if cycle_id is not None else \
        Attachment.idea_id == idea_id
    shown = Attachment.deleted_at.is_(None)
    if removed:
        shown = shown | (Attachment.deleted_at >= utcnow() - RESTORABLE_FOR)
    rows = list(db.session.scalars(db.select(Attachment).where(owner, shown)
                                   .order_by(Attachment.created_at, Attachment.id)))
    gone = sorted((a for a in rows if a.deleted_at is not None),
                  key=lambda a: a.deleted_at, reverse=True)
    return [a for a in rows if a.deleted_at is None], gone


def by_cycle(cycle_ids: Iterable[int], *, images_only: bool = False
             ) -> dict[int, list[Attachment]]:
    """Live attachments of the given cycles (not in the trash), by cycle id: one query."""
    ids = list(set(cycle_ids))
    if not ids:
        return {}
    query = (_live().join(Cycle, Cycle.id == Attachment.cycle_id)
             .where(Attachment.cycle_id.in_(ids), Cycle.deleted_at.is_(None))
             .order_by(Attachment.created_at, Attachment.id))
    if images_only:
        query = query.where(Attachment.kind == "image")
    grouped: dict[int, list[Attachment]] = {}
    for attachment in db.session.scalars(query):
        grouped.setdefault(attachment.cycle_id, []).append(attachment)
    return grouped


@dataclass
class Photo:
    """A cleaned photo of a cycle, for reports and slides: read() gives its bytes."""

    attachment: Attachment
    store: Storage

    @property
    def cycle_id(self) -> int:
        return self.attachment.cycle_id

    @property
    def caption(self) -> str:
        return self.attachment.caption

    @property
    def alt_text(self) -> str:
        return self.attachment.alt_text

    @property
    def content_type(self) -> str:
        return self.attachment.content_type

    def read(self) -> bytes:
        """The re-encoded photo (metadata stripped, at most 2000 px on its longer edge)."""
        return self.store.get(self.attachment.storage_key)

    def read_thumbnail(self) -> bytes:
        return self.store.get(self.attachment.thumbnail_key or self.attachment.storage_key)


def photos_for_cycles(cycle_ids: Iterable[int]) -> list[Photo]:
    """The photos of these cycles, oldest first. The caller has already checked the user may
    see each cycle (e.g. the storyboard's or the ramp's cycles); cycles in the trash and
    deleted photos are left out. Call inside an app context."""
    store = get_storage()
    order = {cid: i for i, cid in enumerate(dict.fromkeys(cycle_ids))}
    grouped = by_cycle(order, images_only=True)
    return [Photo(a, store) for cid in sorted(grouped, key=order.get) for a in grouped[cid]]
