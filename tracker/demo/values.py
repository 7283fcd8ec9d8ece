"""Weekly measure values per site, simulated patient by patient, entered as each team does."""

from datetime import date, datetime, timedelta
from math import sqrt

from ..models import DataKind, MeasureValue
from . import bulk
from .context import Context, Profile
from .tables import GAP_NOTE, STEP_NOTE

COMPONENTS = ("drink", "eat", "mobilise")


def rates(profile: Profile, week: int) -> dict[str, float]:
    """Chance that one patient drinks, eats, mobilises within 24 h: eat and mobilise weakest."""
    weak = (profile.baseline / 0.93) ** 0.5
    chances = {"drink": 0.93, "eat": min(0.97, weak * 1.03), "mobilise": weak / 1.03}
    if profile.key and profile.step_week is not None and week >= profile.step_week:
        lift = {"drink": 0.04, "eat": 0.05, "mobilise": 0.05, profile.key.boost: 0.16}
        if profile.key.boost == "drink":
            lift["eat"] = 0.12  # drinking early is what gets patients eating early
        chances = {c: min(0.97, rate + lift[c]) for c, rate in chances.items()}
    return chances


def values(ctx: Context) -> str:
    """Weekly data per site, simulated patient by patient so components fit the bundle; a team
    that enters a batch every few weeks has not entered its latest weeks yet, and a team that
    stopped has nothing since."""
    rows: list[dict[str, object]] = []
    ids = {key: m.id for key, m in ctx.measures.items()}
    for profile in ctx.profiles:
        gap = range(profile.gap_week, profile.gap_week + 3) if profile.gap_week else range(0)
        rates = [(m, ctx.rng.uniform(0.3, 0.9)) for m in profile.local]
        for w, start in enumerate(ctx.weeks[:profile.last_week(len(ctx.weeks)) + 1]):
            # A batch is entered the Monday after its last week; the newest may still be open.
            entered = start + timedelta(weeks=profile.entry_every - (w + 1) % profile.entry_every)
            if w in gap or entered > ctx.today:
                continue
            counts = _week(ctx, profile, w)
            note = ""
            if gap and w == gap.stop:
                note = GAP_NOTE
            elif profile.key and w == profile.step_week:
                note = STEP_NOTE.format(idea=profile.key.idea)
            who = ctx.rng.choice(profile.team[:3]).id
            at = ctx.at(entered, 10 if profile.entry_every == 1 else 15)
            for measure, (num, den) in counts.items():
                rows.append(_row(ids[measure], profile, start, num, den,
                                 note if measure == "dream" else "", who, at))
            n = counts["dream"][1]
            for measure, rate in rates:
                num, den = _local(ctx, measure.data_kind, rate, n)
                rows.append(_row(measure.id, profile, start, num, den, "", who, at))
    bulk.insert(MeasureValue.__table__, rows)
    return f"Created {len(rows):,} weekly measure values over {len(ctx.weeks)} weeks."


def _local(ctx: Context, kind: DataKind, rate: float, n: int) -> tuple[int, int | None]:
    """A site measure's week: a binomial draw by its normal approximation, or a small count."""
    if kind == DataKind.COUNT:
        return ctx.rng.choices((0, 1, 2, 3), (5, 3, 1, 1))[0], None
    spread = sqrt(n * rate * (1 - rate))
    return max(0, min(n, round(ctx.rng.gauss(n * rate, spread)))), n


def _week(ctx: Context, profile: Profile, w: int) -> dict[str, tuple[int, int | None]]:
    """One site's week: (numerator, denominator) per measure key; counts have no denominator."""
    rng, chances = ctx.rng, rates(profile, w)
    n = max(15, min(40, round(rng.gauss(profile.patients, profile.patients * 0.15))))
    met = {"drink": 0, "eat": 0, "mobilise": 0, "dream": 0}
    for _ in range(n):
        done = [c for c in COMPONENTS if rng.random() < chances[c]]
        for c in done:
            met[c] += 1
        met["dream"] += len(done) == 3
    counts: dict[str, tuple[int, int | None]] = {c: (met[c], n) for c in met}
    if ctx.scale.all_series:
        # A change lifts the carbohydrate drink or cuts nausea once adopted if its cycles
        # measure that (the carbohydrate drink and PONV prophylaxis templates).
        stepped = profile.key.measures if profile.key and w >= (profile.step_week or 99) else ()
        elective = sum(rng.random() < 0.7 for _ in range(n))
        carb = 0.8 if "carb" in stepped else 0.45
        ponv = 0.13 if "ponv" in stepped else 0.24
        counts["carb"] = (sum(rng.random() < carb for _ in range(elective)), elective)
        counts["ponv"] = (sum(rng.random() < ponv for _ in range(n)), n)
        counts["falls"] = (rng.choices((0, 1, 2), (6, 3, 1))[0], None)
    return counts


def _row(measure_id: int, profile: Profile, start: date, num: int, den: int | None, note: str,
         entered_by: int, at: datetime) -> dict[str, object]:
    return {"measure_id": measure_id, "site_id": profile.site.id, "period_start": start,
            "numerator": num if den is not None else None, "denominator": den,
            "value": float(num) if den is None else None, "note": note,
            "entered_by_id": entered_by, "updated_at": at}
