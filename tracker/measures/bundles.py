"""All-or-none bundles: a composite measure (DrEaMing) and its parts (Drink, Eat, Mobilise).

The rule, kept by every path that writes a bundle's numbers (the grid, the file import, the
ward tally and its undo): for one site and one week (or month), the bundle and each part that
has numbers describe the same patients, so
  - they have the same denominator (the eligible patients);
  - no more patients met the whole bundle than met any one part;
  - once every part has numbers, no fewer met the bundle than the parts force: a patient who
    missed the bundle missed at least one part, so bundle ≥ Σ parts − (parts − 1) × patients.
A number that contradicts the others is refused, with a message next to its cell; clearing a
number is always allowed (it only relaxes the rule), so a contradictory week can be mended.

Why not derive the bundle's numbers from its parts? All-or-none cannot be computed from the
parts' totals: 18, 15 and 16 of 20 fit anything from 9 to 15 patients meeting all three. Only
counting patient by patient knows, which is what the tally does: it adds each patient to the
bundle and to every part, so it keeps the rule by itself, but only on a week whose numbers
already agree and cover the bundle and all its parts (or nothing yet).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ..extensions import db
from ..models import Measure, MeasureValue
from .entries import Entry
from .periods import unit

Numbers = tuple[int, int]  # (numerator, denominator) of one measure in one period


@dataclass(frozen=True)
class Bundle:
    """A composite and its parts that can be compared week by week (proportions of the same
    frequency); `odd` counts the parts that cannot (another kind or frequency)."""

    composite: Measure
    components: tuple[Measure, ...]
    odd: int = 0

    @property
    def period(self) -> str:
        """'week' or 'month': what the bundle's messages call one period."""
        return unit(self.composite.frequency)

    @property
    def members(self) -> tuple[Measure, ...]:
        return (self.composite, *self.components)

    @property
    def parts_named(self) -> str:
        return _and([c.name for c in self.components])


def bundle_of(measure: Measure) -> Bundle | None:
    """The bundle the measure belongs to, as its composite or as a part (None: no bundle)."""
    composite = measure
    if measure.composite_id is not None:
        composite = db.session.get(Measure, measure.composite_id)
    if composite is None or composite.deleted_at is not None or not composite.is_proportion:
        return None
    parts = db.session.execute(
        db.select(Measure).where(Measure.composite_id == composite.id,
                                 Measure.deleted_at.is_(None))
        .order_by(Measure.position, Measure.name)
    ).scalars().all()
    return _assembled(composite, parts, measure)


def _assembled(composite: Measure, parts: Sequence[Measure], measure: Measure) -> Bundle | None:
    fit = tuple(p for p in parts if p.is_proportion and p.frequency == composite.frequency)
    bundle = Bundle(composite, fit, len(parts) - len(fit))
    # A part of another kind or frequency has no week to compare: it is outside the rule.
    return bundle if fit and measure in bundle.members else None


def tally_bundle(measure: Measure) -> Bundle | None:
    """The bundle `measure` heads, when the ward tally can count it patient by patient: every
    part a proportion of the same frequency (None otherwise)."""
    bundle = bundle_of(measure)
    if bundle is None or bundle.composite.id != measure.id or bundle.odd:
        return None
    return bundle


def tally_heads(live: Iterable[Measure]) -> set[int]:
    """The ids of the measures `tally_bundle` opens a tally for, among `live`: every measure
    not deleted of the collaboratives concerned. No query (for lists of measures)."""
    live = list(live)
    parts: dict[int, list[Measure]] = {}
    for m in live:
        if m.composite_id is not None and m.deleted_at is None:
            parts.setdefault(m.composite_id, []).append(m)
    heads = set()
    for m in live:
        if m.id in parts and m.deleted_at is None and m.is_proportion:
            ordered = sorted(parts[m.id], key=lambda p: (p.position, p.name))
            bundle = _assembled(m, ordered, m)
            if bundle is not None and not bundle.odd:
                heads.add(m.id)
    return heads


def stored(bundle: Bundle, site_ids: Iterable[int], periods: Sequence[date], *,
           skip: Measure | None = None) -> dict[tuple[int, date], dict[int, Numbers]]:
    """The members' stored numbers per (site, period), in one query; `skip` leaves one out."""
    if not periods:
        return {}
    ids = [m.id for m in bundle.members if skip is None or m.id != skip.id]
    rows = db.session.execute(
        db.select(MeasureValue.measure_id, MeasureValue.site_id, MeasureValue.period_start,
                  MeasureValue.numerator, MeasureValue.denominator)
        .where(MeasureValue.measure_id.in_(ids), MeasureValue.site_id.in_(set(site_ids)),
               MeasureValue.period_start.between(min(periods), max(periods)),
               MeasureValue.numerator.is_not(None), MeasureValue.denominator.is_not(None))
    ).all()
    out: dict[tuple[int, date], dict[int, Numbers]] = {}
    for measure_id, site_id, period, num, den in rows:
        out.setdefault((site_id, period), {})[measure_id] = (num, den)
    return out


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _of(m: Measure, n: Numbers) -> str:
    return f"{m.name} {n[0]} of {n[1]}"


def contradiction(bundle: Bundle, week: dict[int, Numbers],
                  changed: Measure) -> tuple[str, str] | None:
    """(the cell to blame, why) when `changed`'s numbers in `week` contradict the others'.

    `week` maps member ids to their numbers for one site and period; a member without
    numbers is left out (so clearing never contradicts).
    """
    if changed.id not in week:
        return None
    num, den = week[changed.id]
    others = [(m, week[m.id]) for m in bundle.members if m.id != changed.id and m.id in week]
    for m, (_, their_den) in others:
        if their_den != den:
            return "denominator", (f"The bundle and its parts count the same patients: "
                                   f"{m.name} has {their_den} this {bundle.period}, not {den}.")
    top = bundle.composite
    if changed.id == top.id:
        fewer = [(m, n) for m, n in others if n[0] < num]
        if fewer:
            m, (least, _) = min(fewer, key=lambda pair: pair[1][0])
            return "numerator", (f"Only {least} of {den} patients met {m.name} this "
                                 f"{bundle.period}, so no more than {least} can have met the "
                                 f"whole {top.name} bundle.")
    elif top.id in week and week[top.id][0] > num:
        met = week[top.id][0]
        return "numerator", (f"{met} of {den} patients met the whole {top.name} bundle this "
                             f"{bundle.period}, so at least {met} met {changed.name}.")
    if top.id in week and all(c.id in week for c in bundle.components):
        floor = sum(week[c.id][0] for c in bundle.components) - (
            len(bundle.components) - 1) * den
        if week[top.id][0] < floor:
            parts = _and([_of(c, week[c.id]) for c in bundle.components])
            return "numerator", (f"With {parts} this {bundle.period}, at least {floor} patients "
                                 f"met all of them, so {top.name} cannot be "
                                 f"{week[top.id][0]} of {den}.")
    return None


def refusals(bundle: Bundle, measure: Measure,
             entries: Iterable[Entry]) -> dict[tuple[int, date], tuple[str, str]]:
    """The entries of `measure` that contradict the rest of its bundle, by (site, period):
    (the cell to blame, why). One query however many entries."""
    typed = [e for e in entries if e.numerator is not None and e.denominator is not None]
    others = stored(bundle, {e.site_id for e in typed}, [e.period for e in typed], skip=measure)
    out = {}
    for e in typed:
        week = {**others.get((e.site_id, e.period), {}), measure.id: (e.numerator, e.denominator)}
        found = contradiction(bundle, week, measure)
        if found:
            out[(e.site_id, e.period)] = found
    return out


def first_contradiction(bundle: Bundle, week: dict[int, Numbers]) -> str:
    """Why a week's numbers disagree ('' when they agree)."""
    for m in bundle.members:
        found = contradiction(bundle, week, m)
        if found:
            return found[1]
    return ""


def tally_problem(bundle: Bundle, week: dict[int, Numbers]) -> str:
    """Why a patient cannot be tallied onto a week holding these numbers ('' when one can)."""
    have = [m for m in bundle.members if m.id in week]
    if not have:
        return ""
    if len(have) < len(bundle.members):
        missing = _and([m.name for m in bundle.members if m.id not in week])
        return (f"This {bundle.period}'s numbers were entered for {_and([m.name for m in have])} "
                f"only "
                f"({_and([_of(m, week[m.id]) for m in have])}), so a patient tallied here "
                f"could not be counted in {missing} as well. Ask whoever entered them to add "
                f"the {bundle.period}'s {missing} in the data grid (or to clear the "
                f"{bundle.period}), then tally "
                "again.")
    problem = first_contradiction(bundle, week)
    if problem:
        return (f"This {bundle.period}'s numbers disagree: {problem} Correct them in the data "
                "grid, then tally again.")
    return ""
