"""Hand-built .xlsx archives for the upload tests and the bomb benchmark.

A `Repeated` part is packed by compressing one block once and repeating its compressed bytes
(a full flush makes each copy stand alone), so a part that unpacks to hundreds of megabytes
costs milliseconds to build and a few hundred kilobytes to hold.
"""

import io
import zipfile
import zlib
from dataclasses import dataclass

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class Repeated:
    head: str
    block: str
    times: int
    tail: str

    @property
    def size(self) -> int:
        return len(self.head.encode()) + len(self.block.encode()) * self.times + len(
            self.tail.encode())


def sheet_xml(rows: str) -> str:
    return f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'


def strings_xml(*texts: str) -> str:
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    return f'{HEAD}<sst xmlns="{MAIN}" count="{len(texts)}" uniqueCount="{len(texts)}">' \
        f"{items}</sst>"


def _skeleton(shared_strings: bool) -> dict[str, str]:
    strings_type = (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.'
                    'sharedStrings+xml"/>' if shared_strings else "")
    strings_rel = (f'<Relationship Id="rId2" Type="{REL}/sharedStrings" '
                   'Target="sharedStrings.xml"/>' if shared_strings else "")
    return {
        "[Content_Types].xml": (
            f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
            f"{strings_type}</Types>"),
        "_rels/.rels": (
            f'{HEAD}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Data" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{HEAD}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>{strings_rel}'
            "</Relationships>"),
    }


def workbook(sheet: str | Repeated, strings: str | Repeated | None = None,
             extra: dict[str, str | bytes | Repeated] | None = None,
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An .xlsx archive with one sheet ("Data"), optional shared strings and extra parts."""
    parts: dict[str, str | bytes | Repeated] = {**_skeleton(strings is not None),
                                                "xl/worksheets/sheet1.xml": sheet}
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    parts.update(extra or {})
    out = io.BytesIO()
    relabel = []
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, part in parts.items():
            if isinstance(part, Repeated):
                relabel.append(_write_repeated(archive, name, part))
            else:
                archive.writestr(name, part)
    for info in relabel:  # the local headers, now that the entries say what they hold
        header = info.FileHeader()
        out.getbuffer()[info.header_offset:info.header_offset + len(header)] = header
    return out.getvalue()


def _write_repeated(archive: zipfile.ZipFile, name: str, part: Repeated) -> zipfile.ZipInfo:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(part.head.encode()) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(part.block.encode()) + packer.flush(zlib.Z_FULL_FLUSH)
    packed = head + block * part.times + packer.compress(part.tail.encode()) + packer.flush()
    crc = zlib.crc32(part.head.encode())
    data = part.block.encode()
    for _ in range(part.times):
        crc = zlib.crc32(data, crc)
    crc = zlib.crc32(part.tail.encode(), crc)
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 5, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    archive.writestr(info, packed)  # the packed bytes as they are, then labelled deflated:
    info.compress_type = zipfile.ZIP_DEFLATED  # the central directory is written on close
    info.file_size, info.CRC = part.size, crc
    return info


def shared_string_bomb(megabytes: int = 200) -> bytes:
    """One shared string of `megabytes` MB (about 1 KB packed per MB)."""
    sst = Repeated(f'{HEAD}<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>',
                   "a" * 2**20, megabytes, "</t></si></sst>")
    return workbook(sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), strings=sst)


def wide_row_bomb(cells: int = 3_000_000) -> bytes:
    """One row of `cells` inline-string cells."""
    block = '<c t="inlineStr"><is><t>1</t></is></c>' * 10_000
    return workbook(Repeated(f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData><row r="1">', block,
                             cells // 10_000, "</row></sheetData></worksheet>"))


def long_sheet_bomb(rows: int = 1_000_000) -> bytes:
    """`rows` rows of two numbers each."""
    block = "<row><c><v>5</v></c><c><v>10</v></c></row>" * 10_000
    return workbook(Repeated(f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData>', block,
                             rows // 10_000, "</sheetData></worksheet>"))
