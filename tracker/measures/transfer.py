"""Spreadsheet files in and out: read CSV/XLSX into rows of cells; write CSV/XLSX safely.

Exports neutralise cells a spreadsheet would run as formulas (`tracker.core.exports.safe_cell`).
Reading never evaluates anything: XLSX formulas give their cached value (or nothing).
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response

from ..core.exports import safe_cell
from ..core.pid import scan

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60


class FileProblem(ValueError):
    """The file cannot be read at all; the message says why, for the person uploading it."""


@dataclass
class Table:
    sheets: list[str]
    sheet: str
    rows: list[list]  # cell values (str, int, float, datetime or None); row n is rows[n - 1]


def is_xlsx(content: bytes, filename: str) -> bool:
    return content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx")


def read_table(content: bytes, filename: str, sheet: str | None = None) -> Table:
    """All rows of a CSV file, or of one sheet (the first by default) of an XLSX workbook."""
    if not content.strip():
        raise FileProblem("The file is empty.")
    if len(content) > MAX_BYTES:
        raise FileProblem(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it "
                          "into smaller files.")
    if filename.lower().endswith(".xls") or content[:4] == b"\xd0\xcf\x11\xe0":
        raise FileProblem("Old Excel (.xls) files cannot be read: save it as .xlsx or CSV.")
    table = _read_xlsx(content, sheet) if is_xlsx(content, filename) else _read_csv(content)
    if len(table.rows) > MAX_ROWS:
        raise FileProblem(f"The file has more than {MAX_ROWS:,} rows: split it into smaller "
                          "files.")
    if not any(_filled(c) for row in table.rows for c in row):
        raise FileProblem("The file is empty." if not table.rows else
                          "The file has no data: every cell is blank.")
    return table


def _filled(cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _read_csv(content: bytes) -> Table:
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves CSV as cp1252
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem("The file is not a text (CSV) file.")
    if "\x00" in text:
        raise FileProblem("The file is not a CSV or Excel (.xlsx) file.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for row in csv.reader(io.StringIO(text), dialect):
        rows.append(row[:MAX_COLUMNS])
        if len(rows) > MAX_ROWS:
            break
    return Table(["CSV"], "CSV", rows)


def _read_xlsx(content: bytes, sheet: str | None) -> Table:
    from openpyxl import load_workbook  # only imports need it

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblem("The file could not be read as an Excel (.xlsx) workbook.") from error
    try:
        names = book.sheetnames
        ws = book[sheet] if sheet in names else book.worksheets[0]
        rows = []
        for row in ws.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append(list(row))
            if len(rows) > MAX_ROWS:
                break
        return Table(names, ws.title, _trim(rows))
    finally:
        book.close()


def _trim(rows: list[list]) -> list[list]:
    """Drop trailing blank rows (formatted but empty rows of a template)."""
    while rows and not any(_filled(c) for c in rows[-1]):
        rows.pop()
    return rows


def find_nhs_number(table: Table) -> str:
    """Where the file holds what looks like an NHS number ('' if nowhere): such a file is
    refused before it is stored, whichever columns the import would use."""
    for r, row in enumerate(table.rows, 1):
        for c, cell in enumerate(row):
            if isinstance(cell, float) and cell.is_integer():
                cell = int(cell)
            if isinstance(cell, str | int) and not isinstance(cell, bool) and scan(
                    str(cell)).refused:
                return f"row {r}, column {column_letter(c)}"
    return ""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(value):
    if isinstance(value, str):
        return safe_cell(value)
    return "" if value is None else value


def csv_response(header: list[str], rows: list[list], filename: str) -> Response:
    """A CSV download; text cells that a spreadsheet would read as formulas are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def xlsx_response(header: list[str], rows: list[list], filename: str, title: str) -> Response:
    """An XLSX download with dates as dates and text that can never become a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=safe_sheet_title(title))
    ws.append(header)
    for row in rows:
        cells = []
        for v in row:
            if isinstance(v, date | datetime):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "yyyy-mm-dd"
            else:
                cell = WriteOnlyCell(ws, value=_cell(v))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), headers={
        "Content-Disposition": f'attachment; filename="{filename}"'},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def safe_sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return (cleaned or "Data")[:31]
