"""One period's data as typed or imported: parsing and the validation rules every path shares.

The grid, the tally and the file import all check cells here, so a value is valid (or not)
the same way wherever it comes from. No Flask.
"""

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date

from ..core.args import FIRST_DATE, MAX_INTEGER
from ..models import DataKind, Frequency, Measure, MeasureValue
from . import periods


class CellError(ValueError):
    """A cell that cannot be accepted; the message says why, in words for the user."""


@dataclass(frozen=True)
class Entry:
    """One period's values for one site; all None means "no data" (the value is cleared)."""

    site_id: int
    period: date
    numerator: int | None = None
    denominator: int | None = None
    value: float | None = None
    note: str | None = ""  # None keeps the stored note (an import without a note column)
    # The stamp of the period's data as the grid showed it (None: no check, as in an import).
    base: str | None = None

    @property
    def empty(self) -> bool:
        return self.numerator is None and self.denominator is None and self.value is None


def stamp(numerator: int | None, denominator: int | None, value: float | None,
          note: str | None) -> str:
    """A short fingerprint of one period's data. The grid sends back the one it showed, so a
    save tells a period the user changed from one someone else changed meanwhile."""
    data = [numerator, denominator, None if value is None else float(value), (note or "").strip()]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


def stored_stamp(row: MeasureValue | None) -> str:
    """The stamp of a period's stored data (None: the period has none)."""
    if row is None:
        return stamp(None, None, None, "")
    return stamp(row.numerator, row.denominator, row.value, row.note)


def parse_whole(raw) -> int | None:
    """A non-negative whole number from text or a spreadsheet cell; blank is None."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise CellError("Enter a whole number (0 or more).")
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        text = raw.strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise CellError(f"“{_short(raw)}” is not a number: enter a whole number "
                            "(0 or more).") from None
    if not math.isfinite(number) or number != int(number):
        raise CellError("Enter a whole number (0 or more), without decimals.")
    if number < 0:
        raise CellError("Enter a whole number (0 or more): it cannot be negative.")
    if number > MAX_INTEGER:
        raise CellError(f"Enter a whole number up to {MAX_INTEGER:,}.")
    return int(number)


def parse_decimal(raw) -> float | None:
    """A finite number from text or a spreadsheet cell; blank is None."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise CellError("Enter a number.")
    try:
        number = float(raw.strip().replace(",", "") if isinstance(raw, str) else raw)
    except ValueError:
        raise CellError(f"“{_short(raw)}” is not a number.") from None
    if not math.isfinite(number):
        raise CellError("Enter a number.")
    return number


def _short(raw) -> str:
    text = str(raw).strip()
    return text if len(text) <= 30 else text[:29] + "…"


def period_error(period: date, frequency: Frequency, today: date | None = None) -> str:
    """Why a period cannot hold data ('' when it can): aligned to the frequency, not future,
    not before FIRST_DATE (a year such as 1835 is a typo, and would stretch every chart)."""
    if period < FIRST_DATE:
        return f"{period:%-d %b %Y} is before {FIRST_DATE.year}: check the year."
    if not periods.is_period_start(period, frequency):
        if frequency == Frequency.MONTHLY:
            return f"{period:%-d %b %Y} is not the 1st of a month."
        return f"{period:%-d %b %Y} is not a Monday (weeks start on Mondays)."
    if period > periods.current_period(frequency, today):
        return f"{periods.label(period, frequency)} is in the future."
    return ""


def check_values(measure: Measure, numerator, denominator, value) -> tuple[dict, dict]:
    """Parse one period's cells for the measure's data kind.

    Returns (values, errors): values has numerator/denominator/value; errors maps a cell name
    to a message, so each error can sit next to its own cell.
    """
    parsed = {"numerator": None, "denominator": None, "value": None}
    errors: dict[str, str] = {}
    if measure.data_kind == DataKind.PROPORTION:
        for name, raw in (("numerator", numerator), ("denominator", denominator)):
            try:
                parsed[name] = parse_whole(raw)
            except CellError as error:
                errors[name] = str(error)
        if errors:
            return parsed, errors
        num, den = parsed["numerator"], parsed["denominator"]
        if num is None and den is not None:
            errors["numerator"] = "Enter the numerator too (or clear both)."
        elif den is None and num is not None:
            errors["denominator"] = "Enter the denominator too (or clear both)."
        elif num is not None and num > den:
            errors["numerator"] = (f"The numerator ({num}) is more than the denominator "
                                   f"({den}).")
        return parsed, errors
    parse = parse_whole if measure.data_kind == DataKind.COUNT else parse_decimal
    try:
        parsed["value"] = None if value is None else parse(value)
        if parsed["value"] is not None:
            parsed["value"] = float(parsed["value"])
    except CellError as error:
        errors["value"] = str(error)
    return parsed, errors
