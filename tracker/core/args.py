"""Reading ids, numbers and dates from the query string (and the URL) within what the database
and the calendar can hold, so a hand-typed or hostile value is a missing filter or a 404,
never a 500.

Why bounds at all: SQLite refuses an integer above 2**63 - 1 as a parameter (OverflowError),
PostgreSQL one above 2**31 - 1 where it is compared with an INTEGER column (out of range), and
date arithmetic on 9999-12-31 overflows: an unchecked `?site=` or `?date_to=` reached the
database or `timedelta` and failed there.
"""

import re
from collections.abc import Mapping
from datetime import date

from flask import flash
from wtforms.validators import ValidationError

# The largest whole number an INTEGER column holds (32 bits on PostgreSQL): the models' keys
# and counts are INTEGER.
MAX_INTEGER = MAX_ID = 2**31 - 1
# Dates anyone may mean in a QI project; anything outside is a typo or an attack.
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)


def parse_id(value: object) -> int | None:
    """`value` as a database id (ASCII digits, 1 to MAX_ID), else None."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdecimal()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def to_id(value: object) -> int | None:
    """A WTForms `coerce` for id choices: blank is None, anything not an id is refused."""
    if value is None or value == "":
        return None
    number = parse_id(value)
    if number is None:
        raise ValueError("not an id")
    return number


def arg_id(args: Mapping, name: str, *, note: bool = False) -> int | None:
    """The id in ?name=, or None when absent or not an id (then, with note=True, a flash
    says the filter was ignored)."""
    raw = args.get(name)
    number = parse_id(raw)
    if note and raw and number is None:
        _ignored(name)
    return number


def arg_int(args: Mapping, name: str, default: int, *, low: int, high: int) -> int:
    """The whole number in ?name=, or `default` when absent, not a number or outside low..high."""
    text = str(args.get(name) or "").strip()
    if len(text) > 20 or not re.fullmatch(r"-?[0-9]+", text):
        return default
    number = int(text)
    return number if low <= number <= high else default


def date_in_range(form, field) -> None:
    """A WTForms validator: the date lies between FIRST_DATE and LAST_DATE."""
    if field.data is not None and not FIRST_DATE <= field.data <= LAST_DATE:
        raise ValidationError(f"Choose a date between {FIRST_DATE.year} and {LAST_DATE.year}.")


def _ignored(name: str) -> None:
    flash(f"The “{name}” filter in the address was not understood, so it was ignored.",
          "warning")
