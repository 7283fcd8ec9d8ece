"""The ward tally's verbs: add one eligible patient to a bundle and to each of its parts, take
a nurse's last patient back off. No identifiers, only yes or no per part. They flush and leave
the commit to the caller; both keep the bundle rule (see `bundles`)."""

from datetime import date

from ..core import audit
from ..extensions import db
from ..models import MeasureValue, MeasureValueChange, Site, TallyEntry, User, utcnow
from .bundles import Bundle, Numbers, first_contradiction, tally_problem
from .services import change_row, hold

UNDO_REFUSED = ("{name} for this {period} was changed since: it cannot be undone automatically. "
                "Correct it in the data grid.")
UNDO_DISAGREES = ("This {period}'s numbers were changed since: taking this patient off would leave "
                  "{name} and its parts disagreeing ({why}), so it cannot be undone "
                  "automatically. Correct them in the data grid.")


class TallyRefused(ValueError):
    """The week's numbers do not let this patient be added or taken off; nothing changed."""


def week_rows(bundle: Bundle, site: Site, period: date) -> dict[int, MeasureValue]:
    """The bundle members' stored rows for the week, by measure id, as stored now."""
    rows = db.session.execute(
        db.select(MeasureValue).where(
            MeasureValue.measure_id.in_([m.id for m in bundle.members]),
            MeasureValue.site_id == site.id, MeasureValue.period_start == period)
        .execution_options(populate_existing=True)
    ).scalars()
    return {r.measure_id: r for r in rows}


def numbers_of(rows: dict[int, MeasureValue]) -> dict[int, Numbers]:
    """The (numerator, denominator) of each row that has both."""
    return {i: (r.numerator, r.denominator) for i, r in rows.items()
            if r.numerator is not None and r.denominator is not None}


def _after(bundle: Bundle, rows: dict[int, MeasureValue],
           deltas: dict[int, Numbers]) -> dict[int, Numbers]:
    """The week's numbers once the deltas are added (TallyRefused if one cannot be)."""
    week = numbers_of(rows)
    for m in bundle.members:
        if m.id not in deltas:
            continue
        num, den = week.get(m.id, (0, 0))
        num, den = num + deltas[m.id][0], den + deltas[m.id][1]
        if num < 0 or den < 0 or num > den:
            raise TallyRefused(UNDO_REFUSED.format(name=m.name, period=bundle.period))
        row = rows.get(m.id)
        if (num, den) == (0, 0) and not (row and row.note):
            week.pop(m.id, None)  # the row goes: no data, as before the first patient
        else:
            week[m.id] = (num, den)
    return week


def _write(bundle: Bundle, site: Site, period: date, rows: dict[int, MeasureValue],
           week: dict[int, Numbers], deltas: dict[int, Numbers], *, by: User,
           source: str) -> None:
    """Store the week's new numbers for the members the deltas touch, logging each change."""
    for m in bundle.members:
        if m.id not in deltas:
            continue
        row = rows.get(m.id)
        num, den = week.get(m.id, (0, 0))
        db.session.add(MeasureValueChange(**change_row(
            m.id, site.id, period, row,
            {"numerator": num, "denominator": den, "note": row.note if row else ""},
            by=by, source=source, batch_id=None)))
        if m.id not in week:
            if row is not None:
                db.session.delete(row)  # the change log keeps what it held
            continue
        if row is None:
            row = MeasureValue(measure_id=m.id, site_id=site.id, period_start=period, note="")
            db.session.add(row)
        row.numerator, row.denominator, row.entered_by_id = num, den, by.id


def _hold(bundle: Bundle) -> None:
    """Hold the bundle's measures until the commit and read their definitions again:
    TallyRefused if one changed kind, frequency or bundle meanwhile (possible while it has no
    data), which the week's numbers were reckoned for."""
    def shape() -> list[tuple]:
        return [(m.id, m.data_kind, m.frequency, m.composite_id) for m in bundle.members]

    seen = shape()
    hold(*bundle.members, again=True)
    if shape() != seen:
        raise TallyRefused("The bundle's measures were changed a moment ago: open the tally "
                           "again.")


def add_tally(bundle: Bundle, site: Site, period: date, results: dict[int, bool], *,
              by: User) -> TallyEntry:
    """One eligible patient: +1 to every denominator, +1 to each part's numerator that was
    met, and to the bundle's when all were. TallyRefused when the week's numbers do not
    cover the whole bundle or disagree (`bundles.tally_problem`)."""
    _hold(bundle)  # two nurses tallying at once: both patients count
    rows = week_rows(bundle, site, period)
    problem = tally_problem(bundle, numbers_of(rows))
    if problem:
        raise TallyRefused(problem)
    met_all = all(results[c.id] for c in bundle.components)
    deltas = {bundle.composite.id: (int(met_all), 1),
              **{c.id: (int(results[c.id]), 1) for c in bundle.components}}
    _write(bundle, site, period, rows, _after(bundle, rows, deltas), deltas, by=by,
           source="tally")
    entry = TallyEntry(measure_id=bundle.composite.id, site_id=site.id, period_start=period,
                       results={str(k): v for k, v in results.items()}, met_all=met_all,
                       created_by_id=by.id)
    db.session.add(entry)
    db.session.flush()
    audit.record("measure.tallied", actor=by, obj=entry,
                 detail=f"{site.name}, {period:%-d %b %Y}: one patient")
    return entry


def last_tally(bundle: Bundle, site: Site, user: User) -> TallyEntry | None:
    """The user's most recent tally at this site that has not been undone."""
    return db.session.execute(
        db.select(TallyEntry)
        .filter_by(measure_id=bundle.composite.id, site_id=site.id, created_by_id=user.id)
        .where(TallyEntry.undone_at.is_(None))
        .order_by(TallyEntry.created_at.desc(), TallyEntry.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def undo_tally(entry: TallyEntry, bundle: Bundle, site: Site, *, by: User) -> None:
    """Take one tallied patient back off the week's numbers; TallyRefused if they were
    changed since so that taking the patient off would leave them wrong or disagreeing."""
    _hold(bundle)
    db.session.refresh(entry)
    if entry.undone_at is not None:
        return  # undone meanwhile (a double click): once is enough
    deltas = {bundle.composite.id: (-int(entry.met_all), -1)}
    for c in bundle.components:
        met = entry.results.get(str(c.id))
        if met is not None:  # a part added to the bundle after this patient was tallied
            deltas[c.id] = (-int(met), -1)
    rows = week_rows(bundle, site, entry.period_start)
    week = _after(bundle, rows, deltas)
    why = first_contradiction(bundle, week)
    if why:
        raise TallyRefused(UNDO_DISAGREES.format(name=bundle.composite.name, period=bundle.period,
                                                 why=why.rstrip(".")))
    _write(bundle, site, entry.period_start, rows, week, deltas, by=by, source="tally_undo")
    entry.undone_at = utcnow()
    db.session.flush()
