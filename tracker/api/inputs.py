"""JSON in, through the pages' own forms: the same validators, choices and patient-data guard
(PatientSafeForm) decide, so the API keeps no second copy of any rule.

A JSON body becomes the form data a browser would post (`questions-0-prediction`, repeated
`measure_ids`); a refusal is a 422 problem with the messages by field, as the page shows them.
"""

import base64
import binascii
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField

from ..extensions import db
from .problems import ApiProblem


def form_data(values: dict[str, Any]) -> MultiDict:
    """JSON values as posted form fields: lists of objects numbered, lists of ids repeated."""
    data = MultiDict()
    for name, value in values.items():
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for i, row in enumerate(value):
                for key, item in row.items():
                    data.add(f"{name}-{i}-{key}", _text(item))
        elif isinstance(value, list):
            for item in value:
                data.add(name, _text(item))
        else:
            data.add(name, _text(value))
    return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "y" if value else ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def validated(form_class, values: dict[str, Any], prepare=None, **kwargs):
    """The form filled from `values` and validated (`prepare(form)` sets its choices first);
    a 422 problem with every field's messages when it refuses them."""
    form = form_class(formdata=form_data(values), meta={"csrf": False}, **kwargs)
    if prepare is not None:
        prepare(form)
    if not form.validate():
        raise invalid(field_errors(form))
    return form


def field_errors(form) -> dict[str, list[str]]:
    """Every field's messages by its posted name (`questions-0-prediction`), read from the
    fields themselves: the patient-data guard adds its messages after a sub-form's errors
    were gathered, so `form.errors` would miss them."""
    flat: dict[str, list[str]] = {}
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                flat.update(field_errors(entry.form) if isinstance(entry, FormField)
                            else _messages(entry))
        elif isinstance(field, FormField):
            flat.update(field_errors(field.form))
        else:
            flat.update(_messages(field))
    return flat


def _messages(field) -> dict[str, list[str]]:
    return {field.name: [str(m) for m in field.errors]} if field.errors else {}


def invalid(errors: dict[str, list[str]], detail: str = "") -> ApiProblem:
    return ApiProblem(422, detail or "Some fields are not valid: see `errors`. A field that "
                      "looks like patient data may be sent again with `confirm_no_pid: true` "
                      "once checked; an NHS number is always refused.", errors=errors)


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id a cursor continues after (0 for the first page); 422 for a cursor not ours."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind == "after" and number.isdigit() and len(number) < 19:
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise invalid({"cursor": ["Not a cursor from this API: use `next_cursor` as given."]})


def page_of(rows: list, limit: int, key=lambda row: row.id) -> dict:
    """A page of `rows` (fetched with one row more than `limit`, so a next page shows) and the
    cursor continuing after its last row, or None on the last page."""
    more = len(rows) > limit
    return {"items": rows[:limit], "next_cursor": encode_cursor(key(rows[limit - 1]))
            if more else None}


def paginate(query, column, *, limit: int, cursor: str | None, rows: bool = False) -> dict:
    """One page of `query` in `column` (an id) order after the cursor's id; `rows=True` keeps
    result rows whole (a query with extra columns), else their first entities."""
    query = (query.where(column > decode_cursor(cursor)).order_by(None).order_by(column)
             .limit(limit + 1))
    result = db.session.execute(query) if rows else db.session.scalars(query)
    found = result.unique().all()
    return page_of(found, limit, key=(lambda row: row[0].id) if rows else (lambda row: row.id))
