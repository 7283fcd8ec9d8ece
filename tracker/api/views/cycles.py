"""PDSA cycles: list (the page's filters, by cursor), read, quick log, worksheet update with
the worksheet's merge and conflict answer, stage moves and the soft delete, all through the
cycles feature's loader, forms and services."""

import re

from flask import request, url_for
from flask_login import current_user

from ...cycles import services
from ...cycles.forms import FilterForm, QuickLogForm, StageForm, WorksheetForm
from ...cycles.loaders import get_cycle_or_404
from ...cycles.queries import apply_filters, cycles_visible_to, with_row_data
from ...cycles.worksheet import (
    fill_filter_choices,
    fill_quick_choices,
    fill_worksheet_choices,
    form_values,
    log_from_quick_form,
    quick_log_sites,
    worksheet_data,
)
from ...extensions import db
from ...models import Cycle, CycleRevision, Stage
from .. import bp
from ..inputs import invalid, paginate, validated
from ..problems import ApiProblem
from ..schemas import (
    CycleCreateSchema,
    CycleFilters,
    CyclePage,
    CycleSchema,
    CycleUpdateSchema,
    StageMoveSchema,
)
from ..tables import csv_doc, csv_table, wants_csv

ETAG = re.compile(r'"cycle-(\d+)-v(\d+)"')


def etag(cycle: Cycle) -> dict[str, str]:
    """The cycle's version as an ETag: send it back in If-Match to change the cycle."""
    return {"ETag": f'"cycle-{cycle.id}-v{cycle.version}"'}


@bp.get("/cycles")
@bp.doc(tags=["cycles"], **csv_doc("the cycles' fields (questions aside; measure ids "
                                   "separated by `;`)"))
@bp.arguments(CycleFilters, location="query")
@bp.response(200, CyclePage)
def list_cycles(args: dict):
    """Cycles you may read, with the list page's filters, oldest first; follow `next_cursor`.
    As CSV with `Accept: text/csv` or `?format=csv`."""
    limit, cursor, fmt = args.pop("limit"), args.pop("cursor", None), args.pop("format", None)
    form = validated(FilterForm, args, prepare=lambda f: fill_filter_choices(f, current_user))
    filters = {name: field.data for name, field in form._fields.items()}
    query = with_row_data(apply_filters(cycles_visible_to(current_user), filters, current_user))
    page = paginate(query, Cycle.id, limit=limit, cursor=cursor)
    if wants_csv(fmt):
        rows = CycleSchema(many=True, exclude=("questions",)).dump(page["items"])
        rows = [[";".join(map(str, v)) if isinstance(v, list) else v for v in row.values()]
                for row in rows]
        return csv_table(list(CSV_COLUMNS), rows, "cycles.csv", page["next_cursor"])
    return page


CSV_COLUMNS = tuple(CycleSchema(exclude=("questions",)).fields)


@bp.get("/cycles/<id:cycle_id>")
@bp.doc(tags=["cycles"])
@bp.response(200, CycleSchema)
def get_cycle(cycle_id: int):
    """One cycle's worksheet; its ETag names the version to send back in If-Match."""
    cycle = get_cycle_or_404(cycle_id)
    return cycle, 200, etag(cycle)


@bp.post("/cycles")
@bp.doc(tags=["cycles"])
@bp.arguments(CycleCreateSchema)
@bp.response(201, CycleSchema)
def create_cycle(data: dict):
    """Log a cycle at one of your sites, as the quick log does: it starts in Plan."""
    sites = quick_log_sites(current_user)
    if not sites:
        raise ApiProblem(403, "Only members of a site team log cycles.")
    form = validated(QuickLogForm, data, prepare=lambda f: fill_quick_choices(f, sites))
    cycle = log_from_quick_form(form, current_user)
    if cycle is None:
        raise invalid({"idea_id": form.idea_id.errors})
    db.session.commit()
    location = url_for("api.get_cycle", cycle_id=cycle.id)
    return cycle, 201, {**etag(cycle), "Location": location}


@bp.route("/cycles/<id:cycle_id>", methods=["PATCH"])
@bp.doc(tags=["cycles"], parameters=[{"in": "header", "name": "If-Match", "required": True,
                                      "schema": {"type": "string"},
                                      "description": "The ETag of the version you changed"}])
@bp.arguments(CycleUpdateSchema)
@bp.response(200, CycleSchema)
def update_cycle(patch: dict, cycle_id: int):
    """Change worksheet fields. Changes saved since your version are merged as on the page;
    a field both of you changed is a 409 showing base, mine and theirs, and nothing is saved."""
    cycle = get_cycle_or_404(cycle_id, edit=True)
    base_version = _if_match(cycle, required=True)
    mine = {**_snapshot_at(cycle, base_version), **_plain(patch)}
    values = form_values(mine)
    # The page posts its blank question row too: every field of it, empty.
    values["questions"] = [row or dict.fromkeys(services.QUESTION_FIELDS, "")
                           for row in values["questions"]]
    values["confirm_no_pid"] = patch.get("confirm_no_pid", False)
    form = validated(WorksheetForm, values, prepare=lambda f: fill_worksheet_choices(f, cycle))
    outcome = services.save_worksheet(cycle, worksheet_data(form), base_version=base_version,
                                      by=current_user)
    if not outcome.saved:
        raise ApiProblem(409, f"{outcome.theirs_by} changed the same fields since your "
                         "version: choose for each, then send again with the current ETag.",
                         conflicts=outcome.conflicts, your_version=base_version,
                         current_version=cycle.version)
    db.session.commit()
    return cycle, 200, etag(cycle)


@bp.post("/cycles/<id:cycle_id>/stage")
@bp.doc(tags=["cycles"])
@bp.arguments(StageMoveSchema)
@bp.response(200, CycleSchema)
def move_cycle(data: dict, cycle_id: int):
    """Move to the next stage, or back to an earlier one, as the page's stage buttons do."""
    cycle = get_cycle_or_404(cycle_id, edit=True)
    services.hold(cycle)  # If-Match compared with the version no one can change meanwhile
    _if_match(cycle, required=False)
    form = validated(StageForm, _plain(data))
    try:
        services.move_stage(cycle, Stage(form.to.data), by=current_user,
                            seen=form.seen.data or None, started_on=form.started_on.data,
                            ended_on=form.ended_on.data)
    except services.StageError as error:
        db.session.rollback()
        if error.field:
            raise invalid({error.field: [str(error)]}, str(error)) from None
        raise ApiProblem(409, str(error), current_version=cycle.version) from None
    db.session.commit()
    return cycle, 200, etag(cycle)


@bp.route("/cycles/<id:cycle_id>", methods=["DELETE"])
@bp.doc(tags=["cycles"])
@bp.response(204)
def delete_cycle(cycle_id: int):
    """Move the cycle to the trash (site leads; restorable on the page for 30 days)."""
    cycle = get_cycle_or_404(cycle_id, delete=True)
    services.hold(cycle)
    _if_match(cycle, required=False)
    services.soft_delete(cycle, by=current_user)
    db.session.commit()
    return ""


def _if_match(cycle: Cycle, *, required: bool) -> int:
    """The version If-Match names: 428 when required and missing, 412 when it names no version
    of this cycle (or, for moves and deletes, not the current one)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        if required:
            raise ApiProblem(428, "Send the cycle's ETag in If-Match, so a change made since "
                                  "you read it is never overwritten.")
        return cycle.version
    if header == "*":
        return cycle.version
    match = ETAG.search(header)
    version = int(match.group(2)) if match and int(match.group(1)) == cycle.id else 0
    stale = not required and version != cycle.version
    if not 1 <= version <= cycle.version or stale:
        raise ApiProblem(412, f"If-Match does not name {'the current' if stale else 'a'} "
                         f"version of this cycle (now version {cycle.version}).",
                         current_version=cycle.version)
    return version


def _snapshot_at(cycle: Cycle, version: int) -> dict:
    """The worksheet as it was at `version`: what the client's changes are changes to."""
    if version == cycle.version:
        return services.snapshot(cycle)
    revision = db.session.scalars(
        db.select(CycleRevision).filter_by(cycle_id=cycle.id, version=version)).first()
    return dict(revision.snapshot) if revision else services.snapshot(cycle)


def _plain(data: dict) -> dict:
    """Loaded JSON as the worksheet's plain values (enums by value, dates ISO)."""
    data = {k: v for k, v in data.items() if k != "confirm_no_pid"}
    for name, value in data.items():
        if hasattr(value, "value"):
            data[name] = value.value
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
    return data
