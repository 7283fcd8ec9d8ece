"""Issue 16 in the demo: check-ins on every adopted change, one site that sustained its change
and one that slipped after adopting, and six months of progress scores per site. No draws from
the RNG: adding this phase changes no other row."""

from datetime import date, timedelta

from ..extensions import db
from ..models import (
    CheckAnswer,
    Decision,
    ProgressScore,
    ProgressScoreRevision,
    SustainCheck,
)
from ..sustain.watch import DEFAULT_MONTHS, add_months
from . import bulk
from .context import Context, Profile

SUSTAINED_NOTE = "Still part of every shift's routine; new starters learn it at induction."
SLIPPED_NOTES = {1: "Going well on days.",
                 3: "Slipped on nights since the ward manager left; back to old habits.",
                 6: "Not happening any more: we need to re-launch it."}
MONTHS_SCORED = 6


def sustain(ctx: Context) -> str:
    keyed = [p for p in ctx.profiles if p.key]
    sustained = keyed[0].site if keyed else None
    slipped = keyed[1].site if len(keyed) > 1 else None
    checks = []
    for cycle in sorted(ctx.cycles, key=lambda c: c.id):
        if cycle.decision != Decision.ADOPT or cycle.deleted_at is not None:
            continue
        adopted_on = cycle.updated_at.date()
        who = cycle.author
        for months in DEFAULT_MONTHS:
            due = add_months(adopted_on, months)
            row = {"cycle_id": cycle.id, "adopted_on": adopted_on, "months": months,
                   "due_on": due, "answer": None, "note": "", "answered_by_id": None,
                   "answered_at": None, "announced_at": None, "created_at": cycle.updated_at}
            if due <= ctx.today and cycle.site in (sustained, slipped):
                story = cycle.site is sustained
                answer = CheckAnswer.YES if story or months == 1 else (
                    CheckAnswer.PARTLY if months == 3 else CheckAnswer.NO)
                row.update(answer=answer.value,
                           note=SUSTAINED_NOTE if story else SLIPPED_NOTES[months],
                           answered_by_id=who.id, answered_at=ctx.at(due + timedelta(days=2)),
                           announced_at=ctx.at(due, 7))
            checks.append(row)
    bulk.insert(SustainCheck.__table__, checks)
    scores = _scores(ctx, sustained, slipped)
    return (f"Planned {len(checks):,} check-ins on adopted changes; "
            f"{scores:,} monthly progress scores.")


def _months(today: date) -> list[date]:
    first, out = today.replace(day=1), []
    for _ in range(MONTHS_SCORED):
        out.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return out[::-1]


def _story(profile: Profile, j: int, sustained, slipped) -> tuple[float, str]:
    """The score a site gave itself in its j-th month shown (0: the oldest)."""
    if profile.site is slipped:
        path = [1.5, 2.0, 3.0, 3.5, 3.5, 3.0]
        note = ("The measure has fallen since we adopted; check-ins say the change is slipping."
                if j == MONTHS_SCORED - 1 else "")
        return path[j], note
    if profile.site is sustained:
        return [2.0, 3.0, 3.5, 4.0, 4.5, 4.5][j], ("Sustained for months at the goal."
                                                   if j >= 4 else "")
    if profile.key:
        return min(1.5 + 0.5 * j, 4.0), ""
    if not profile.cycles:
        return 1.0, ""
    top = 2.0 if profile.stopped_weeks > 8 else 2.5
    return min(1.0 + 0.5 * j, top), ""


def _scores(ctx: Context, sustained, slipped) -> int:
    months = _months(ctx.today)
    rows = []
    for profile in ctx.profiles:
        lead = profile.team[0]  # the first of every team is its site lead (people.toml)
        for j, month in enumerate(months):
            score, note = _story(profile, j, sustained, slipped)
            at = ctx.at(min(month + timedelta(days=27), ctx.today), 16)
            rows.append(ProgressScore(site_id=profile.site.id, month=month, score=score,
                                      note=note, set_by_id=lead.id, created_at=at,
                                      updated_at=at))
    db.session.add_all(rows)
    db.session.flush()
    db.session.add_all([ProgressScoreRevision(score_id=r.id, score=r.score, note=r.note,
                                              user_id=r.set_by_id, created_at=r.created_at)
                        for r in rows])
    db.session.flush()
    return len(rows)
