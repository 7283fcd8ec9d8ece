"""Upload to a cycle or an idea, serve the cleaned files (authorised), delete and restore."""

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from ..core.forms import ConfirmForm
from ..cycles.loaders import get_cycle_or_404
from ..extensions import db
from ..ideas.loaders import get_idea_or_404
from ..models import Attachment, Cycle, utcnow
from . import bp, content, services
from .forms import PREFIX, UploadForm
from .queries import RESTORABLE_FOR
from .storage import MissingFile, get_storage

# The file responses run nothing, load nothing and are never framed, whatever they contain.
FILE_POLICY = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'"


@bp.route("/cycles/<id:cycle_id>/new", methods=["GET", "POST"])
@login_required
def upload_to_cycle(cycle_id: int):
    """Add a photo or file to a cycle (its team)."""
    cycle = get_cycle_or_404(cycle_id, edit=True)
    return _upload(cycle, back=url_for("cycles.detail", cycle_id=cycle.id))


@bp.route("/ideas/<id:idea_id>/new", methods=["GET", "POST"])
@login_required
def upload_to_idea(idea_id: int):
    """Add a photo or file to a change idea (those who may edit it)."""
    idea = get_idea_or_404(idea_id, edit=True)
    return _upload(idea, back=url_for("ideas.detail", idea_id=idea.id))


def _upload(owner, *, back: str):
    form = UploadForm(prefix=PREFIX)
    if request.method == "POST" and form.validate_on_submit():
        chosen = form.chosen()
        try:
            attachment = services.save_upload(
                owner, chosen.data.read(), filename=chosen.data.filename,
                caption=form.caption.data or "", by=current_user)
        except content.Refused as refused:
            chosen.errors = [str(refused)]
            return _page(owner, form, back), 422
        flash(f"“{attachment.original_name}” added.", "success")
        return redirect(back + "#attachments")
    return _page(owner, form, back), (422 if request.method == "POST" else 200)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A body over MAX_CONTENT_LENGTH (a few times the file limit) is refused before it is
    read: the form again, with the file's size next to the field."""
    form = UploadForm(formdata=None, prefix=PREFIX)
    form.document.errors = [_too_large(request.content_length or 0)]
    args = request.view_args or {}
    if request.endpoint == "attachments.upload_to_cycle":
        owner = get_cycle_or_404(args["cycle_id"], edit=True)
        return _page(owner, form, url_for("cycles.detail", cycle_id=owner.id)), 413
    if request.endpoint == "attachments.upload_to_idea":
        owner = get_idea_or_404(args["idea_id"], edit=True)
        return _page(owner, form, url_for("ideas.detail", idea_id=owner.id)), 413
    return error


def _too_large(size: int) -> str:
    return (f"That file is {content.megabytes(size)}; the largest accepted is "
            f"{content.megabytes(services.max_bytes()).replace('.0', '')}. Send a smaller "
            "photo (most phones offer a smaller size when sharing) or compress the file.")


def _page(owner, form: UploadForm, back: str):
    return render_template("attachments/upload.html", owner=owner, form=form, back=back,
                           is_cycle=isinstance(owner, Cycle))


def _load(attachment_id: int, *, edit: bool = False, deleted: bool = False):
    """The attachment and its cycle or idea, through their loaders (their 404s and 403s)."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or (attachment.deleted_at is not None) != deleted:
        abort(404)
    if attachment.cycle_id is not None:
        owner = get_cycle_or_404(attachment.cycle_id, edit=edit)
        back = url_for("cycles.detail", cycle_id=owner.id)
    else:
        owner = get_idea_or_404(attachment.idea_id, edit=edit)
        back = url_for("ideas.detail", idea_id=owner.id)
    return attachment, owner, back


def _serve(attachment: Attachment, key: str, content_type: str):
    try:
        data = get_storage().get(key)
    except MissingFile:
        abort(404)
    # Only re-encoded images are shown inline; PDFs and office files are always downloaded.
    inline = attachment.is_image
    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=not inline,
                         download_name=attachment.download_name, conditional=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.get("/<id:attachment_id>/file")
@login_required
def file(attachment_id: int):
    """The cleaned file, for those who may see its cycle or idea."""
    attachment, _, _ = _load(attachment_id)
    return _serve(attachment, attachment.storage_key, attachment.content_type)


@bp.get("/<id:attachment_id>/thumbnail")
@login_required
def thumbnail(attachment_id: int):
    attachment, _, _ = _load(attachment_id)
    if not attachment.thumbnail_key:
        abort(404)
    return _serve(attachment, attachment.thumbnail_key, attachment.thumbnail_type)


@bp.post("/<id:attachment_id>/delete")
@login_required
def delete(attachment_id: int):
    """Remove one attachment (restorable from its page for 30 days)."""
    attachment, _, back = _load(attachment_id, edit=True)
    if ConfirmForm().validate_on_submit():
        services.delete(attachment, by=current_user)
        db.session.commit()
        flash(f"“{attachment.original_name}” removed. Restore it below under “Removed files” "
              "if that was a mistake.", "success")
    return redirect(back + "#attachments")


@bp.post("/<id:attachment_id>/restore")
@login_required
def restore(attachment_id: int):
    attachment, _, back = _load(attachment_id, edit=True, deleted=True)
    if attachment.deleted_at < utcnow() - RESTORABLE_FOR:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.restore(attachment, by=current_user)
        db.session.commit()
        flash(f"“{attachment.original_name}” restored.", "success")
    return redirect(back + "#attachments")
