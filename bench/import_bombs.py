"""How fast hostile spreadsheets are refused, and what the checks cost an honest workbook.

Run from the repository root: `python -m bench.import_bombs` (add `--unguarded` to also time
openpyxl alone on a small bomb, the cost the checks avoid). Prints milliseconds; asserts
nothing: speed is for people to read, the tests prove the behaviour.
"""

import io
import statistics
import sys
import time
import zipfile
from datetime import date, timedelta

from openpyxl import Workbook, load_workbook

from tests.xlsx_parts import (
    long_sheet_bomb,
    shared_string_bomb,
    sheet_xml,
    wide_row_bomb,
    workbook,
)
from tracker.measures.transfer import FileProblem, read_table
from tracker.measures.upload_limits import open_archive

BOMBS = {
    "200 MB shared string": shared_string_bomb,
    "row of 3 million cells": wide_row_bomb,
    "a million rows": long_sheet_bomb,
    "1,001 cells in a row": lambda: workbook(sheet_xml(
        '<row r="1">' + "<c><v>1</v></c>" * 1_001 + "</row>")),
    "50,001 rows": lambda: workbook(sheet_xml("".join(
        f'<row r="{n}"><c><v>{n}</v></c></row>' for n in range(1, 50_002)))),
    "cell of 32,768 characters": lambda: workbook(sheet_xml(
        '<row r="1"><c t="inlineStr"><is><t>' + "x" * 32_768 + "</t></is></c></row>")),
}


def median_ms(action, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def refuse(content: bytes) -> str:
    try:
        read_table(content, "bomb.xlsx")
    except FileProblem as problem:
        return str(problem)
    return "NOT REFUSED"


def honest_workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Week commencing", "Numerator", "Denominator", "Note"])
    for n in range(rows):
        sheet.append([date(2024, 1, 1) + timedelta(weeks=n % 100), n % 20, 20, f"note {n}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    print(f"{'refused file':28} {'file KB':>8} {'unpacked MB':>12} {'refusal ms':>11}  message")
    for name, build in BOMBS.items():
        content = build()
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist()) / 2**20
        message = refuse(content)
        print(f"{name:28} {len(content) / 1024:8.0f} {unpacked:12.1f} "
              f"{median_ms(lambda c=content: refuse(c)):11.1f}  {message[:60]}")
    print(f"\n{'honest workbook':28} {'checks ms':>10} {'whole read ms':>14} {'checks/read':>12}")
    for rows in (1_000, 10_000, 50_000 - 1):
        content = honest_workbook(rows)
        checks = median_ms(lambda c=content: open_archive(c).close(), 3)
        whole = median_ms(lambda c=content: read_table(c, "data.xlsx"), 3)
        print(f"{f'{rows:,} rows':28} {checks:10.0f} {whole:14.0f} {checks / whole:12.2f}")
    if "--unguarded" in sys.argv:
        small = wide_row_bomb(300_000)
        started = time.perf_counter()
        book = load_workbook(io.BytesIO(small), read_only=True)
        sum(1 for _ in book.worksheets[0].iter_rows(values_only=True, max_col=60))
        print(f"\nopenpyxl alone on a row of 300,000 cells ({len(small) // 1024} KB): "
              f"{1000 * (time.perf_counter() - started):.0f} ms")


if __name__ == "__main__":
    main()
