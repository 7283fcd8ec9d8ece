"""Import (upload, preview, mapping, confirm: all or nothing, idempotent) and export."""

import csv
import io
import re
import threading
from datetime import datetime, timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from tests import factories as f
from tests.concurrency.together import paused, run_together
from tests.conftest import make_config
from tests.test_site_versions import _moved as moved_versions
from tests.test_site_versions import _versions as site_versions
from tracker import create_app
from tracker.extensions import db
from tracker.measures import periods
from tracker.measures.views import imports as import_views
from tracker.models import (
    AuditEvent,
    Frequency,
    ImportBatch,
    Measure,
    MeasureValue,
    MeasureValueChange,
    Membership,
    Site,
    SiteRole,
    User,
)

WEEKS = periods.recent_periods(Frequency.WEEKLY, 10)[::-1]  # oldest first, ends this week


@pytest.fixture
def measure_id(app, world) -> int:
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="DrEaMing", definition="All three.",
                                 frequency=Frequency.WEEKLY)
        db.session.commit()
        return measure.id


def csv_bytes(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def upload(client, measure_id, site_id, content: bytes, filename="data.csv"):
    # Encoded in memory: the test client would otherwise spool a big body to a temporary
    # file that it never closes.
    body, length, boundary = stream_encode_multipart(
        {"site_id": str(site_id), "file": FileStorage(io.BytesIO(content), filename)},
        use_tempfile=False)
    return client.post(f"/measures/{measure_id}/import", input_stream=body,
                       content_length=length,
                       content_type=f"multipart/form-data; boundary={boundary}")


def preview_url(response) -> str:
    assert response.status_code == 302, response.get_data(True)[-2000:]
    assert "/import/" in response.location
    return response.location


def confirm(client, url, **mapping):
    """Post the preview form as shown (its current mapping) with the Import button."""
    html = client.get(url).get_data(True)
    data = {"confirm": "Import"}
    for name in ("sheet", "header_row", "period", "site", "numerator", "denominator", "value",
                 "note", "dates"):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
        if select:
            chosen = re.search(r'<option selected value="([^"]*)"', select.group(1))
            data[name] = chosen.group(1) if chosen else ""
        else:
            value = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
            if value:  # like a browser, send only the fields on the page
                data[name] = value.group(1)
    data.update(mapping)
    return client.post(url, data=data)


def values(app, measure_id) -> dict:
    with app.app_context():
        return {(v.site_id, v.period_start): (v.numerator, v.denominator, v.note)
                for v in db.session.scalars(db.select(MeasureValue).filter_by(
                    measure_id=measure_id))}


def simple_file(weeks=WEEKS[:3], numbers=((5, 10), (6, 10), (7, 10))) -> bytes:
    rows = [["Week commencing", "Numerator", "Denominator", "%"]]
    rows += [[w.isoformat(), n, d, f"{100 * n / d:.0f}%"]
             for w, (n, d) in zip(weeks, numbers, strict=True)]
    return csv_bytes(rows)


def test_upload_shows_a_preview_and_saves_nothing(app, login, world, measure_id):
    client = login("member_a")
    assert "Upload and preview" in client.get(
        f"/measures/{measure_id}/import?site_id={world.site_a}").get_data(True)
    url = preview_url(upload(client, measure_id, world.site_a, simple_file()))
    html = client.get(url).get_data(True)
    assert "Nothing has been saved yet" in html
    assert "3 rows ready: 3 new, 0 changed, 0 the same" in html
    assert '<option selected value="0">A: Week commencing</option>' in html  # guessed mapping
    assert '<option selected value="2">C: Denominator</option>' in html
    assert values(app, measure_id) == {}
    with app.app_context():
        assert db.session.scalars(db.select(ImportBatch.status)).all() == ["pending"]


def test_confirm_imports_every_row_and_logs_the_changes(app, login, world, measure_id):
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, simple_file()))
    response = confirm(client, url)
    assert response.status_code == 302
    assert response.location.endswith(f"/measures/{measure_id}?site_id={world.site_a}")
    assert values(app, measure_id) == {(world.site_a, WEEKS[0]): (5, 10, ""),
                                       (world.site_a, WEEKS[1]): (6, 10, ""),
                                       (world.site_a, WEEKS[2]): (7, 10, "")}
    with app.app_context():
        batch = db.session.scalars(db.select(ImportBatch)).one()
        assert (batch.status, batch.content, batch.changed_count) == ("imported", None, 3)
        changes = db.session.scalars(db.select(MeasureValueChange)).all()
        assert {(c.source, c.import_batch_id, c.changed_by_id) for c in changes} == {
            ("import", batch.id, world.member_a)}
    assert client.get(url).status_code == 404  # the batch is done


def test_an_import_moves_only_its_sites_version(app, login, world, measure_id):
    """Its values and its batch are its site's: other sites' kept pages stay kept."""
    amy = login("member_a")
    url = preview_url(upload(amy, measure_id, world.site_a, simple_file()))
    before = site_versions(app)
    assert confirm(amy, url).status_code == 302
    assert moved_versions(before, site_versions(app)) == {world.site_a}


@pytest.mark.committed  # two confirmations at once, each on a connection of its own
def test_an_import_confirmed_twice_at_once_is_imported_once(app, login, world, measure_id,
                                                            monkeypatch):
    """A double click (or a second tab): both confirmations find the batch pending and check
    its rows, pausing there for each other; one imports it, the other is told it was."""
    amy = login("member_a")
    url = preview_url(upload(amy, measure_id, world.site_a, simple_file()))
    # Both past their checks together: the claim alone, after this, makes one wait.
    monkeypatch.setattr(import_views, "check_as", paused(import_views.check_as,
                                                         threading.Barrier(2, timeout=10)))
    clients = {n: login("member_a") for n in "ab"}
    sent = run_together({n: partial(lambda c: [confirm(c, url)], c) for n, c in clients.items()})
    monkeypatch.undo()
    assert [sent[n][0].status_code for n in "ab"] == [302, 302]
    told = [clients[n].get(sent[n][0].location).get_data(True) for n in "ab"]
    assert sum("3 periods changed" in page for page in told) == 1
    assert sum("data.csv was imported a moment ago: nothing more was done." in page
               for page in told) == 1
    with app.app_context():
        batch = db.session.scalars(db.select(ImportBatch)).one()
        assert (batch.status, batch.changed_count) == ("imported", 3)
        assert db.session.scalar(db.select(sa.func.count(AuditEvent.id)).filter_by(
            action="measure.data_imported")) == 1


def test_importing_again_updates_instead_of_duplicating(app, login, world, measure_id):
    client = login("member_a")
    confirm(client, preview_url(upload(client, measure_id, world.site_a, simple_file())))
    url = preview_url(upload(client, measure_id, world.site_a, simple_file()))
    html = client.get(url).get_data(True)
    assert "0 new, 0 changed, 3 the same" in html
    assert "This same file was imported on" in html
    confirm(client, url)
    changed = simple_file(numbers=((5, 10), (9, 10), (7, 10)))
    url = preview_url(upload(client, measure_id, world.site_a, changed))
    assert "0 new, 1 changed, 2 the same" in client.get(url).get_data(True)
    confirm(client, url)
    assert len(values(app, measure_id)) == 3
    assert values(app, measure_id)[(world.site_a, WEEKS[1])] == (9, 10, "")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(MeasureValueChange.id))) == 4


BAD_FILES = {
    "wrong columns": (csv_bytes([["Fruit", "Colour"], ["apple", "red"]]),
                      "Choose the column that holds the period"),
    "text in numbers": (csv_bytes([["Week", "Numerator", "Denominator"],
                                   [WEEKS[0].isoformat(), "5", "10"],
                                   [WEEKS[1].isoformat(), "five", "10"]]),
                        "Row 3: Numerator: “five” is not a number"),
    "duplicate periods": (csv_bytes([["Week", "Numerator", "Denominator"],
                                     [WEEKS[0].isoformat(), "5", "10"],
                                     [WEEKS[0].isoformat(), "6", "10"]]),
                          "Row 3: Period: {week} for Alpha Hospital is also in row 2."),
    "numerator over denominator": (csv_bytes([["Week", "Numerator", "Denominator"],
                                              [WEEKS[0].isoformat(), "5", "10"],
                                              [WEEKS[1].isoformat(), "12", "10"]]),
                                   "Row 3: Numerator: The numerator (12) is more than the "
                                   "denominator (10)."),
    "formula cell": (csv_bytes([["Week", "Numerator", "Denominator"],
                                [WEEKS[0].isoformat(), '=HYPERLINK("http://x.test","5")',
                                 "10"]]),
                     "Row 2: Numerator: “=HYPERLINK("),
    "future week": (csv_bytes([["Week", "Numerator", "Denominator"],
                               [(WEEKS[-1] + timedelta(weeks=1)).isoformat(), "1", "2"]]),
                    "is in the future"),
    "not a Monday": (csv_bytes([["Week", "Numerator", "Denominator"],
                                [(WEEKS[0] + timedelta(days=3)).isoformat(), "1", "2"]]),
                     "is not a Monday"),
    "a year mistyped": (csv_bytes([["Week", "Numerator", "Denominator"],
                                   ["1835-03-02", "1", "2"]]),
                        "2 Mar 1835 is before 2000: check the year."),
    "not a date": (csv_bytes([["Week", "Numerator", "Denominator"], ["soon", "1", "2"]]),
                   "Row 2: Period: “soon” is not a date"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_malformed_files_list_each_problem_and_import_nothing(app, login, world, measure_id,
                                                              name):
    content, message = BAD_FILES[name]
    message = message.format(week=periods.label(WEEKS[0], Frequency.WEEKLY))
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, content))
    html = client.get(url).get_data(True).replace("&#34;", '"')
    assert message in html
    assert ">Import</button>" not in html and 'value="Import"' not in html
    # All or nothing: even a forced confirmation writes nothing.
    response = confirm(client, url)
    assert response.status_code == 200
    assert values(app, measure_id) == {}


@pytest.mark.parametrize("content,message", [
    (b"", "The file is empty."),
    (b"\n\n ,, \n", "every cell is blank"),
    (b"a" * (5 * 1024 * 1024 + 10), "larger than 5 MB"),
    (csv_bytes([["Week", "Numerator", "Denominator", "NHS no"],
                [WEEKS[0].isoformat(), "1", "2", "943 476 5919"]]), "looks like an NHS number"),
])
def test_unreadable_files_are_refused_at_upload(app, login, world, measure_id, content,
                                                message):
    response = upload(login("member_a"), measure_id, world.site_a, content)
    html = response.get_data(True)
    assert response.status_code == 200
    assert message in html and 'id="file-error"' in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ImportBatch.id))) == 0


def test_no_file_chosen(app, login, world, measure_id):
    response = login("member_a").post(f"/measures/{measure_id}/import",
                                      data={"site_id": str(world.site_a)})
    assert "Choose a CSV or Excel" in response.get_data(True)


def pqip_workbook(weeks, numbers, week_ending=False) -> bytes:
    """The layout of a run-chart template: a title, then a header row, one row per week with
    date cells, a % formula column, and blank rows for the weeks to come."""
    book = Workbook()
    ws = book.active
    ws.title = "Run chart data"
    ws.append(["DrEaMing weekly run chart: Ward 7"])
    ws.append([])
    ws.append(["Week commencing", "Number of patients DrEaMing", "Number of eligible patients",
               "% DrEaMing", "Median", "Comments"])
    for i, week in enumerate(weeks):
        day = week + timedelta(days=6) if week_ending else week
        n, d = numbers[i] if i < len(numbers) else (None, None)
        ws.append([datetime(day.year, day.month, day.day), n, d,
                   f"=IF(C{ws.max_row + 1}>0,B{ws.max_row + 1}/C{ws.max_row + 1},\"\")", None,
                   "PDSA 1 started" if i == 1 else None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_run_chart_template_imports_without_editing(app, login, world, measure_id):
    content = pqip_workbook(WEEKS, [(10, 20), (12, 20), (15, 20)])
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, content, "Ward 7 run chart.xlsx"))
    html = client.get(url).get_data(True)
    assert 'name="header_row" type="number" value="3"' in html or 'value="3"' in html
    assert "3 rows ready: 3 new" in html and "7 rows without numbers skipped" in html
    assert confirm(client, url).status_code == 302
    assert values(app, measure_id) == {(world.site_a, WEEKS[0]): (10, 20, ""),
                                       (world.site_a, WEEKS[1]): (12, 20, "PDSA 1 started"),
                                       (world.site_a, WEEKS[2]): (15, 20, "")}


def test_week_ending_dates_are_moved_to_their_week_when_asked(app, login, world, measure_id):
    content = pqip_workbook(WEEKS[:3], [(1, 2), (1, 2), (1, 2)], week_ending=True)
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, content, "w.xlsx"))
    assert "is not a Monday" in client.get(url).get_data(True)
    response = confirm(client, url, dates="within")
    assert response.status_code == 302
    assert set(values(app, measure_id)) == {(world.site_a, w) for w in WEEKS[:3]}


def test_mapping_can_be_corrected_on_the_preview(app, login, world, measure_id):
    content = csv_bytes([["When", "A", "B"], [WEEKS[0].isoformat(), "3", "4"]])
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, content))
    html = client.get(url).get_data(True)
    assert "Choose the numerator and denominator columns." in html
    response = client.post(url, data={"header_row": "1", "period": "0", "numerator": "1",
                                      "denominator": "2", "site": "", "value": "", "note": "",
                                      "dates": "start", "sheet": "CSV", "check": "Check again"})
    assert "1 row ready: 1 new" in response.get_data(True)
    assert confirm(client, url).status_code == 302  # the corrected mapping was kept
    assert values(app, measure_id) == {(world.site_a, WEEKS[0]): (3, 4, "")}


@pytest.mark.parametrize("column", ["²", "٣", "99999", "-1", "x"])
def test_a_column_number_that_is_not_one_picks_no_column(app, login, world, measure_id, column):
    content = csv_bytes([["When", "A", "B"], [WEEKS[0].isoformat(), "3", "4"]])
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, content))
    response = client.post(url, data={"header_row": "1", "period": "0", "numerator": column,
                                      "denominator": "2", "site": "", "value": "", "note": "",
                                      "dates": "start", "sheet": "CSV", "check": "Check again"})
    assert response.status_code == 200
    assert "Choose the numerator and denominator columns." in response.get_data(True)


def test_site_column_imports_only_my_own_sites(app, login, world, measure_id):
    content = csv_bytes([["Site", "Week", "Numerator", "Denominator"],
                         ["Alpha Hospital", WEEKS[0].isoformat(), "1", "2"],
                         ["Beta Hospital", WEEKS[0].isoformat(), "1", "2"],
                         ["Gamma Hospital", WEEKS[0].isoformat(), "1", "2"]])
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, content))
    html = client.get(url).get_data(True)
    assert "Row 3: Site: you are not on the Beta Hospital team" in html
    assert "Row 4: Site: “Gamma Hospital” is not a site of this collaborative." in html
    with app.app_context():
        db.session.add(Membership(user_id=world.member_a, site_id=world.site_b,
                                  role=SiteRole.MEMBER))
        db.session.commit()
    content = csv_bytes([["Site", "Week", "Numerator", "Denominator"],
                         ["alpha hospital ", WEEKS[0].isoformat(), "1", "2"],
                         ["Beta Hospital", WEEKS[0].isoformat(), "1", "3"]])
    confirm(client, preview_url(upload(client, measure_id, world.site_a, content)))
    assert values(app, measure_id) == {(world.site_a, WEEKS[0]): (1, 2, ""),
                                       (world.site_b, WEEKS[0]): (1, 3, "")}


def test_note_with_patient_data(app, login, world, measure_id):
    client = login("member_a")
    refused = csv_bytes([["Week", "Numerator", "Denominator", "Note"],
                         [WEEKS[0].isoformat(), "1", "2", "see MRN 12345678"]])
    url = preview_url(upload(client, measure_id, world.site_a, refused))
    html = client.get(url).get_data(True)
    assert "Row 2: Note: looks like a hospital number." in html
    assert confirm(client, url).status_code == 200  # not without the confirmation
    assert values(app, measure_id) == {}
    assert confirm(client, url, confirm_no_pid="y").status_code == 302
    assert values(app, measure_id)[(world.site_a, WEEKS[0])][2] == "see MRN 12345678"


@pytest.mark.parametrize("who,status", [("member_b", 403), ("faculty", 403), ("partner", 403)])
def test_only_the_sites_team_imports(app, login, world, measure_id, who, status):
    client = login(who)
    assert client.get(f"/measures/{measure_id}/import?site_id={world.site_a}"
                      ).status_code in (status, 200)
    response = upload(client, measure_id, world.site_a, simple_file())
    assert response.status_code in (status, 200)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ImportBatch.id))) == 0


def test_someone_elses_upload_is_not_found(app, login, world, measure_id):
    url = preview_url(upload(login("member_a"), measure_id, world.site_a, simple_file()))
    assert login("lead_a").get(url).status_code == 404
    assert login("lead_a").post(url, data={"confirm": "Import"}).status_code == 404


def test_discard(app, login, world, measure_id):
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, simple_file()))
    assert client.post(url, data={"discard": "Discard this file"}).status_code == 302
    with app.app_context():
        batch = db.session.scalars(db.select(ImportBatch)).one()
        assert (batch.status, batch.content) == ("discarded", None)
    assert values(app, measure_id) == {}


@pytest.mark.parametrize("background_rows", [20_000, 1], ids=["in the request", "as a job"])
def test_ten_thousand_rows_cost_no_more_queries_than_a_hundred(app, login, world, measure_id,
                                                               count_queries, background_rows):
    # Bulk reads and writes, not one query per row: what keeps a big import quick (its time
    # belongs in a benchmark, not in a test on a busy machine). Both ways: in the request, and
    # as a background job (run here: no REDIS_URL).
    app.config["IMPORT_BACKGROUND_ROWS"] = background_rows
    weeks = periods.recent_periods(Frequency.WEEKLY, 100)
    with app.app_context():
        user = db.session.get(User, world.member_a)
        collaborative_id = db.session.get(Site, world.site_a).collaborative_id
        for n in range(99):
            site = Site(name=f"Site {n:02d}", collaborative_id=collaborative_id)
            db.session.add(site)
            db.session.add(Membership(user=user, site=site))
        small_id = f.make_measure(world.collaborative, name="Small",
                                  frequency=Frequency.WEEKLY).id
        db.session.commit()
        names = [m.site.name for m in user.memberships]
    client = login("member_a")

    def import_weeks(measure, weeks) -> int:
        rows = [["Site", "Week commencing", "Numerator", "Denominator"]]
        rows += [[name, w.isoformat(), i % 20, 20] for name in names for i, w in enumerate(weeks)]
        with count_queries() as counter:
            url = preview_url(upload(client, measure, world.site_a, csv_bytes(rows)))
            assert f"{len(rows) - 1} rows ready: {len(rows) - 1} new" in client.get(
                url).get_data(True)
            assert confirm(client, url).status_code == 302
        return counter.count

    # Fresh statistics after the large one: one statement more on PostgreSQL, one per table
    # (the values and their history) on SQLite.
    analyze = 1 if db_dialect(app) == "postgresql" else 2
    assert import_weeks(measure_id, weeks) == import_weeks(small_id, weeks[:1]) + analyze
    with app.app_context():
        counts = dict(db.session.execute(db.select(
            MeasureValue.measure_id, db.func.count(MeasureValue.id)).group_by(
            MeasureValue.measure_id)).all())
    assert counts == {measure_id: 10_000, small_id: 100}


def test_the_preview_costs_the_same_queries_for_2_or_50_sites(app, login, world, measure_id,
                                                               count_queries):
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, simple_file()))
    client.get(url)
    with count_queries() as few:
        assert "3 rows ready" in client.get(url).get_data(True)
    with app.app_context():
        user = db.session.get(User, world.member_a)
        collaborative_id = db.session.get(Site, world.site_a).collaborative_id
        for n in range(48):
            site = Site(name=f"Extra site {n:02d}", collaborative_id=collaborative_id)
            db.session.add(site)
            db.session.add(Membership(user=user, site=site))
        db.session.commit()
    with count_queries() as many:
        assert "3 rows ready" in client.get(url).get_data(True)
    assert many.count == few.count <= 12


def db_dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def test_export_is_safe_from_formula_injection(app, login, world, measure_id):
    with app.app_context():
        f.make_values(db.session.get(Measure, measure_id), db.session.get(Site, world.site_a),
                      [(1, 2), (3, 4)], note='=HYPERLINK("http://evil.test","Click")')
        db.session.get(Site, world.site_a).name = "@Alpha"
        db.session.commit()
    client = login("member_a")
    response = client.get(f"/measures/{measure_id}/export.csv?site_id={world.site_a}")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(True).lstrip("\ufeff"))))
    assert rows[0] == ["Site", "Period start", "Numerator", "Denominator", "Value", "Percent",
                       "Note"]
    assert rows[1][0] == "'@Alpha"
    assert rows[1][6] == "'=HYPERLINK(\"http://evil.test\",\"Click\")"
    assert rows[1][2:4] == ["1", "2"] and rows[1][5] == "50.0"
    response = client.get(f"/measures/{measure_id}/export.xlsx?site_id={world.site_a}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    note = sheet.cell(row=2, column=7)
    assert note.value.startswith("'=") and note.data_type == "s"
    assert sheet.cell(row=2, column=2).is_date
    assert sheet.cell(row=3, column=3).value == 3


def test_export_covers_every_site_i_can_see_and_round_trips(app, login, world, measure_id):
    with app.app_context():
        measure = db.session.get(Measure, measure_id)
        f.make_values(measure, db.session.get(Site, world.site_a), [(1, 2), (3, 4)])
        f.make_values(measure, db.session.get(Site, world.site_b), [(5, 6)])
        db.session.commit()
    client = login("member_a")
    content = client.get(f"/measures/{measure_id}/export.csv").data
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Alpha Hospital", "Alpha Hospital", "Beta Hospital"]
    # Re-importing my own site's export changes nothing.
    mine = client.get(f"/measures/{measure_id}/export.xlsx?site_id={world.site_a}").data
    url = preview_url(upload(client, measure_id, world.site_a, mine, "export.xlsx"))
    assert "2 rows ready: 0 new, 0 changed, 2 the same" in client.get(url).get_data(True)
    assert client.get(f"/measures/{measure_id}/export.pdf").status_code == 404


@pytest.fixture
def csrf_app(app, _schema):
    csrf_app = create_app(make_config(_schema, WTF_CSRF_ENABLED=True))
    yield csrf_app
    with csrf_app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_posts_without_a_csrf_token_are_refused(csrf_app, world, measure_id):
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = world.tokens["member_a"]
    assert upload(client, measure_id, world.site_a, simple_file()).status_code == 400
    data = {"rows-0-period": WEEKS[-1].isoformat(), "rows-0-numerator": "1",
            "rows-0-denominator": "2"}
    assert client.post(f"/measures/{measure_id}/data?site_id={world.site_a}",
                       data=data).status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(db.select(db.func.count(MeasureValue.id))) == 0


def test_a_large_import_refreshes_the_planners_statistics(app):
    from sqlalchemy import event

    from tracker.measures import services

    with app.app_context():
        seen = []

        def remember(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            services.analyze_after_import(999)
            small = list(seen)
            services.analyze_after_import(10_000)
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
        analyzed = [s for s in seen if s.startswith("ANALYZE")]
        assert not [s for s in small if s.startswith("ANALYZE")]
        if db.engine.dialect.name == "postgresql":
            assert analyzed == ["ANALYZE measure_value, measure_value_change"]
            assert db.session.execute(sa.text(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'measure_value'"
            )).scalar() is not None
        else:
            assert analyzed == ["ANALYZE measure_value", "ANALYZE measure_value_change"]
            assert db.session.execute(sa.text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar() == 1
