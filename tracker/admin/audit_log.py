"""The audit log viewer (admins): who did what, when; filtered, paged, exported as CSV."""

from flask import Response, abort, render_template, request
from flask_login import current_user, login_required

from ..core import audit
from ..core.exports import csv_text, download_name
from ..core.paging import paginate
from ..extensions import db
from . import bp, queries
from .forms import AuditFilterForm

PER_PAGE = 50
# An export is for reading in a spreadsheet, not for copying the whole table out.
MAX_EXPORT = 10_000


def _filtered():
    """The filter form from the query string, and the query its valid fields select."""
    if not current_user.is_admin:
        abort(403)
    form = AuditFilterForm(request.args)
    form.action.choices = [("", "Any action")] + [(a, a) for a in queries.audit_actions()]
    form.site.choices = [("", "Any site")] + queries.audit_sites()
    form.validate()
    # A field that does not parse filters nothing; its message shows next to it.
    query = queries.audit_events(
        person=form.person.data or "", action=form.action.data or "",
        site_id=None if form.site.errors else form.site.data,
        since=None if form.since.errors else form.since.data,
        until=None if form.until.errors else form.until.data)
    return form, query


@bp.get("/audit")
@login_required
def audit_index():
    """The audit log, newest first, filtered by person, action and dates."""
    form, query = _filtered()
    page = paginate(query, request.args, per_page=PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/audit.html", form=form, page=page, args=args)


@bp.get("/audit.csv")
@login_required
def audit_export():
    """The filtered audit log as a CSV file (newest first, at most MAX_EXPORT rows)."""
    form, query = _filtered()
    events = db.session.scalars(query.limit(MAX_EXPORT)).unique().all()
    rows = [(e.created_at.isoformat(sep=" ", timespec="seconds"),
             e.actor.email if e.actor else "", e.site.name if e.site else "", e.action,
             e.object_type, e.object_id or "", e.detail, e.ip_address) for e in events]
    body = csv_text(("when (UTC)", "person", "site", "action", "object", "object id", "detail",
                     "ip"), rows)
    audit.record("admin.audit_exported", actor=current_user,
                 detail=f"{len(rows)} rows; filters {request.query_string.decode()[:300]}")
    db.session.commit()
    name = download_name("audit", "log") + ".csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
