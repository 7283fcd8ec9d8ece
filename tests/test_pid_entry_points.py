"""Every way text gets in refuses an NHS number however it is written, and saves nothing.

The seven forms of one number go through each entry point that saves text (quick log,
worksheet, grid note, phase note, comment, idea, CSV and Excel import); the refusal sits next
to the field, and what else was typed is kept. A form-level sweep then checks every free-text
field of every form in the app.
"""

import html as htmllib
import io
import re
from datetime import datetime

import pytest
from openpyxl import Workbook
from werkzeug.datastructures import MultiDict
from wtforms import (
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    PasswordField,
    SelectFieldBase,
    StringField,
    TextAreaField,
)

from tests import factories as f
from tests.test_cycles import worksheet
from tests.test_measures_data import grid_post
from tests.test_measures_import import csv_bytes, upload
from tests.test_pid import SEVEN_FORMS
from tracker.core.forms import PatientSafeForm
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import (
    ChangeIdea,
    Comment,
    Cycle,
    CycleRevision,
    Frequency,
    ImportBatch,
    MeasureValue,
    PhaseBreak,
    Site,
)

FORMS = pytest.mark.parametrize("number", SEVEN_FORMS.values(), ids=SEVEN_FORMS)
REFUSED = "looks like an NHS number"


def error_next_to(page: str, field_id: str) -> str:
    """The error message shown under the field (the page ties it to the field by id)."""
    found = re.search(rf'<div id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    assert found, f"no error shown next to {field_id}"
    assert re.search(rf'<[^>]*\bid="{re.escape(field_id)}"[^>]*aria-invalid="true"', page) or \
        re.search(rf'<[^>]*aria-invalid="true"[^>]*\bid="{re.escape(field_id)}"', page)
    return htmllib.unescape(found.group(1))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(model.id)))


@pytest.fixture
def cycle_id(app, world) -> int:
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Chair by the bed")
        db.session.commit()
        return cycle.id


@pytest.fixture
def measure_id(app, world) -> int:
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="DrEaMing", definition="All three.",
                                 frequency=Frequency.WEEKLY)
        db.session.commit()
        return measure.id


@FORMS
def test_quick_log(app, login, world, number):
    response = login("member_a").post("/cycles/quick", data={
        "site_id": world.site_a, "title": "Drink in recovery", "idea_id": "",
        "new_idea": "", "objective": f"Patient {number} sat out",
        "prediction": "6 of 8 drink", "scale_amount": "1", "scale_unit": "shift"})
    page = response.get_data(True)
    assert response.status_code == 200
    assert REFUSED in error_next_to(page, "objective")
    assert f"Patient {number} sat out" in page and "6 of 8 drink</textarea>" in page
    assert 'value="Drink in recovery"' in page
    assert count(app, Cycle) == 0


@FORMS
def test_worksheet(app, login, world, cycle_id, number):
    client = login("member_a")
    data = worksheet(client, cycle_id)
    data.update({"do_what_happened": f"Bed 4: {number} refused",
                 "questions-0-result": "5 of 8 sat out", "study_learning": "Start at 17:00"})
    response = client.post(f"/cycles/{cycle_id}/edit", data=data)
    page = response.get_data(True)
    assert response.status_code == 200
    assert REFUSED in error_next_to(page, "do_what_happened")
    assert "5 of 8 sat out</textarea>" in page and "Start at 17:00</textarea>" in page
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        assert (cycle.version, cycle.do_what_happened or "") == (1, "")
    assert count(app, CycleRevision) == 0  # a factory cycle has no revision; none was added


@FORMS
def test_grid_note(app, login, world, measure_id, number):
    response = login("member_a").post(
        f"/measures/{measure_id}/data?site_id={world.site_a}",
        data=grid_post(num0="1", den0="2", note0=f"Fell, {number}", num1="3", den1="4"))
    page = response.get_data(True)
    assert response.status_code == 200
    assert REFUSED in error_next_to(page, "rows-0-note")
    assert re.search(r'id="rows-1-numerator"[^>]*value="3"|value="3"[^>]*id="rows-1-numerator"',
                     page)
    assert count(app, MeasureValue) == 0


@FORMS
def test_phase_note(app, login, world, measure_id, number):
    monday = periods.recent_periods(Frequency.WEEKLY, 4)[-1]
    response = login("lead_a").post(
        f"/measures/{measure_id}/phases?site_id={world.site_a}",
        data={"period_start": monday.isoformat(), "note": f"Adopted after {number}"})
    page = response.get_data(True)
    assert response.status_code == 200
    assert REFUSED in error_next_to(page, "note")
    assert f'value="{monday.isoformat()}"' in page
    assert count(app, PhaseBreak) == 0


@FORMS
def test_comment(app, login, world, cycle_id, number):
    response = login("member_b").post(f"/cycles/{cycle_id}/comments",
                                      data={"body": f"Patient {number} mobilised early"})
    page = response.get_data(True)
    assert response.status_code == 422
    assert REFUSED in error_next_to(page, "body")
    assert f"Patient {number} mobilised early" in page
    assert count(app, Comment) == 0


@FORMS
def test_idea(app, login, world, number):
    response = login("member_a").post("/ideas/new", data={
        "title": "Evening snack boxes", "description": f"As tried for {number}",
        "tags": "eat, night", "create_anyway": "y"})
    page = response.get_data(True)
    assert response.status_code == 200
    assert REFUSED in error_next_to(page, "description")
    assert 'value="Evening snack boxes"' in page and 'value="eat, night"' in page
    assert count(app, ChangeIdea) == 0


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@FORMS
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_import(app, login, world, measure_id, number, kind):
    older, newer = (datetime(w.year, w.month, w.day)
                    for w in periods.recent_periods(Frequency.WEEKLY, 2)[::-1])
    rows = [["Week commencing", "Numerator", "Denominator", "Note"],
            [older, 1, 2, "fine"], [newer, 1, 2, f"Patient {number}"]]
    content = csv_bytes([[str(c) for c in row] for row in rows]) if kind == "csv" else \
        xlsx_bytes(rows)
    response = upload(login("member_a"), measure_id, world.site_a, content, f"data.{kind}")
    page = response.get_data(True)
    assert response.status_code == 200
    message = error_next_to(page, "file")
    assert REFUSED in message and "row 3, column D" in message
    assert count(app, ImportBatch) == 0 and count(app, MeasureValue) == 0


def test_an_nhs_number_on_another_sheet_or_in_the_file_name_is_refused(app, login, world,
                                                                         measure_id):
    book = Workbook()
    book.active.append(["Week commencing", "Numerator", "Denominator"])
    book.active.append([datetime(2026, 3, 2), 1, 2])
    book.create_sheet("Patients").append(["943 476 5919"])
    out = io.BytesIO()
    book.save(out)
    client = login("member_a")
    page = upload(client, measure_id, world.site_a, out.getvalue(), "data.xlsx").get_data(True)
    assert "sheet “Patients”, row 1, column A" in error_next_to(page, "file")
    page = upload(client, measure_id, world.site_a, csv_bytes([["Week"], ["2026-03-02"]]),
                  "943.476.5919.csv").get_data(True)
    assert "file's name" in error_next_to(page, "file")
    assert count(app, ImportBatch) == 0


# Every form in the app that takes free text, swept field by field.
def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _leaves(form):
    for field in form:
        if isinstance(field, FieldList):
            if not field.entries:
                field.append_entry()
            for entry in field:
                yield from _leaves(entry.form) if isinstance(entry, FormField) else [entry]
        elif isinstance(field, FormField):
            yield from _leaves(field.form)
        else:
            yield field


def _free_text(form, field) -> bool:
    return (isinstance(field, StringField | TextAreaField)
            and not isinstance(field, PasswordField | EmailField | HiddenField)
            and field.name not in form.pid_exempt)


def _form_with(app, form_class, text: str):
    """The form validated with `text` in every free-text field; its free-text fields."""
    with app.test_request_context(method="POST"):
        names = [fl.name for fl in _leaves(form_class(formdata=None)) if _free_text(
            form_class, fl)]
        form = form_class(formdata=MultiDict({name: text for name in names}))
        for field in _leaves(form):
            if isinstance(field, SelectFieldBase) and field.choices is None:
                field.choices = []
        form.validate()
        return form, [fl for fl in _leaves(form) if fl.name in names]


def test_every_free_text_form_is_patient_safe():
    import tracker  # noqa: F401  (the app's forms are defined on import)

    names = {cls.__name__ for cls in _subclasses(PatientSafeForm)}
    assert {"QuickLogForm", "WorksheetForm", "GridForm", "PhaseBreakForm", "CommentForm",
            "IdeaForm", "FeedbackForm", "FeedbackRequestForm", "EventForm", "MeasureForm",
            "DriverForm", "RenameDriverForm", "ProfileForm", "AcceptInviteForm"} <= names


@FORMS
def test_every_free_text_field_of_every_form_refuses(app, number):
    swept = 0
    for form_class in _subclasses(PatientSafeForm):
        form, fields = _form_with(app, form_class, f"See {number} today")
        for field in fields:
            assert any(REFUSED in e for e in field.errors), (form_class.__name__, field.name)
            swept += 1
    assert swept >= 40  # about fifty fields in all


def test_ordinary_text_passes_every_free_text_field(app):
    for form_class in _subclasses(PatientSafeForm):
        form, fields = _form_with(app, form_class, "On 12/10/2026 11 patients sat out")
        for field in fields:
            assert not any(REFUSED in e for e in field.errors), (form_class.__name__, field.name)
