"""Verbs on measures and their data. They take model objects and plain values, record every
change, flush, and leave the commit to the caller."""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..core import audit
from ..core.db import analyze_after_bulk, hold_rows, lock
from ..core.versions import at_sites
from ..extensions import db
from ..models import (
    ChartNote,
    ImportBatch,
    Measure,
    MeasureValue,
    MeasureValueChange,
    PhaseBreak,
    PointFlag,
    ReportingPeriod,
    Site,
    SubmittedFigure,
    User,
    utcnow,
)
from . import bundles, summaries
from .entries import Entry, stamp, stored_stamp

MEASURE_FIELDS = ("name", "kind", "definition", "data_kind", "unit", "direction", "target",
                  "frequency", "composite_id", "balances_id", "chart_type", "rule_set",
                  "screen_outliers", "baseline_periods", "position", "data_source",
                  "collected_by", "collection_method")


def snapshot(measure: Measure) -> dict:
    """The definition as plain values, for the audit log's before/after."""
    out = {}
    for name in MEASURE_FIELDS:
        v = getattr(measure, name)
        out[name] = getattr(v, "value", v)
    return out


def definition_stamp(measure: Measure) -> str:
    """A short fingerprint of the definition as saved. The edit form sends back the one it was
    opened with, so a save tells the definition it changed from one someone saved since."""
    return hashlib.sha256(json.dumps(snapshot(measure), sort_keys=True, default=str)
                          .encode()).hexdigest()[:16]


def create_measure(measure: Measure, *, by: User) -> Measure:
    measure.created_by_id = by.id
    db.session.add(measure)
    db.session.flush()
    audit.record("measure.created", actor=by, obj=measure, after=snapshot(measure),
                 detail=measure.name)
    return measure


def delete_measure(measure: Measure, *, by: User) -> None:
    """Soft delete: the definition and all its data stay in the database."""
    measure.deleted_at = utcnow()
    audit.record("measure.deleted", actor=by, obj=measure, detail=measure.name)
    db.session.flush()


def hold(*measures: Measure, again: bool = False) -> None:
    """Lock the measures until the transaction ends: their data is ours to read and change;
    with again=True, read their definitions again too (core.db.hold_rows), for a check against
    them (an edit may change a kind or frequency until the measure has data).

    A period's value row may not exist yet (two people entering the first value of a week
    would both insert it), so the lock is on the measure's row (core.db.lock says why this
    way, and takes them in id order so two holders never deadlock).
    """
    if again:
        hold_rows(Measure.name, *measures)
    else:
        lock(Measure.name, *(m.id for m in measures))


def _existing(measure: Measure, entries: Sequence[Entry]) -> dict[tuple[int, date], MeasureValue]:
    if not entries:
        return {}
    rows = db.session.execute(
        db.select(MeasureValue).where(
            MeasureValue.measure_id == measure.id,
            MeasureValue.site_id.in_({e.site_id for e in entries}),
            MeasureValue.period_start.between(min(e.period for e in entries),
                                              max(e.period for e in entries)),
        ).execution_options(populate_existing=True)  # as stored now, not as read earlier
    ).scalars()
    return {(r.site_id, r.period_start): r for r in rows}


@dataclass(frozen=True)
class Conflict:
    """A period someone else changed since the grid was opened, and what it holds now."""

    site_id: int
    period: date
    stamp: str
    numerator: int | None
    denominator: int | None
    value: float | None
    note: str
    by_id: int | None


class EntryConflict(ValueError):
    """Periods changed by someone else since the grid showed them; nothing was saved."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__(f"{len(conflicts)} period(s) changed by someone else meanwhile.")
        self.conflicts = conflicts


class DefinitionChanged(ValueError):
    """The measure's data kind or frequency changed (an edit, possible until it has data)
    after the entries were checked against them; nothing was saved."""

    def __init__(self) -> None:
        super().__init__("This measure's data kind or frequency was changed a moment ago, so "
                         "nothing was saved: check your numbers against it and save again.")


class BundleConflict(ValueError):
    """Periods whose new numbers contradict the rest of their bundle (see `bundles`); nothing
    was saved. `problems` maps (site id, period) to (the cell to blame, why)."""

    def __init__(self, problems: dict[tuple[int, date], tuple[str, str]]):
        super().__init__(f"{len(problems)} period(s) contradict the rest of the bundle.")
        self.problems = problems


def bundle_refusals(measure: Measure, entries: Sequence[Entry], *,
                    bundle: bundles.Bundle | None = None,
                    existing: dict | None = None) -> dict[tuple[int, date], tuple[str, str]]:
    """The entries that would break the bundle rule if saved, by (site, period).

    Only entries that change a period's numbers are checked: a note added to a week that
    disagreed before this rule existed is still saved.
    """
    bundle = bundle or bundles.bundle_of(measure)
    if bundle is None:
        return {}
    existing = _existing(measure, entries) if existing is None else existing

    def numbers(row: MeasureValue | None) -> tuple:
        return (row.numerator, row.denominator) if row else (None, None)

    changed = [e for e in entries
               if numbers(existing.get((e.site_id, e.period))) != (e.numerator, e.denominator)]
    return bundles.refusals(bundle, measure, changed)


def _changed_by_me(entries: list[Entry], existing: dict) -> list[Entry]:
    """The entries to store: a period left as the grid showed it is skipped (a save made
    since by someone else stays); one that both changed, differently, is an EntryConflict."""
    keep, conflicts = [], []
    for e in entries:
        old = existing.get((e.site_id, e.period))
        if e.base is not None:
            note = (old.note if old else "") if e.note is None else e.note
            mine, theirs = stamp(e.numerator, e.denominator, e.value, note), stored_stamp(old)
            if mine == e.base:
                continue
            if theirs not in (e.base, mine):
                now = (old.numerator, old.denominator, old.value, old.note or "",
                       old.entered_by_id) if old else (None, None, None, "", None)
                conflicts.append(Conflict(e.site_id, e.period, theirs, *now))
        keep.append(e)
    if conflicts:
        raise EntryConflict(conflicts)
    return keep


def change_row(measure_id: int, site_id: int, period: date, old: MeasureValue | None,
            new: dict, *, by: User, source: str, batch_id: int | None) -> dict:
    return {
        "measure_id": measure_id, "site_id": site_id, "period_start": period,
        "old_numerator": old.numerator if old else None,
        "old_denominator": old.denominator if old else None,
        "old_value": old.value if old else None, "old_note": (old.note or "") if old else "",
        "new_numerator": new.get("numerator"), "new_denominator": new.get("denominator"),
        "new_value": new.get("value"), "new_note": new.get("note", ""),
        "source": source, "import_batch_id": batch_id, "changed_by_id": by.id,
        "changed_at": utcnow(),
    }


def save_entries(measure: Measure, entries: Iterable[Entry], *, by: User, source: str,
                 batch: ImportBatch | None = None) -> int:
    """Store each period's values (an empty entry clears the period) and log every change.

    Entries equal to what is stored change nothing, so saving or importing the same data
    twice is harmless. A None note keeps the stored note. Returns how many periods changed.
    Entries with a `base` merge with saves made since (see `_changed_by_me`): EntryConflict,
    and nothing saved, when someone else changed the same period differently.
    DefinitionChanged, and nothing saved, when the measure's kind or frequency changed after
    the entries were checked (the edit that may change them holds the measure too). BundleConflict,
    and nothing saved, when numbers contradict the rest of their bundle (`bundles`).
    """
    bundle = bundles.bundle_of(measure)
    checked = (measure.data_kind, measure.frequency)  # what the entries were checked against
    # The other members' numbers hold still; the measure is read again.
    hold(*(bundle.members if bundle else (measure,)), again=True)
    if (measure.data_kind, measure.frequency) != checked:
        raise DefinitionChanged()
    entries = list(entries)
    existing = _existing(measure, entries)
    entries = _changed_by_me(entries, existing)
    if bundle is not None:
        refused = bundle_refusals(measure, entries, bundle=bundle, existing=existing)
        if refused:
            raise BundleConflict(refused)
    changes, inserts = [], []
    for e in entries:
        old = existing.get((e.site_id, e.period))
        note = (old.note if old else "") if e.note is None else e.note
        new = {"numerator": e.numerator, "denominator": e.denominator, "value": e.value,
               "note": note}
        if old is None and e.empty:
            continue
        if old is not None and (old.numerator, old.denominator, old.value, old.note or "") == (
                e.numerator, e.denominator, e.value, note):
            continue
        changes.append(change_row(measure.id, e.site_id, e.period, old, new, by=by,
                               source=source, batch_id=batch.id if batch else None))
        if e.empty:
            db.session.delete(old)  # the change log keeps what it held
        elif old is None:
            inserts.append({"measure_id": measure.id, "site_id": e.site_id,
                            "period_start": e.period, "entered_by_id": by.id,
                            "updated_at": utcnow(), **new})
        else:
            old.numerator, old.denominator, old.value, old.note = (
                e.numerator, e.denominator, e.value, note)
            old.entered_by_id = by.id
    db.session.flush()
    # Bulk inserts: an import of 10,000 rows must finish in seconds.
    if inserts:
        inserted_at = {row["site_id"] for row in inserts}
        with at_sites(inserted_at):
            db.session.execute(db.insert(MeasureValue), inserts)
        # A bulk insert passes no session hook: the commit must still recompute the charts.
        summaries.touch(db.session(), measure.id, inserted_at)
    if changes:
        with at_sites({row["site_id"] for row in changes}):
            db.session.execute(db.insert(MeasureValueChange), changes)
        if source != "import":  # an import is audited once, as a whole (measure.data_imported)
            sites = sorted({c["site_id"] for c in changes})
            audit.record("measure.data_changed", actor=by, obj=measure,
                         detail=f"{len(changes)} period(s) by {source} at site(s) {sites}",
                         site_id=sites[0] if len(sites) == 1 else None)
    return len(changes)


def set_phase_break(measure: Measure, site: Site, period: date, note: str, *,
                    by: User) -> PhaseBreak:
    """Start a new phase at `period` (a human decision); an existing break there gets the note."""
    hold(measure)  # two people setting the same break at once make one break, not two
    phase = db.session.execute(
        db.select(PhaseBreak).filter_by(measure_id=measure.id, site_id=site.id,
                                        period_start=period)
        .where(PhaseBreak.deleted_at.is_(None))
    ).scalar_one_or_none()
    if phase is None:
        phase = PhaseBreak(measure_id=measure.id, site_id=site.id, period_start=period,
                           created_by_id=by.id)
        db.session.add(phase)
    phase.note = note
    db.session.flush()
    audit.record("measure.phase_set", actor=by, obj=phase,
                 after={"period_start": period.isoformat(), "note": note},
                 detail=f"{measure.name} at {site.name}")
    return phase


def remove_phase_break(phase: PhaseBreak, *, by: User) -> None:
    phase.deleted_at, phase.deleted_by_id = utcnow(), by.id
    audit.record("measure.phase_removed", actor=by, obj=phase,
                 before={"period_start": phase.period_start.isoformat(), "note": phase.note})
    db.session.flush()


def complete_import(measure: Measure, batch: ImportBatch, entries: Sequence[Entry], *,
                    by: User) -> int:
    """Save a confirmed import's entries (all or none: BundleConflict, EntryConflict or
    DefinitionChanged, and nothing saved), mark the batch imported without its file, and
    audit it as a whole. Returns how many periods changed; the caller commits."""
    changed = save_entries(measure, entries, by=by, source="import", batch=batch)
    batch.status, batch.content, batch.confirmed_at = "imported", None, utcnow()
    batch.changed_count = changed
    audit.record("measure.data_imported", actor=by, obj=batch,
                 after={"rows": len(entries), "changed": changed},
                 detail=f"{measure.name}: {batch.filename}")
    return changed


def count_changes(measure: Measure, entries: Sequence[Entry]) -> dict[str, int]:
    """What saving the entries would do: how many periods are new, changed or the same."""
    existing = _existing(measure, entries)
    counts = {"new": 0, "changed": 0, "same": 0}
    for e in entries:
        old = existing.get((e.site_id, e.period))
        if old is None:
            counts["new"] += 1
            continue
        note = old.note or "" if e.note is None else e.note
        same = (old.numerator, old.denominator, old.value, old.note or "") == (
            e.numerator, e.denominator, e.value, note)
        counts["same" if same else "changed"] += 1
    return counts


def analyze_after_import(rows: int) -> None:
    """Fresh planner statistics after a large import (PostgreSQL), once it is committed."""
    analyze_after_bulk(rows, MeasureValue.__table__, MeasureValueChange.__table__)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# An upload left unconfirmed this long is discarded, its file with it.
STALE_IMPORT = timedelta(hours=24)


def discard_stale_imports() -> int:
    """Discard uploads never confirmed nor discarded within STALE_IMPORT, their files with
    them (a file may carry columns the import ignores). Returns how many."""
    return db.session.execute(
        db.update(ImportBatch)
        .where(ImportBatch.status == "pending", ImportBatch.created_at < utcnow() - STALE_IMPORT)
        .values(status="discarded", content=None)
        .execution_options(synchronize_session=False)
    ).rowcount


# A batch still "importing" this long after its confirmation lost its job (a worker killed
# mid-import: its transaction rolled back); the queue's own timeout and retries end sooner.
STUCK_IMPORT = timedelta(hours=1)


def release_stuck_imports() -> list[ImportBatch]:
    """Put the batches whose import job was lost back to "pending", so their user can confirm
    them again (the import was all or nothing: none of it was saved). Returns them."""
    stuck = db.session.scalars(
        db.select(ImportBatch).where(ImportBatch.status == "importing",
                                     ImportBatch.confirmed_at < utcnow() - STUCK_IMPORT)).all()
    released = []
    for batch in stuck:  # one at a time: a job still at work holds its row until it commits
        if db.session.execute(
                db.update(ImportBatch).where(ImportBatch.id == batch.id,
                                             ImportBatch.status == "importing")
                .values(status="pending", confirmed_at=None)
                .execution_options(synchronize_session=False)).rowcount:
            released.append(batch)
    return released


def add_chart_note(measure: Measure, site: Site, on_date: date, text: str, *,
                   by: User) -> ChartNote:
    """Annotate a site's chart of a measure ("new ward manager", "bed crisis")."""
    note = ChartNote(measure_id=measure.id, site_id=site.id, on_date=on_date, text=text,
                     created_by_id=by.id)
    db.session.add(note)
    db.session.flush()
    audit.record("measure.note_added", actor=by, obj=note,
                 after={"on_date": on_date.isoformat(), "text": text},
                 detail=f"{measure.name} at {site.name}")
    return note


def remove_chart_note(note: ChartNote, *, by: User) -> None:
    """Take an annotation off the chart (the row is kept, marked removed)."""
    note.deleted_at, note.deleted_by_id = utcnow(), by.id
    audit.record("measure.note_removed", actor=by, obj=note,
                 before={"on_date": note.on_date.isoformat(), "text": note.text})
    db.session.flush()


def change_point_flag(measure: Measure, site: Site, period: date, kind: str | None,
                      reason: str = "", *, by: User) -> PointFlag | None:
    """Set (kind "excluded" or "astronomical", with the reason) or clear (kind None) the flag
    on one period of a site's chart. The one write path for flags, which change the chart's
    centre and limits: a flag already on the period is cleared (kept, marked removed) before
    a new one is set, and every change is audited."""
    hold(measure)
    current = db.session.execute(
        db.select(PointFlag).filter_by(measure_id=measure.id, site_id=site.id,
                                       period_start=period)
        .where(PointFlag.deleted_at.is_(None))).scalars().all()
    for old in current:
        old.deleted_at, old.deleted_by_id = utcnow(), by.id
        audit.record("measure.point_unflagged", actor=by, obj=old,
                     before={"period_start": period.isoformat(), "kind": old.kind,
                             "reason": old.reason},
                     detail=f"{measure.name} at {site.name}")
    flag = None
    if kind is not None:
        flag = PointFlag(measure_id=measure.id, site_id=site.id, period_start=period,
                         kind=kind, reason=reason, created_by_id=by.id)
        db.session.add(flag)
        db.session.flush()
        audit.record("measure.point_flagged", actor=by, obj=flag,
                     after={"period_start": period.isoformat(), "kind": kind,
                            "reason": reason},
                     detail=f"{measure.name} at {site.name}")
    db.session.flush()
    return flag


def add_reporting_period(period: ReportingPeriod, *, by: User) -> None:
    """Add a reporting period (a ReportingPeriod not yet in the session)."""
    period.created_by_id = by.id
    db.session.add(period)
    db.session.flush()
    audit.record("measure.reporting_period_added", actor=by, obj=period,
                 after={"name": period.name, "measure_id": period.measure_id,
                        "starts_on": period.starts_on.isoformat(),
                        "ends_on": period.ends_on.isoformat(),
                        "threshold": period.threshold, "min_periods": period.min_periods})


def remove_reporting_period(period: ReportingPeriod, *, by: User) -> None:
    period.deleted_at = utcnow()
    audit.record("measure.reporting_period_removed", actor=by, obj=period,
                 before={"name": period.name})
    db.session.flush()


def set_submitted_figure(period: ReportingPeriod, site: Site, value: float, note: str, *,
                         by: User) -> SubmittedFigure:
    """Record (or change) the figure a site submitted elsewhere for a reporting period."""
    row = db.session.execute(db.select(SubmittedFigure).filter_by(
        reporting_period_id=period.id, site_id=site.id)).scalar_one_or_none()
    before = None if row is None else {"value": row.value, "note": row.note}
    if row is None:
        row = SubmittedFigure(reporting_period_id=period.id, site_id=site.id, value=value)
        db.session.add(row)
    row.value, row.note, row.entered_by_id = value, note, by.id
    db.session.flush()
    audit.record("measure.submitted_figure_set", actor=by, obj=row, before=before,
                 after={"value": value, "note": note}, detail=period.name)
    return row
