"""Hostile and unusual upload files: zip bombs, oversized sheets, and CSV text encodings.

Every refusal is a message next to the file field with nothing stored; the hostile workbooks
are refused before openpyxl is ever called (the `parser_calls` fixture records any call).
"""

import codecs
import html
import io
import zipfile

import openpyxl
import openpyxl.reader.excel
import pytest

from tests import factories as f
from tests.test_measures_import import (
    WEEKS,
    confirm,
    preview_url,
    upload,
    values,
)
from tests.xlsx_parts import (
    HEAD,
    MAIN,
    Repeated,
    long_sheet_bomb,
    shared_string_bomb,
    sheet_xml,
    strings_xml,
    wide_row_bomb,
    workbook,
)
from tracker.extensions import db
from tracker.measures import upload_limits
from tracker.measures.transfer import FileProblem, read_table
from tracker.measures.upload_limits import check_directory
from tracker.models import Frequency, ImportBatch


@pytest.fixture
def measure_id(app, world) -> int:
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="DrEaMing", definition="All three.",
                                 frequency=Frequency.WEEKLY)
        db.session.commit()
        return measure.id


@pytest.fixture
def parser_calls(monkeypatch) -> list:
    """Every call to openpyxl's workbook loader during the test (it still works)."""
    calls = []
    real = openpyxl.load_workbook

    def recording(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", recording)
    monkeypatch.setattr(openpyxl.reader.excel, "load_workbook", recording)
    return calls


def refusal(app, client, measure_id, site_id, content, filename="data.xlsx") -> str:
    """Upload the file; the message shown next to the file field, after checking that nothing
    was stored."""
    response = upload(client, measure_id, site_id, content, filename)
    page = response.get_data(True)
    assert response.status_code == 200
    start = page.index('id="file-error"')
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ImportBatch.id))) == 0
    return html.unescape(page[start:page.index("</div>", start)])


def data_rows(weeks=WEEKS[:2]) -> str:
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>Week commencing</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>Numerator</t></is></c>'
            '<c r="C1" t="inlineStr"><is><t>Denominator</t></is></c></row>']
    for n, week in enumerate(weeks, 2):
        rows.append(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{week.isoformat()}</t>'
                    f'</is></c><c r="B{n}"><v>{n}</v></c><c r="C{n}"><v>10</v></c></row>')
    return "".join(rows)


def test_a_hand_built_workbook_is_read_by_openpyxl(app, login, world, measure_id,
                                                   parser_calls):
    # The bombs below are built the same way: real workbooks, not merely broken files.
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, workbook(sheet_xml(
        data_rows())), "data.xlsx"))
    assert confirm(client, url).status_code == 302
    assert values(app, measure_id) == {(world.site_a, WEEKS[0]): (2, 10, ""),
                                       (world.site_a, WEEKS[1]): (3, 10, "")}
    assert parser_calls
    shared = workbook(sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
                      strings=Repeated(f'{HEAD}<sst xmlns="{MAIN}" count="1" uniqueCount="1">'
                                       "<si><t>", "ab" * 5, 3, "</t></si></sst>"))
    assert read_table(shared, "x.xlsx").rows[0][0] == "ab" * 15  # a Repeated part unpacks whole


BOMBS = {
    "one 200 MB shared string": (shared_string_bomb, 200 * 2**20),
    "a row of 3 million cells": (wide_row_bomb, 3_000_000 * 38),
    "a million rows": (long_sheet_bomb, 1_000_000 * 42),
}


@pytest.mark.parametrize("name", BOMBS)
def test_zip_bombs_are_refused_before_parsing(app, login, world, measure_id, parser_calls,
                                              name):
    build, unpacked = BOMBS[name]
    content = build()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sum(i.file_size for i in archive.infolist()) >= unpacked  # a real bomb
    assert len(content) < 400_000
    message = refusal(app, login("member_a"), measure_id, world.site_a, content)
    assert "zip bomb" in message and "cannot be read safely" in message
    assert parser_calls == []


def _inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


LIMITS = {
    "too many cells in a row": (
        lambda: workbook(sheet_xml('<row r="1">' + "<c><v>1</v></c>" * 1_001 + "</row>")),
        "Row 1 of a sheet has more than 1,000 cells"),
    "too many cells after a row hidden in a cell": (
        lambda: workbook(sheet_xml('<row r="1"><c><row r="2"/></c>' + "<c><v>1</v></c>" * 1_001
                                   + "</row>")),
        "of a sheet has more than 1,000 cells"),
    "a row past the last": (
        lambda: workbook(sheet_xml(data_rows() + '<row r="50001"><c><v>1</v></c></row>')),
        "A sheet has more than 50,000 rows"),
    "too many rows": (
        lambda: workbook(sheet_xml("".join(f'<row r="{n}"><c><v>{n}</v></c></row>'
                                   for n in range(1, 50_002)))),
        "A sheet has more than 50,000 rows"),
    "a long inline cell": (
        lambda: workbook(sheet_xml(f'<row r="1">{_inline("x" * 32_768)}</row>')),
        "A cell holds more than 32,767 characters"),
    "a long shared string in pieces": (
        lambda: workbook(sheet_xml('<row r="1"><c t="s"><v>0</v></c></row>'),
                 strings=strings_xml("ok").replace(
                     "<si><t>ok</t></si>", "<si>" + "<r><t>y</t></r>" * 32_768 + "</si>")),
        "A cell holds more than 32,767 characters"),
    "a long shared string split by an inner one": (
        lambda: workbook(sheet_xml('<row r="1"><c t="s"><v>0</v></c></row>'),
                         strings=strings_xml("ok").replace("<si><t>ok</t></si>", (
                             "<si><t>" + "y" * 30_000 + "</t><si/><t>" + "y" * 30_000
                             + "</t></si>"))),
        "A cell holds more than 32,767 characters"),
    "an XML entity bomb": (
        lambda: workbook(sheet_xml("<row/>").replace(
            "<worksheet", '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            "<worksheet")),
        "XML document type declaration"),
    "deep nesting": (
        lambda: workbook(sheet_xml('<row r="1"><c><v>1</v></c></row>').replace(
            "</worksheet>", "<x>" * 101 + "</x>" * 101 + "</worksheet>")),
        "nests more than 100 deep"),
    "too many parts": (
        lambda: workbook(sheet_xml(data_rows()), extra={f"xl/media/p{n}.xml": "<p/>"
                                                for n in range(1_000)}),
        "made of 1,005 parts"),
    "an embedded archive": (
        lambda: workbook(sheet_xml(data_rows()), extra={"xl/embeddings/inner.zip": b"PK\x05\x06"}),
        "another packed file (xl/embeddings/inner.zip)"),
    "a part outside the archive": (
        lambda: workbook(sheet_xml(data_rows()), extra={"../../evil.xml": "<p/>"}),
        "a part named “../../evil.xml”"),
    "an unusual compression": (
        lambda: workbook(sheet_xml(data_rows()), compression=zipfile.ZIP_BZIP2),
        "packed in a way Excel does not use"),
    "26 MB unpacked": (
        lambda: workbook(sheet_xml(data_rows()), extra={f"xl/media/p{n}.xml": Repeated(
            "", "a" * 2**16, 16, "") for n in range(26)}),
        "unpacks to more than 25 MB"),
}


@pytest.mark.parametrize("name", LIMITS)
def test_files_over_a_limit_are_refused_with_a_message_before_parsing(
        app, login, world, measure_id, parser_calls, name):
    build, expected = LIMITS[name]
    content = build()
    assert len(content) < 1_000_000
    message = refusal(app, login("member_a"), measure_id, world.site_a, content)
    assert expected in message
    assert parser_calls == []


@pytest.mark.parametrize("build", [
    lambda: b"PK\x03\x04" + b"not really a zip" * 20,
    lambda: workbook(sheet_xml('<row r="1"><c><v>1</v></c></row>').replace("</row>", "")),
    lambda: workbook(sheet_xml('<row r="1"><c><v>1</v></c></row>'), extra={
        "xl/_rels/workbook.xml.rels": "<Relationships/>"}),
    lambda: workbook(sheet_xml('<row r="x"><c><v>1</v></c></row>')),
], ids=["not a zip", "broken sheet XML", "sheet missing", "bad row number"])
def test_broken_workbooks_are_refused_with_a_message(app, login, world, measure_id, build):
    message = refusal(app, login("member_a"), measure_id, world.site_a, build())
    assert "could not be read as an Excel (.xlsx) workbook" in message


def _info(name: str, size: int, packed: int, flags: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.file_size, info.compress_size, info.flag_bits = size, packed, flags
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


@pytest.mark.parametrize("infos,size,expected", [
    ([_info("a.xml", 10, 10), _info("a.xml", 10, 10)], 100, "two parts with the same name"),
    ([_info("a.xml", 10, 10, flags=0x1)], 100, "encrypted: remove its password"),
    ([_info("a.xml", 2 * 2**20, 2 * 2**20 // 101)], 10**6, "101 times its packed size"),
    ([_info("a.xml", 600, 600), _info("b.xml", 600, 600)], 1_000, "parts overlap"),
    ([_info(f"{n}.xml", 2**20, 2**20 // 50) for n in range(26)], 10**6, "more than 25 MB"),
])
def test_the_archive_directory_is_checked_on_declared_sizes(infos, size, expected):
    with pytest.raises(FileProblem, match=expected):
        check_directory(infos, size)


def test_small_parts_may_be_packed_tightly():
    check_directory([_info("styles.xml", 2**20, 100), _info("sheet.xml", 3 * 2**20, 40_000)],
                    10**6)


def test_limits_hold_for_csv_too(app, login, world, measure_id):
    client = login("member_a")
    wide = ("," * 1_001 + "\n").encode()
    assert "Row 1 has more than 1,000 cells" in refusal(app, client, measure_id, world.site_a,
                                                        wide, "wide.csv")
    long = ("Week,Note\n2026-03-02," + "x" * 40_000 + "\n").encode()
    assert "more than 32,767 characters" in refusal(app, client, measure_id, world.site_a,
                                                    long, "long.csv")
    huge = ("Week,Note\n2026-03-02," + "x" * 200_000 + "\n").encode()  # over csv's own limit
    assert "more than 32,767 characters" in refusal(app, client, measure_id, world.site_a,
                                                    huge, "huge.csv")
    many = ("1\n" * (upload_limits.MAX_ROWS + 1)).encode()
    assert "more than 50,000 rows" in refusal(app, client, measure_id, world.site_a, many,
                                              "many.csv")


def csv_text() -> str:
    return ("Week commencing\tNumerator\tDenominator\tNote\n"
            f"{WEEKS[0].isoformat()}\t4\t5\tCafé ☕ at 15:00\n"
            f"{WEEKS[1].isoformat()}\t6\t8\tÉquipe de nuit\n")


@pytest.mark.parametrize("encoding,bom", [
    ("utf-16-le", codecs.BOM_UTF16_LE),  # Excel's "Unicode Text"
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-8", codecs.BOM_UTF8),  # Excel's "CSV UTF-8"
    ("utf-32-le", codecs.BOM_UTF32_LE),
])
def test_unicode_csv_files_are_read_by_their_byte_order_mark(app, login, world, measure_id,
                                                             encoding, bom):
    content = bom + csv_text().encode(encoding)
    client = login("member_a")
    url = preview_url(upload(client, measure_id, world.site_a, content, "data.txt"))
    assert confirm(client, url).status_code == 302
    assert values(app, measure_id) == {(world.site_a, WEEKS[0]): (4, 5, "Café ☕ at 15:00"),
                                       (world.site_a, WEEKS[1]): (6, 8, "Équipe de nuit")}


def test_windows_1252_csv_is_still_read(app, login, world, measure_id):
    content = csv_text().replace("☕ ", "").encode("cp1252")
    client = login("member_a")
    confirm(client, preview_url(upload(client, measure_id, world.site_a, content)))
    assert values(app, measure_id)[(world.site_a, WEEKS[0])][2] == "Café at 15:00"


@pytest.mark.parametrize("content", [
    csv_text().encode("utf-16-le"),  # UTF-16 without its mark
    codecs.BOM_UTF16_LE + csv_text().encode("utf-16-le")[:-1],  # cut in half a character
    codecs.BOM_UTF8 + b"Week\n\xff\xfe\n",  # claims UTF-8, is not
    b"Week,Note\n2026-03-02,\x81\x8d\x8f\n",  # bytes no Windows code page maps
    b"\x00\x01\x02\x03binary" * 10,
], ids=["utf-16 without mark", "truncated utf-16", "broken utf-8", "undefined bytes",
        "binary"])
def test_undecodable_text_says_what_is_wrong(app, login, world, measure_id, content):
    message = refusal(app, login("member_a"), measure_id, world.site_a, content, "data.csv")
    assert "The file is not UTF-8 or UTF-16 text: save it as “CSV UTF-8”" in message


def test_a_stored_upload_over_a_new_limit_is_discarded_not_a_crash(app, login, world,
                                                                   measure_id):
    with app.app_context():
        batch = ImportBatch(measure_id=measure_id, site_id=world.site_a, filename="old.csv",
                            content=("," * 1_001 + "\n").encode(), sha256="x", row_count=1,
                            mapping={}, created_by_id=world.member_a)
        db.session.add(batch)
        db.session.commit()
        batch_id = batch.id
    client = login("member_a")
    response = client.get(f"/measures/{measure_id}/import/{batch_id}")
    assert response.status_code == 302 and "/import?site_id=" in response.location
    assert "more than 1,000 cells" in client.get(response.location).get_data(True)
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status == "discarded"
