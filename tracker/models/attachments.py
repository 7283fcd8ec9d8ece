"""Photos and files attached to a cycle or a change idea (the bytes live in the storage)."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .people import User


class Attachment(db.Model):
    """One uploaded file, cleaned: a re-encoded photo with its thumbnail, a PDF or an office
    file. It belongs to exactly one cycle or one idea and follows its permissions; deleted
    softly (restorable), and hidden with its cycle while the cycle is in the trash."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    idea_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("change_idea.id"), index=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # image, pdf, document
    original_name: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(120))  # detected from the content
    size: Mapped[int]  # bytes of the stored (cleaned) file
    storage_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    thumbnail_key: Mapped[Optional[str]] = mapped_column(sa.String(200))
    thumbnail_type: Mapped[Optional[str]] = mapped_column(sa.String(40))
    width: Mapped[Optional[int]]
    height: Mapped[Optional[int]]
    caption: Mapped[str] = mapped_column(sa.String(300), default="")
    # The uploader confirmed: no patient, no identifiable person without consent, no patient
    # documents (uploads without it are refused; kept as the record of who confirmed).
    confirmed_no_patient: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[Optional[datetime]]
    deleted_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))

    uploaded_by: Mapped[Optional[User]] = relationship(foreign_keys=[uploaded_by_id])

    __table_args__ = (
        sa.CheckConstraint("(cycle_id IS NULL) <> (idea_id IS NULL)",
                           name="one_owner"),
    )

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def alt_text(self) -> str:
        return self.caption or f"Photo: {self.original_name}"

    @property
    def download_name(self) -> str:
        """The original name with the extension of what the file really is."""
        stem = self.original_name.rsplit(".", 1)[0] if "." in self.original_name else \
            self.original_name
        extension = self.storage_key.rsplit(".", 1)[-1]
        return f"{stem or 'file'}.{extension}"
