"""Importing a table of measure data: find the header, map the columns, check every row.

The checks are the grid's (`entries`), so a file is accepted exactly when typing the same
numbers would be. Nothing here writes: `services.save_entries` does, after confirmation.
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from ..core.pid import scan
from ..extensions import db
from ..models import DataKind, Frequency, Measure, Site, User
from . import periods, queries, services
from .entries import CellError, Entry, check_values, period_error
from .transfer import Table, column_letter

ROLES = ("period", "site", "numerator", "denominator", "value", "note")
# Header words, checked in this order; the first role still free wins.
KEYWORDS = (
    ("period", ("period", "week", "month", "date")),
    ("site", ("site", "hospital")),
    ("note", ("note", "comment")),
    ("denominator", ("denominator", "eligible", "total", "audited", "sample", "out of")),
    ("numerator", ("numerator", "met", "achieved", "compliant", "number", "patients", "count")),
    ("value", ("value", "count", "number", "total", "result")),
)
IGNORED = ("%", "percent", "proportion", "rate", "median", "mean", "centre", "limit", "target")
PREFIXES = re.compile(r"^\s*(w/c|wc|w/e|we|week\s+(commencing|beginning|starting|ending))\s*:?\s*",
                      re.IGNORECASE)
DAY_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y",
               "%d-%b-%Y", "%d-%b-%y", "%d %b %y", "%Y/%m/%d")
MONTH_FORMATS = ("%b %Y", "%B %Y", "%Y-%m", "%m/%Y", "%b-%y", "%b-%Y", "%B-%Y")
SAMPLE_ROWS = 12
MAX_LISTED_ERRORS = 1000


@dataclass
class Mapping:
    """Which column (0-based index) holds what; None when the file has no such column."""

    sheet: str = ""
    header_row: int = 1  # 1-based, as a spreadsheet numbers rows
    period: int | None = None
    site: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    value: int | None = None
    note: int | None = None
    dates: str = "start"  # "start": dates are period starts; "within": any day in the period

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "Mapping":
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class Preview:
    entries: list[Entry] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # the file's row number of each entry
    sample: list[tuple[int, Entry]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the mapping as a whole
    skipped: int = 0  # rows with a period but no numbers (a template's future weeks)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems and bool(self.entries)

    def refuse(self, problems: dict[tuple[int, date], tuple[str, str]]) -> None:
        """Turn the entries with a problem, by (site id, period), into their rows' errors:
        (the cell, why), as `services.bundle_refusals` gives them."""
        if not problems:
            return
        kept: list[tuple[int, Entry]] = []
        for number, entry in zip(self.rows, self.entries, strict=True):
            found = problems.get((entry.site_id, entry.period))
            if found:
                self.errors.append((number, f"{found[0].capitalize()}: {found[1]}"))
            else:
                kept.append((number, entry))
        self.errors.sort(key=lambda error: error[0])
        self.rows, self.entries = [n for n, _ in kept], [e for _, e in kept]
        still = set(self.rows)
        self.sample = [(n, e) for n, e in self.sample if n in still]


def _header_role(text: str, measure: Measure, taken: set[str]) -> str | None:
    words = text.strip().lower()
    if not words or any(w in words for w in IGNORED):
        return None
    proportion = measure.data_kind == DataKind.PROPORTION
    for role, keys in KEYWORDS:
        if role in taken or (role == "value" and proportion):
            continue
        if role in ("numerator", "denominator") and not proportion:
            continue
        if any(k in words for k in keys):
            return role
    return None


def guess_mapping(table: Table, measure: Measure) -> Mapping:
    """Find the header row (the first of the top 30 naming a period and most other roles)
    and map its columns by their names; the user checks and corrects this on the preview."""
    best, best_row = (0, {}), 0
    for r, row in enumerate(table.rows[:30]):
        taken: dict[str, int] = {}
        for c, cell in enumerate(row):
            role = _header_role(str(cell), measure, set(taken)) if cell is not None else None
            if role:
                taken[role] = c
        if "period" in taken and len(taken) > best[0]:
            best, best_row = (len(taken), taken), r
    return Mapping(sheet=table.sheet, header_row=best_row + 1, **best[1])


def column_choices(table: Table, header_row: int) -> list[tuple[str, str]]:
    """(value, label) per column, e.g. ('0', 'A: Week commencing')."""
    width = max((len(r) for r in table.rows[:header_row + 50]), default=0)
    header = table.rows[header_row - 1] if 0 < header_row <= len(table.rows) else []
    out = []
    for c in range(width):
        name = header[c] if c < len(header) and header[c] is not None else ""
        out.append((str(c), f"{column_letter(c)}: {str(name).strip()[:40] or '(no heading)'}"))
    return out


def parse_period(cell, frequency: Frequency) -> date:
    """A date from a spreadsheet date cell or text such as 2026-03-02, 02/03/2026 (UK order),
    2 Mar 2026, 'w/c 2 Mar 2026' or, for monthly data, Mar 2026."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = PREFIXES.sub("", str(cell)).strip()
    if not text:
        raise CellError("No period: enter the week's (or month's) date.")
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    formats = DAY_FORMATS + (MONTH_FORMATS if frequency == Frequency.MONTHLY else ())
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(f"“{text[:30]}” is not a date (use e.g. 2026-03-02 or 02/03/2026).")


def _at(row: list, index: int | None):
    return row[index] if index is not None and index < len(row) else None


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def check(table: Table, mapping: Mapping, measure: Measure, *, sites: list[Site],
          default_site: Site, allowed_site_ids: set[int], today: date | None = None) -> Preview:
    """Check every data row below the header; collect the entries a confirmation would save."""
    preview = Preview(problems=_mapping_problems(mapping, measure))
    if preview.problems:
        return preview
    rows = _RowChecker(measure, mapping, {s.name.strip().casefold(): s for s in sites},
                       default_site, allowed_site_ids, today)
    proportion = measure.data_kind == DataKind.PROPORTION
    for number, row in enumerate(table.rows[mapping.header_row:], mapping.header_row + 1):
        cells = [_at(row, getattr(mapping, role)) for role in ROLES]
        if all(_blank(c) for c in cells):
            continue
        value_cells = (cells[2], cells[3]) if proportion else (cells[4],)
        if all(_blank(c) for c in value_cells):
            preview.skipped += 1  # e.g. the future weeks of a run-chart template
            continue
        entry, errors, warnings = rows.check(number, *cells)
        preview.warnings += [(number, w) for w in warnings]
        if errors:
            preview.errors += [(number, e) for e in errors]
            continue
        preview.entries.append(entry)
        preview.rows.append(number)
        if len(preview.sample) < SAMPLE_ROWS:
            preview.sample.append((number, entry))
    if not preview.entries and not preview.errors:
        preview.problems.append("No rows with data were found below the header row.")
    return preview


def check_as(user: User, table: Table, mapping: Mapping, measure: Measure, site: Site
             ) -> tuple[Preview, list[Site]]:
    """What confirming would import for `user` now: `check` against the sites they may import
    for, then against the rest of each bundle as stored now. With the measure's sites the
    user may look at (the preview names them). The preview page and the import job
    (`jobs.import_batch`) both check this way, so a job imports exactly what a page would."""
    sites = db.session.execute(queries.chart_sites(measure, user)).scalars().all()
    preview = check(table, mapping, measure, sites=sites, default_site=site,
                    allowed_site_ids=user.site_ids)
    preview.refuse(services.bundle_refusals(measure, preview.entries))
    return preview, sites


def _mapping_problems(mapping: Mapping, measure: Measure) -> list[str]:
    """What the column choices lack before any row can be read."""
    problems = []
    if mapping.period is None:
        problems.append("Choose the column that holds the period (week or month).")
    if measure.data_kind == DataKind.PROPORTION:
        if mapping.numerator is None or mapping.denominator is None:
            problems.append("Choose the numerator and denominator columns.")
    elif mapping.value is None:
        problems.append("Choose the column that holds the value.")
    return problems


@dataclass
class _RowChecker:
    """Checks one data row at a time, remembering the (site, period) pairs already seen."""

    measure: Measure
    mapping: Mapping
    by_name: dict[str, Site]
    default_site: Site
    allowed_site_ids: set[int]
    today: date | None
    seen: dict[tuple[int, date], int] = field(default_factory=dict)

    def check(self, number: int, period_cell, site_cell, num, den, val,
              note_cell) -> tuple[Entry | None, list[str], list[str]]:
        """(the entry, its errors, its warnings) for one row."""
        period, errors = self._period(period_cell)
        site = self._site(site_cell, errors)
        values, cell_errors = check_values(self.measure, num, den, val)
        errors += [f"{name.capitalize()}: {message}" for name, message in cell_errors.items()]
        note, warnings = self._note(note_cell, errors)
        if period is not None and site is not None:
            key = (site.id, period)
            if key in self.seen:
                errors.append(f"Period: {periods.label(period, self.measure.frequency)} for "
                              f"{site.name} is also in row {self.seen[key]}.")
            else:
                self.seen[key] = number
        entry = None if errors else Entry(site.id, period, note=note, **values)
        return entry, errors, warnings

    def _period(self, cell) -> tuple[date | None, list[str]]:
        frequency = self.measure.frequency
        try:
            period = parse_period(cell, frequency)
        except CellError as error:
            return None, [f"Period: {error}"]
        if self.mapping.dates == "within":
            period = periods.period_start(period, frequency)
        problem = period_error(period, frequency, self.today)
        return period, [f"Period: {problem}"] if problem else []

    def _site(self, cell, errors: list[str]) -> Site | None:
        if self.mapping.site is None or _blank(cell):
            return self.default_site
        site = self.by_name.get(str(cell).strip().casefold())
        if site is None:
            errors.append(f"Site: “{str(cell)[:40]}” is not a site of this collaborative.")
        elif site.id not in self.allowed_site_ids:
            errors.append(f"Site: you are not on the {site.name} team, so you cannot "
                          "import its data.")
        return site

    def _note(self, cell, errors: list[str]) -> tuple[str | None, list[str]]:
        if self.mapping.note is None:
            return None, []
        note = "" if _blank(cell) else str(cell).strip()
        found = scan(note)
        if len(note) > 500:
            errors.append("Note: longer than 500 characters.")
        elif found.refused:
            errors.append("Note: contains what looks like an NHS number. Patient-"
                          "identifiable data must not be imported.")
        elif found.warnings:
            return note, [f"Note: looks like {' and '.join(found.warnings)}."]
        return note, []
