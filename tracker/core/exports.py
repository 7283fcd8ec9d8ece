"""Spreadsheet-safe exports: cells that a spreadsheet would run as formulas are neutralised."""

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text, prefixed with ' if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def download_name(*parts: str) -> str:
    """A file name for downloads made of `parts`: letters, digits and dashes only."""
    words = " ".join(parts).lower()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in words).split())[:80]
