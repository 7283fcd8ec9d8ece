"""The measures' background jobs (tracker/core/jobs.py): each commits its own work."""

import rq
from flask import current_app, g, has_request_context

from ..core import jobs
from ..core.db import lock
from ..core.notify import notify
from ..extensions import db
from ..models import ImportBatch, Measure, NotificationKind, Site, User
from ..sustain.jobs import watch_after_save
from . import services
from .imports import Mapping, check_as
from .transfer import FileProblem, read_table


@jobs.periodic("17 * * * *")  # hourly
def discard_stale_imports() -> None:
    count = services.discard_stale_imports()
    db.session.commit()
    if count:
        current_app.logger.info("Discarded %s upload(s) left unconfirmed", count)
    released = services.release_stuck_imports()
    for batch in released:
        notify([batch.created_by_id], NotificationKind.MEASURE_IMPORT,
               f"Nothing was imported from {batch.filename}: the import was interrupted. "
               "Open it to try again.", obj=batch)
    db.session.commit()
    _email_now()
    if released:
        current_app.logger.warning("Released %s import(s) whose job was lost", len(released))


@jobs.job
def import_batch(batch_id: int, user_id: int) -> str:
    """Import a large upload its user confirmed (status "importing", see IMPORT_BACKGROUND_ROWS)
    outside the request: all rows or none, checked again as the preview checks them, with the
    permissions the user has now. Returns the batch's new status.

    Safe to run twice: the batch's row is locked, then only a batch still "importing" is
    processed, in the same transaction as its rows; a second run (or a retry after the import
    committed) finds it "imported" and does nothing. The batch never stays "importing" once
    the job is done with it: "imported"; back to "pending" when rows now have a problem (the
    preview shows which, and the user may confirm again); "discarded", its file with it, when
    the user may no longer import it. An unexpected error leaves it "importing" only while the
    queue will retry. The user is notified of the outcome in every case.
    """
    db.session.commit()  # a transaction of our own, so the lock is held until our commit
    lock(ImportBatch.status, batch_id)
    batch = db.session.execute(
        db.select(ImportBatch).where(ImportBatch.id == batch_id)
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if batch is None or batch.status != "importing":
        db.session.rollback()
        return batch.status if batch else "missing"
    measure_id, filename = batch.measure_id, batch.filename
    try:
        status, text, rows = _import(batch, user_id)
    except Exception:
        db.session.rollback()
        if _will_retry():
            raise  # still "importing": the queue runs the job again
        current_app.logger.exception("Import of batch %s failed", batch_id)
        status, text, rows = "pending", (f"Nothing was imported from {filename}: an error on "
                                         "our side. Open it to try again."), 0
    if status != "imported":
        db.session.rollback()  # nothing of the import is kept
        if not _give_back(batch_id, status):  # another run finished it meanwhile
            db.session.rollback()
            return db.session.get(ImportBatch, batch_id).status
    notify([user_id], NotificationKind.MEASURE_IMPORT, text,
           obj=db.session.get(ImportBatch, batch_id))
    db.session.commit()
    if status == "imported":
        batch = db.session.get(ImportBatch, batch_id)
        watch_after_save(batch.site_id)
        services.analyze_after_import(rows)
    _email_now()
    current_app.logger.info("Import of batch %s (measure %s): %s", batch_id, measure_id, status)
    return status


def _import(batch: ImportBatch, user_id: int) -> tuple[str, str, int]:
    """Import the batch (not committed) as the user: its new status, what to tell them, and
    how many rows were imported."""
    user = db.session.get(User, user_id)
    measure = db.session.get(Measure, batch.measure_id)
    site = db.session.get(Site, batch.site_id)
    name = batch.filename
    if (user is None or not user.active or user.id != batch.created_by_id
            or measure is None or measure.deleted_at is not None or not measure.can_view(user)
            or not measure.can_chart_at(site) or not measure.can_enter_data(user, site)):
        where = f" {measure.name} data at {site.name}" if measure and site else " this data"
        return "discarded", f"Nothing was imported from {name}: you may no longer import{where}.", 0
    mapping = Mapping.from_dict(batch.mapping)
    try:
        table = read_table(batch.content, name, mapping.sheet)
    except FileProblem as problem:
        return "discarded", f"Nothing was imported from {name}: {problem}", 0
    preview, _ = check_as(user, table, mapping, measure, site)
    if not preview.ok:
        problems = len(preview.errors) + len(preview.problems)
        return "pending", (f"Nothing was imported from {name}: {problems} problem"
                           f"{'s' if problems != 1 else ''} since you checked it. "
                           f"{_first_problem(preview)} Open it to see "
                           f"{'every problem' if problems != 1 else 'it'}."), 0
    try:
        changed = services.complete_import(measure, batch, preview.entries, by=user)
    except (services.BundleConflict, services.EntryConflict):
        return "pending", (f"Nothing was imported from {name}: some rows now contradict "
                           "numbers entered meanwhile. Open it to see which."), 0
    except services.DefinitionChanged:
        return "pending", (f"Nothing was imported from {name}: the measure's data kind or "
                           "frequency was changed meanwhile. Open it to check it again."), 0
    rows = len(preview.entries)
    return "imported", (f"Imported {rows} rows from {name}: {changed} "
                        f"period{'s' if changed != 1 else ''} changed."), rows


def _first_problem(preview) -> str:
    if preview.problems:
        return preview.problems[0]
    number, message = preview.errors[0]
    return f"Row {number}: {message}"


def _give_back(batch_id: int, status: str) -> bool:
    """Set a batch the job is done with, not imported, to `status` ("pending" keeps its file
    for the preview): False when it is no longer "importing" (another run had it)."""
    values = {"status": status, "confirmed_at": None}
    if status == "discarded":
        values["content"] = None
    done = db.session.execute(
        db.update(ImportBatch).where(ImportBatch.id == batch_id,
                                     ImportBatch.status == "importing")
        .values(**values).execution_options(synchronize_session=False)).rowcount
    db.session.expire_all()
    return bool(done)


def _will_retry() -> bool:
    """Whether the queue runs this job again if it raises (never when run in-process)."""
    job = rq.get_current_job()
    return job is not None and bool(job.retries_left)


def _email_now() -> None:
    """On a worker, email at once those who want this kind of notification at once (in a
    request, the request's end does: notifications.routes.email_who_was_told)."""
    if has_request_context():
        return
    ids = g.pop("notified_user_ids", set())
    if ids:
        from ..notifications.delivery import deliver_immediately

        jobs.enqueue(deliver_immediately, sorted(ids), current_app.config["PUBLIC_URL"])
