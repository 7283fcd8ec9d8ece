"""Import a measure's data from CSV/XLSX (upload, preview, confirm) and export it."""

import redis
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from ...core import audit, jobs
from ...core.args import arg_id
from ...core.exports import download_name
from ...core.pid import scan
from ...core.versions import at_sites
from ...extensions import db
from ...models import (
    ImportBatch,
    Measure,
    MeasureValue,
    Notification,
    NotificationKind,
    Site,
    utcnow,
)
from ...sustain.jobs import watch_after_save
from .. import bp, queries, services
from ..forms import MappingForm, UploadForm
from ..imports import MAX_LISTED_ERRORS, ROLES, Mapping, check_as, column_choices, guess_mapping
from ..jobs import import_batch
from ..loaders import get_import_batch_or_404, get_measure_or_404, get_measure_site_or_404
from ..transfer import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    FileProblem,
    csv_response,
    find_nhs_number,
    read_table,
    read_tables,
    xlsx_response,
)


@bp.route("/<id:measure_id>/import", methods=["GET", "POST"])
@login_required
def import_upload(measure_id: int):
    """Upload a CSV or Excel file of the measure's data; nothing is saved before the preview."""
    measure = get_measure_or_404(measure_id)
    own = sorted((m.site for m in current_user.memberships if measure.can_chart_at(m.site)),
                 key=lambda s: s.name)
    if not own:
        abort(403)
    form = UploadForm()
    form.site_id.choices = [SelectChoice(str(s.id), s.name) for s in own]
    if request.method == "GET" and (site_id := arg_id(request.args, "site_id")):
        form.site_id.data = str(site_id)
    if form.validate_on_submit():
        site = get_measure_site_or_404(measure, int(form.site_id.data), enter=True)
        upload = form.file.data
        try:
            if not upload or not upload.filename:
                raise FileProblem("Choose a CSV or Excel (.xlsx) file to upload.")
            with upload.stream:  # large uploads are spooled to a temporary file: close it
                content = upload.stream.read(MAX_BYTES + 1)
            if scan(upload.filename).refused:  # the name is stored and shown, too
                raise FileProblem("The file's name holds what looks like an NHS number: "
                                  "rename the file and upload it again.")
            tables = read_tables(content, upload.filename)
            table = tables[0]
            where = find_nhs_number(tables)
            if where:
                raise FileProblem(f"The file holds what looks like an NHS number ({where}). "
                                  "Remove patient-identifiable columns and upload it again.")
        except FileProblem as problem:
            form.file.errors = [str(problem)]
        else:
            batch = ImportBatch(measure_id=measure.id, site_id=site.id,
                                filename=upload.filename[:255], content=content,
                                sha256=services.sha256(content), row_count=len(table.rows),
                                mapping=guess_mapping(table, measure).to_dict(),
                                created_by_id=current_user.id)
            db.session.add(batch)
            db.session.commit()
            return redirect(url_for("measures.import_preview", measure_id=measure.id,
                                    batch_id=batch.id))
    return render_template("measures/import.html", measure=measure, form=form,
                           site_id=form.site_id.data, max_mb=MAX_BYTES // 2**20,
                           max_rows=MAX_ROWS)


@bp.route("/<id:measure_id>/import/<id:batch_id>", methods=["GET", "POST"])
@login_required
def import_preview(measure_id: int, batch_id: int):
    """Map the columns and check every row; confirming imports all rows or none."""
    measure = get_measure_or_404(measure_id)
    batch = get_import_batch_or_404(measure, batch_id, importing=True)
    site = get_measure_site_or_404(measure, batch.site_id, enter=True)
    if batch.status == "importing":  # confirmed: nothing to change, nothing to confirm again
        return render_template("measures/import_running.html", measure=measure, site=site,
                               batch=batch), 409 if request.method == "POST" else 200
    mapping = Mapping.from_dict(batch.mapping)
    form = MappingForm()
    if form.is_submitted() and form.discard.data:
        batch.status, batch.content = "discarded", None
        db.session.commit()
        flash("The file was discarded; nothing was imported.", "info")
        return redirect(url_for("measures.detail", measure_id=measure.id, site_id=site.id))
    try:
        table = read_table(batch.content, batch.filename, form.sheet.data or mapping.sheet)
    except FileProblem as problem:  # stored before a limit it breaks was set
        batch.status, batch.content = "discarded", None
        db.session.commit()
        flash(f"{problem} Nothing was imported.", "danger")
        return redirect(url_for("measures.import_upload", measure_id=measure.id,
                                site_id=site.id))
    form.sheet.data = table.sheet  # the sheet actually read (the first, if the name is gone)
    _fill_choices(form, table, mapping)
    if request.method == "GET":
        _fill_form(form, mapping)
    elif form.validate():
        mapping = _mapping_from(form, table)
        batch.mapping = mapping.to_dict()
    preview, sites = check_as(current_user, table, mapping, measure, site)
    if form.confirm.data and not form.errors:
        if preview.warnings and not form.confirm_no_pid.data:
            form.pid_warning_raised = True
        elif preview.ok and len(preview.entries) >= current_app.config["IMPORT_BACKGROUND_ROWS"]:
            return _confirm_in_background(measure, site, batch, len(preview.entries))
        elif preview.ok:
            return _confirm(measure, site, batch, preview)
    _commit_keeping_loaded()  # the mapping, so a reload shows the same preview
    return render_template(
        "measures/import_preview.html", measure=measure, site=site, batch=batch, form=form,
        preview=preview, counts=services.count_changes(measure, preview.entries),
        site_names={s.id: s.name for s in sites}, errors_shown=preview.errors[:MAX_LISTED_ERRORS],
        imported_before=db.session.scalar(
            db.select(ImportBatch.confirmed_at).where(
                ImportBatch.sha256 == batch.sha256, ImportBatch.measure_id == measure.id,
                ImportBatch.status == "imported").order_by(ImportBatch.confirmed_at.desc())
            .limit(1)),
    )


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the page still shows: expired, every site of the preview
    would be read again one query each."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


_since = {"imported": "imported", "importing": "sent to be imported in the background",
          "discarded": "discarded"}


def _claimed(batch: ImportBatch) -> bool:
    """Mark the batch being imported, unless another confirmation (a double click, a second
    tab) has since: of two at once, only one goes on. Its confirmation time too. (A batch
    is its site's: other sites' kept pages stay kept.)"""
    with at_sites((batch.site_id,)):
        return db.session.execute(
            db.update(ImportBatch)
            .where(ImportBatch.id == batch.id, ImportBatch.status == "pending")
            .values(status="importing", confirmed_at=utcnow())
            .execution_options(synchronize_session=False)).rowcount == 1


def _confirm(measure: Measure, site: Site, batch: ImportBatch, preview):
    db.session.flush()  # the mapping
    if not _claimed(batch):
        db.session.rollback()  # confirmed (or discarded) in another tab, or a double click
        flash(f"{batch.filename} was {_since.get(batch.status, batch.status)} a moment ago: "
              "nothing more was done.", "info")
        return redirect(url_for("measures.detail", measure_id=measure.id, site_id=site.id))
    try:
        changed = services.complete_import(measure, batch, preview.entries, by=current_user)
    except (services.BundleConflict, services.DefinitionChanged) as refused:
        db.session.rollback()  # changed since the check above: checked again on the preview
        flash("Some rows now contradict numbers entered meanwhile; nothing was imported."
              if isinstance(refused, services.BundleConflict) else
              "This measure's data kind or frequency was changed a moment ago; nothing was "
              "imported. Check the preview against it.", "danger")
        return redirect(url_for("measures.import_preview", measure_id=measure.id,
                                batch_id=batch.id))
    db.session.commit()
    watch_after_save(site.id)
    services.analyze_after_import(len(preview.entries))
    flash(f"Imported {len(preview.entries)} rows from {batch.filename}: {changed} "
          f"period{'s' if changed != 1 else ''} changed.", "success")
    return redirect(url_for("measures.detail", measure_id=measure.id, site_id=site.id))


def _confirm_in_background(measure: Measure, site: Site, batch: ImportBatch, rows: int):
    """A large import: checked again and saved by a job (jobs.import_batch), which tells the
    user how it went. With REDIS_URL the page does not wait for it; without, it has run."""
    db.session.flush()  # the mapping
    queued = _claimed(batch)  # of two confirmations at once, one queues the job
    db.session.commit()
    if queued:
        try:
            jobs.enqueue(import_batch, batch.id, current_user.id)
        except redis.RedisError:
            current_app.logger.exception("Could not queue the import of batch %s", batch.id)
            db.session.execute(db.update(ImportBatch).where(ImportBatch.id == batch.id)
                               .values(status="pending", confirmed_at=None))
            db.session.commit()
            flash("The import could not be started; nothing was imported. Try again in a "
                  "moment.", "danger")
            return redirect(url_for("measures.import_preview", measure_id=measure.id,
                                    batch_id=batch.id))
    db.session.expire_all()  # the job may have run here, in its own transactions
    if batch.status == "importing":
        flash(f"Importing {rows} rows from {batch.filename} in the background: you will be "
              "notified when it is done.", "info")
    elif batch.status == "imported":
        flash(f"Imported {rows} rows from {batch.filename}: {batch.changed_count} "
              f"period{'s' if batch.changed_count != 1 else ''} changed.", "success")
    else:  # the job said why in a notification
        told = db.session.scalar(
            db.select(Notification.text).where(
                Notification.user_id == current_user.id,
                Notification.kind == NotificationKind.MEASURE_IMPORT,
                Notification.object_type == ImportBatch.__tablename__,
                Notification.object_id == batch.id)
            .order_by(Notification.id.desc()).limit(1))
        flash(told or "Nothing was imported.", "danger")
        if batch.status == "pending":
            return redirect(url_for("measures.import_preview", measure_id=measure.id,
                                    batch_id=batch.id))
    return redirect(url_for("measures.detail", measure_id=measure.id, site_id=site.id))


@bp.get("/imports/<id:batch_id>")
@login_required
def import_result(batch_id: int):
    """Where a notification about one's import leads: its preview while it can still be
    confirmed (or is being imported), else the measure's page at its site."""
    batch = db.get_or_404(ImportBatch, batch_id)
    if batch.created_by_id != current_user.id:
        abort(404)
    if batch.status in ("pending", "importing"):
        return redirect(url_for("measures.import_preview", measure_id=batch.measure_id,
                                batch_id=batch.id))
    return redirect(url_for("measures.detail", measure_id=batch.measure_id,
                            site_id=batch.site_id))


def _fill_choices(form: MappingForm, table, mapping: Mapping) -> None:
    form.sheet.choices = [SelectChoice(name, name) for name in table.sheets]
    header_row = form.header_row.data if form.is_submitted() else mapping.header_row
    columns = [SelectChoice("", "(none)")] + [
        SelectChoice(value, label) for value, label in column_choices(table, header_row or 1)]
    for role in ROLES:
        getattr(form, role).choices = columns


def _fill_form(form: MappingForm, mapping: Mapping) -> None:
    form.sheet.data, form.header_row.data, form.dates.data = (
        mapping.sheet, mapping.header_row, mapping.dates)
    for role in ROLES:
        index = getattr(mapping, role)
        getattr(form, role).data = "" if index is None else str(index)


def _mapping_from(form: MappingForm, table) -> Mapping:
    def column(role: str) -> int | None:
        # The pickers do not check their choices: anything not a column number is no column.
        value = getattr(form, role).data or ""
        number = int(value) if value.isascii() and value.isdecimal() and len(value) < 4 else None
        return number if number is not None and number < MAX_COLUMNS else None

    return Mapping(sheet=table.sheet, header_row=form.header_row.data, dates=form.dates.data,
                   **{role: column(role) for role in ROLES})


@bp.get("/<id:measure_id>/export.<fmt>")
@login_required
def export(measure_id: int, fmt: str):
    """The measure's data at one site (or at every site you can see) as CSV or Excel."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    measure = get_measure_or_404(measure_id)
    site_id = arg_id(request.args, "site_id")
    if site_id:
        sites = [get_measure_site_or_404(measure, site_id)]
    else:
        sites = db.session.execute(queries.chart_sites(measure, current_user)).scalars().all()
    rows = db.session.execute(
        db.select(MeasureValue, Site.name).join(Site, Site.id == MeasureValue.site_id)
        .where(MeasureValue.measure_id == measure.id,
               MeasureValue.site_id.in_([s.id for s in sites]))
        .order_by(Site.name, MeasureValue.period_start)
    ).all()
    header = ["Site", "Period start", "Numerator", "Denominator", "Value", "Percent", "Note"]
    data = [[name, v.period_start, v.numerator, v.denominator, v.value,
             round(100 * v.proportion, 2) if v.proportion is not None else None, v.note]
            for v, name in rows]
    name = download_name(measure.name, sites[0].name if site_id else "all-sites")
    audit.exported("measure_data", obj=measure, detail=f"{name}.{fmt}", site_id=site_id)
    if fmt == "csv":
        return csv_response(header, [[r[0], r[1].isoformat(), *r[2:]] for r in data],
                            f"{name}.csv")
    return xlsx_response(header, data, f"{name}.xlsx", measure.name)
