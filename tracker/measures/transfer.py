"""Spreadsheet files in and out: read CSV/XLSX into rows of cells; write CSV/XLSX safely.

Exports neutralise cells a spreadsheet would run as formulas (`tracker.core.exports.safe_cell`).
Reading never evaluates anything: XLSX formulas give their cached value (or nothing).
"""

import codecs
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response

from ..core.exports import safe_cell
from ..core.pid import scan
from .upload_limits import (
    MAX_BYTES,
    MAX_CELL_CHARS,
    MAX_CELLS_PER_ROW,
    MAX_COLUMNS,
    MAX_ROWS,
    UNREADABLE,
    FileProblem,
    open_archive,
)

# Byte-order marks, longest first: UTF-32's little-endian mark begins like UTF-16's.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
NOT_TEXT = ("The file is not UTF-8 or UTF-16 text: save it as “CSV UTF-8” (or as an Excel "
            ".xlsx workbook) and upload it again.")


@dataclass
class Table:
    sheets: list[str]
    sheet: str
    rows: list[list]  # cell values (str, int, float, datetime or None); row n is rows[n - 1]


def is_xlsx(content: bytes, filename: str) -> bool:
    return content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx")


def read_table(content: bytes, filename: str, sheet: str | None = None) -> Table:
    """All rows of a CSV file, or of one sheet (the first by default) of an XLSX workbook."""
    return _read(content, filename, sheet, every=False)[0]


def read_tables(content: bytes, filename: str) -> list[Table]:
    """Every sheet of the file (a CSV file has one), the first sheet first."""
    return _read(content, filename, None, every=True)


def _read(content: bytes, filename: str, sheet: str | None, *, every: bool) -> list[Table]:
    if not content.strip():
        raise FileProblem("The file is empty.")
    if len(content) > MAX_BYTES:
        raise FileProblem(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it "
                          "into smaller files.")
    if filename.lower().endswith(".xls") or content[:4] == b"\xd0\xcf\x11\xe0":
        raise FileProblem("Old Excel (.xls) files cannot be read: save it as .xlsx or CSV.")
    if is_xlsx(content, filename):
        tables = _read_xlsx(content, sheet, every)
    else:
        tables = [_read_csv(content)]
    rows = tables[0].rows
    if not any(_filled(c) for row in rows for c in row):
        raise FileProblem("The file is empty." if not rows else
                          "The file has no data: every cell is blank.")
    return tables


def _filled(cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def decode_text(content: bytes) -> str:
    """The text of a CSV file: by its byte-order mark (UTF-8, UTF-16, UTF-32), else UTF-8,
    else Windows-1252 (what Excel on Windows saves as plain "CSV")."""
    for bom, encoding in BOMS:
        if content.startswith(bom):
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError as error:
                raise FileProblem(NOT_TEXT) from error
            break
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            try:  # cp1252 fails only on five unused bytes, so this is rarely refused...
                text = content.decode("cp1252")
            except UnicodeDecodeError as error:
                raise FileProblem(NOT_TEXT) from error
    if "\x00" in text:  # ...but a binary file, or UTF-16 without its mark, holds NULs
        raise FileProblem(NOT_TEXT)
    return text


def _read_csv(content: bytes) -> Table:
    text = decode_text(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            _check_row(row, len(rows) + 1)
            rows.append(row[:MAX_COLUMNS])
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise FileProblem(_too_long()) from error
        raise FileProblem(f"The file could not be read as CSV: {error}.") from error
    return Table(["CSV"], "CSV", rows)


def _check_row(row: list[str], number: int) -> None:
    if number > MAX_ROWS:
        raise FileProblem(f"The file has more than {MAX_ROWS:,} rows: split it into smaller "
                          "files.")
    if len(row) > MAX_CELLS_PER_ROW:
        raise FileProblem(f"Row {number:,} has more than {MAX_CELLS_PER_ROW:,} cells: import a "
                          "table with the data in a few columns.")
    if any(len(cell) > MAX_CELL_CHARS for cell in row):
        raise FileProblem(_too_long())


def _too_long() -> str:
    return (f"A cell holds more than {MAX_CELL_CHARS:,} characters, more than Excel allows: "
            "this is not a table of data.")


def _read_xlsx(content: bytes, sheet: str | None, every: bool) -> list[Table]:
    from openpyxl import load_workbook  # only imports need it

    open_archive(content).close()  # refuses a hostile archive before openpyxl opens it
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds of error on a malformed file
        raise FileProblem(UNREADABLE) from error
    try:
        sheets = book.worksheets  # not chart sheets: they have no cells
        names = [ws.title for ws in sheets]
        if not sheets:
            raise FileProblem("The workbook has no sheet with cells.")
        chosen = sheets if every else [sheets[names.index(sheet)] if sheet in names
                                       else sheets[0]]
        return [Table(names, ws.title, _sheet_rows(ws)) for ws in chosen]
    except FileProblem:
        raise
    except Exception as error:  # as above: a malformed sheet, found while reading it
        raise FileProblem(UNREADABLE) from error
    finally:
        book.close()


def _sheet_rows(ws) -> list[list]:
    """The sheet's values, streamed; the archive checks already bounded rows and cells."""
    ws.reset_dimensions()  # a wrong <dimension> in the file must not cut rows off
    rows = []
    for row in ws.iter_rows(values_only=True, max_col=MAX_COLUMNS):
        rows.append(list(row))
        if len(rows) > MAX_ROWS:
            raise FileProblem(f"The file has more than {MAX_ROWS:,} rows: split it into "
                              "smaller files.")
    return _trim(rows)


def _trim(rows: list[list]) -> list[list]:
    """Drop trailing blank rows (formatted but empty rows of a template)."""
    while rows and not any(_filled(c) for c in rows[-1]):
        rows.pop()
    return rows


def find_nhs_number(tables: list[Table]) -> str:
    """Where the file holds what looks like an NHS number ('' if nowhere): such a file is
    refused before it is stored, whichever sheet and columns the import would use."""
    for table in tables:
        sheet = f"sheet “{table.sheet}”, " if len(tables) > 1 else ""
        if scan(table.sheet).refused:
            return f"the name of sheet {table.sheets.index(table.sheet) + 1}"
        for r, row in enumerate(table.rows, 1):
            for c, cell in enumerate(row):
                if isinstance(cell, float) and cell.is_integer():
                    cell = int(cell)
                if isinstance(cell, str | int) and not isinstance(cell, bool) and scan(
                        str(cell)).refused:
                    return f"{sheet}row {r}, column {column_letter(c)}"
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
