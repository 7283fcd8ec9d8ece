"""Measures, their definitions and data: read; one site's values upserted in bulk, all or
nothing, through the import page's checks; the chart a page draws, as numbers."""

from datetime import date

from flask_login import current_user

from ...extensions import db
from ...measures import front, queries, services
from ...measures.imports import Mapping, check
from ...measures.loaders import get_measure_or_404, get_measure_site_or_404
from ...measures.transfer import Table
from ...models import Measure, MeasureValue
from .. import bp
from ..inputs import decode_cursor, invalid, page_of, paginate
from ..problems import ApiProblem
from ..schemas import (
    ChartArgs,
    ChartSchema,
    MeasurePage,
    MeasureSchema,
    PageArgs,
    SiteArgs,
    UpsertResult,
    ValueArgs,
    ValuesPage,
    ValuesUpload,
)
from ..tables import csv_doc, csv_table, wants_csv

COLUMNS = ("period", "numerator", "denominator", "value", "note")


@bp.get("/measures")
@bp.doc(tags=["measures"])
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, MeasurePage)
def list_measures(limit: int, cursor: str | None = None):
    """Your collaboratives' measures and your sites' own measures, with their definitions, by
    id; follow `next_cursor`."""
    return paginate(queries.measures_listed_for(current_user), Measure.id, limit=limit,
                    cursor=cursor)


@bp.get("/measures/<id:measure_id>")
@bp.doc(tags=["measures"])
@bp.response(200, MeasureSchema)
def get_measure(measure_id: int):
    """One measure and its operational definition."""
    return get_measure_or_404(measure_id)


@bp.get("/measures/<id:measure_id>/values")
@bp.doc(tags=["measures"], **csv_doc("period, numerator, denominator, value, note (the "
                                     "upload's columns)"))
@bp.arguments(ValueArgs, location="query", as_kwargs=True)
@bp.response(200, ValuesPage)
def list_values(measure_id: int, limit: int, site_id: int | None = None, start=None, end=None,
                cursor: str | None = None, format: str | None = None):  # noqa: A002
    """A site's values of the measure in period order, between `start` and `end` if given;
    as CSV with `Accept: text/csv` or `?format=csv` (for Excel, Power BI, pandas)."""
    measure = get_measure_or_404(measure_id)
    site = get_measure_site_or_404(measure, site_id)
    query = queries.values_of([measure.id], [site.id])
    if start:
        query = query.where(MeasureValue.period_start >= start)
    if end:
        query = query.where(MeasureValue.period_start <= end)
    if cursor:
        query = query.where(MeasureValue.period_start > date.fromordinal(_ordinal(cursor)))
    page = page_of(db.session.scalars(query.limit(limit + 1)).all(), limit,
                   key=lambda v: v.period_start.toordinal())
    if wants_csv(format):
        return csv_table(list(COLUMNS), [[v.period_start, v.numerator, v.denominator, v.value,
                                          v.note] for v in page["items"]],
                         f"measure-{measure.id}-site-{site.id}.csv", page["next_cursor"])
    return {"measure_id": measure.id, "site_id": site.id, **page}


def _ordinal(cursor: str) -> int:
    ordinal = decode_cursor(cursor)
    if not 1 <= ordinal <= date.max.toordinal():
        raise invalid({"cursor": ["Not a cursor from this API: use `next_cursor` as given."]})
    return ordinal


@bp.route("/measures/<id:measure_id>/values", methods=["PUT"])
@bp.doc(tags=["measures"])
@bp.arguments(SiteArgs, location="query", as_kwargs=True)
@bp.arguments(ValuesUpload)
@bp.response(200, UpsertResult)
def upsert_values(upload: dict, measure_id: int, site_id: int | None = None):
    """Store a site's values for many periods, all or nothing: each row is checked as a row of
    the import page is, and one bad row saves none (its errors come back as `rows-N`)."""
    measure = get_measure_or_404(measure_id)
    site = get_measure_site_or_404(measure, site_id, enter=True)
    rows = upload["rows"]
    table = Table(sheets=[""], sheet="", rows=[list(COLUMNS)] + [
        [row.get(name) for name in COLUMNS] for row in rows])
    columns = {name: i for i, name in enumerate(COLUMNS)}
    if not any("note" in row for row in rows):
        columns["note"] = None  # no notes sent: the stored ones stay, as in an import
    mapping = Mapping(header_row=1, **columns)
    preview = check(table, mapping, measure, sites=[site], default_site=site,
                    allowed_site_ids={site.id})
    preview.refuse(services.bundle_refusals(measure, preview.entries))
    _refuse_rows(preview, upload["confirm_no_pid"])
    try:
        changed = services.save_entries(measure, preview.entries, by=current_user, source="api")
    except services.BundleConflict as conflict:  # the bundle's numbers changed meanwhile
        db.session.rollback()
        number = {(e.site_id, e.period): n for n, e in zip(preview.rows, preview.entries,
                                                           strict=True)}
        raise invalid({f"rows-{number[key] - 2}": [f"{cell.capitalize()}: {why}"]
                       for key, (cell, why) in conflict.problems.items()}) from None
    except services.DefinitionChanged as changed:
        db.session.rollback()
        raise ApiProblem(409, str(changed)) from None
    db.session.commit()
    services.analyze_after_import(len(preview.entries))
    return {"changed": changed, "received": len(rows)}


def _refuse_rows(preview, confirmed: bool) -> None:
    """A 422 naming every bad row (`rows-0` is the first), or the warnings not yet confirmed."""
    errors: dict[str, list[str]] = {}
    for number, message in preview.errors:
        errors.setdefault(f"rows-{number - 2}", []).append(message)
    if not confirmed:
        for number, message in preview.warnings:
            errors.setdefault(f"rows-{number - 2}", []).append(
                f"{message} Send again with confirm_no_pid: true if it is not patient data.")
    if errors or preview.problems:
        raise invalid(errors or {"rows": preview.problems},
                      f"{len(errors)} row(s) cannot be saved, so none was.")


@bp.get("/measures/<id:measure_id>/chart")
@bp.doc(tags=["measures"])
@bp.arguments(ChartArgs, location="query", as_kwargs=True)
@bp.response(200, ChartSchema)
def get_chart(measure_id: int, site_id: int | None = None, view: str | None = None):
    """The run or SPC chart the measure's page draws for a site: every point with its centre
    line, limits and signal, the Making Data Count icons and the summary in words."""
    measure = get_measure_or_404(measure_id)
    site = get_measure_site_or_404(measure, site_id)
    shown = front.site_chart(measure, site, current_user, view=view)
    chart, result = shown.chart, shown.chart.result
    return {
        "measure_id": measure.id, "site_id": site.id, "view": chart.view,
        "chart_type": str(chart.chart), "rules": str(chart.rules), "error": chart.error,
        "variation_icon": _word(result.variation_icon) if result else None,
        "assurance_icon": _word(result.assurance_icon) if result else None,
        "summary": shown.summary, "points": [_point(chart, i) for i in range(len(chart.points))],
    }


def _point(chart, i: int) -> dict:
    point, result = chart.points[i], chart.result
    row = {"period": point.period, "numerator": point.numerator,
           "denominator": point.denominator, "value": point.value}
    if result is None:  # data that cannot be charted: the numbers only (chart.error says why)
        return {**row, "special_cause": False, "phase": 0}
    return {**row, "centre": result.centre[i], "upper": result.upper[i],
            "lower": result.lower[i], "label": _word(result.labels[i]),
            "point_type": _word(result.point_types[i]),
            "special_cause": bool(result.special_cause[i]), "phase": result.phase_index[i]}


def _word(value) -> str | None:
    return None if value is None else str(value)
