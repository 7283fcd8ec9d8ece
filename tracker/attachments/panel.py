"""What a cycle's or idea's page needs to show its attachments (merged into its context)."""

from ..models import ChangeIdea, Cycle, User
from . import queries
from .forms import PREFIX, UploadForm


def attachments_panel(owner: Cycle | ChangeIdea, user: User) -> dict:
    """The live attachments, the upload form and, for editors, those removed recently."""
    is_cycle = isinstance(owner, Cycle)
    can_edit = owner.can_edit(user)
    key = {"cycle_id": owner.id} if is_cycle else {"idea_id": owner.id}
    shown, removed = queries.panel(**key, removed=can_edit)
    return {
        "attachments": shown,
        "attachments_removed": removed,
        "attachment_form": UploadForm(formdata=None, prefix=PREFIX) if can_edit else None,
        "attachment_upload_url": ("attachments.upload_to_cycle", key) if is_cycle else
        ("attachments.upload_to_idea", key),
    }
