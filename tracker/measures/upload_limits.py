"""What an uploaded workbook may be before a spreadsheet library reads it.

A .xlsx file is a zip archive of XML parts, and a 200 KB archive can unpack to gigabytes or
hold a row of millions of cells. So the archive's directory is checked first (how many parts,
how large unpacked, how tightly packed, nothing odd), then every part is streamed once through
the standard library's XML parser with constant memory, stopping at the first row, row length,
cell or nesting over the limits. Only a workbook within all of them reaches openpyxl.
"""

import io
import zipfile
import zlib
from xml.parsers import expat

MAX_BYTES = 5 * 1024 * 1024  # the upload itself
MAX_PARTS = 1_000  # a data workbook has a few dozen
MAX_UNPACKED = 25 * 1024 * 1024  # every part together, unpacked: 50,000 rows of data fit
MAX_RATIO = 100  # unpacked / packed size of one part (Apache POI refuses over 100 too)
RATIO_FROM = 1024 * 1024  # small parts may be packed as tightly as they like
MAX_ROWS = 50_000
MAX_CELLS_PER_ROW = 1_000  # cells written in one row (only the first MAX_COLUMNS are read)
MAX_COLUMNS = 60
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_DEPTH = 100  # XML nesting; a workbook's parts nest about ten deep
NESTED = (".zip", ".xlsx", ".xlsm", ".xlsb", ".docx", ".pptx", ".gz", ".bz2", ".xz", ".7z",
          ".rar", ".tar", ".jar", ".cab")
UNREADABLE = "The file could not be read as an Excel (.xlsx) workbook."
CRAFTED = "it looks crafted, so it cannot be read safely. Copy the data into a new workbook."


class FileProblem(ValueError):
    """The file cannot be read at all; the message says why, for the person uploading it."""


def open_archive(content: bytes) -> zipfile.ZipFile:
    """The workbook's zip archive, once its directory and every part are within the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        # Python's zipfile also refuses overlapping parts (a known zip bomb) here.
        raise FileProblem(UNREADABLE) from error
    check_directory(archive.infolist(), len(content))
    for info in archive.infolist():
        if not info.is_dir():
            _scan_part(archive, info)
    return archive


def check_directory(infos: list[zipfile.ZipInfo], size: int) -> None:
    """Refuse an archive whose directory alone shows it is not an honest workbook."""
    if len(infos) > MAX_PARTS:
        raise FileProblem(f"The workbook is made of {len(infos):,} parts, more than "
                          f"{MAX_PARTS:,}: {CRAFTED}")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise FileProblem(f"The workbook holds two parts with the same name: {CRAFTED}")
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise FileProblem(f"The workbook holds a part named “{name[:60]}”: {CRAFTED}")
        if name.lower().endswith(NESTED):
            raise FileProblem(f"The workbook holds another packed file ({name[-60:]}), e.g. "
                              "an embedded document. Copy the data into a new workbook.")
        if info.flag_bits & 0x1:
            raise FileProblem("The workbook is encrypted: remove its password and upload it "
                              "again.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileProblem(f"The workbook is packed in a way Excel does not use: {CRAFTED}")
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * info.compress_size:
            ratio = info.file_size // max(info.compress_size, 1)
            raise FileProblem(f"A part of the workbook unpacks to {ratio:,} times its packed "
                              f"size (a “zip bomb”): {CRAFTED}")
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise FileProblem(f"The workbook unpacks to more than {MAX_UNPACKED // 2**20} MB of "
                          "data: save only the data to import in a new workbook, or split it.")
    if sum(info.compress_size for info in infos) > size:
        raise FileProblem(f"The workbook's parts overlap (a “zip bomb”): {CRAFTED}")


class _Scanner:
    """Counts, for one XML part, what a worksheet or shared-string table would hold."""

    def __init__(self):
        self.depth = 0
        # [depth, cells so far] of each open row element: a crafted file may nest rows, and
        # openpyxl reads each of them as a row.
        self.open_rows: list[list[int]] = []
        self.item_depth = -2  # depth of the cell (or shared string) we are in; -2: none
        self.rows = 0
        self.row_number = 0  # as the sheet numbers it (a row may skip ahead with r="...")
        self.chars = 0

    def start(self, name: str, attrs: dict) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FileProblem(f"The workbook's XML nests more than {MAX_DEPTH} deep: {CRAFTED}")
        row = self.open_rows[-1] if self.open_rows else None
        if row and self.depth == row[0] + 1:  # openpyxl takes any child of a row as a cell
            row[1] += 1
            if row[1] > MAX_CELLS_PER_ROW:
                raise FileProblem(f"Row {self.row_number:,} of a sheet has more than "
                                  f"{MAX_CELLS_PER_ROW:,} cells: import a table with the data "
                                  "in a few columns.")
            self._enter_item()
        if name.endswith("}row") or name == "row":
            self.rows += 1
            self.row_number = _row_number(attrs.get("r"), self.row_number)
            if self.rows > MAX_ROWS or self.row_number > MAX_ROWS:
                raise FileProblem(f"A sheet has more than {MAX_ROWS:,} rows: split it into "
                                  "smaller files.")
            self.open_rows.append([self.depth, 0])
        elif name.endswith("}si"):
            self._enter_item()

    def _enter_item(self) -> None:
        if self.item_depth < 0:  # an item inside an item still counts towards the outer one
            self.item_depth, self.chars = self.depth, 0

    def end(self, name: str) -> None:
        if self.open_rows and self.depth == self.open_rows[-1][0]:
            self.open_rows.pop()
        if self.depth == self.item_depth:
            self.item_depth = -2
        self.depth -= 1

    def text(self, data: str) -> None:
        if self.item_depth >= 0:
            self.chars += len(data)
            if self.chars > MAX_CELL_CHARS:
                raise FileProblem(f"A cell holds more than {MAX_CELL_CHARS:,} characters, "
                                  f"more than Excel allows: {CRAFTED}")

    @staticmethod
    def doctype(*args) -> None:
        # Excel never writes a DTD; one is how an XML "billion laughs" bomb is built.
        raise FileProblem(f"The workbook holds an XML document type declaration: {CRAFTED}")


def _row_number(text: str | None, previous: int) -> int:
    """The row's number as openpyxl reads it: its r attribute (even "7.0"), else the next."""
    if text is None:
        return previous + 1
    try:
        return int(float(text))
    except (ValueError, OverflowError):
        return previous + 1  # openpyxl refuses such a row itself


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Stream one part through expat; a part that is not XML (an image) is left alone."""
    scanner = _Scanner()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    parser.CharacterDataHandler = scanner.text
    parser.StartDoctypeDeclHandler = scanner.doctype
    try:
        with archive.open(info) as stream:
            parser.ParseFile(stream)
    except FileProblem:
        raise
    except expat.ExpatError:
        # Not XML, or broken XML: openpyxl's parser (expat too) stops at the same place,
        # so nothing past it is ever read.
        return
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise FileProblem(UNREADABLE) from error
