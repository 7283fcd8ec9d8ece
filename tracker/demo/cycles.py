"""Ramps of linked PDSA cycles per site, each written as far as its stage."""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..models import Cycle, CycleQuestion, Decision, Stage, User, Visibility
from . import bulk
from .context import Context, Draft, Profile, draft
from .tables import (
    DEVIATIONS,
    LADDER,
    MINOR_PROBLEMS,
    ONE_PATIENT,
    ONE_PATIENT_PROBLEM,
    TEMPLATES,
    WORDING,
    Template,
)

OPEN_STAGES = (Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT)
STAGE_ORDER = (Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT, Stage.COMPLETE)


@dataclass(frozen=True)
class _Ramp:
    """Who tests which change at a site, and how the ramp's last cycle ends."""

    profile: Profile
    template: Template
    author: User
    helper: User
    rungs: list[int]  # positions on the ladder, one per cycle
    final: Stage
    decision: Decision | None


def cycles(ctx: Context) -> str:
    """Ramps of cycles per site; adopted key changes end just before the site's step change."""
    rng, ramps = ctx.rng, 0
    for i, profile in enumerate(ctx.profiles):
        lengths = _ramp_lengths(rng, profile.cycles)
        others = [t for t in TEMPLATES if t is not profile.key]
        chosen = ([profile.key] if profile.key else []) + rng.sample(
            others, min(len(lengths), len(others)))
        chosen += [rng.choice(others) for _ in range(len(lengths) - len(chosen))]
        authors = profile.team[5:6] + profile.team[1:5] + profile.team[6:] + profile.team[:1]
        for r, (template, length) in enumerate(zip(chosen, lengths, strict=False)):
            author, helper = authors[(r + i) % len(authors)], authors[(r + i + 1) % len(authors)]
            # The last ramp is still going (a busy team has two on the go), unless it stopped.
            is_open = r >= len(lengths) - (2 if profile.cycles >= 12 else 1)
            is_open = is_open and not profile.stopped_weeks
            _ramp(ctx, profile, template, length, is_open, author, helper)
            ramps += 1
    bulk.insert_cycles(ctx)
    stages = {s: sum(c.stage == s for c in ctx.cycles) for s in STAGE_ORDER}
    summary = ", ".join(f"{n} {s.value}" for s, n in stages.items())
    return f"Created {len(ctx.cycles)} PDSA cycles in {ramps} ramps ({summary})."


def _ramp_lengths(rng: random.Random, total: int) -> list[int]:
    """Split a site's cycles into ramps of 2-5 linked cycles."""
    lengths = []
    while total:
        n = min(rng.randint(2, 5), total)
        if total - n == 1:
            n = n + 1 if n < 5 else n - 1
        lengths.append(n)
        total -= n
    return lengths


def _ramp(ctx: Context, profile: Profile, template: Template, length: int, is_open: bool,
          author: User, helper: User) -> None:
    """One ramp: a site's key change (adopted), an open one near today, or a finished one."""
    rng = ctx.rng
    final, decision, top, end = _ending(ctx, profile, template, length, is_open)
    pool = range(top) if length > 2 else range(min(top, 4))  # the first test is small
    rungs = sorted(rng.sample(pool, length - 1)) + [top]
    spans = []
    for rung in reversed(rungs):
        spans.append((end - timedelta(days=LADDER[rung].days - 1), end))
        end = min(spans[-1][0] - timedelta(days=rng.randint(3, 8)), ctx.today - timedelta(days=2))
    ramp = _Ramp(profile, template, author, helper, rungs, final, decision)
    previous = None
    for k, span in enumerate(reversed(spans)):
        previous = _cycle(ctx, ramp, k, span, previous)
    if final == Stage.PLAN:
        previous.visibility = Visibility.SITE  # a draft not yet shared


def _ending(ctx: Context, profile: Profile, template: Template, length: int,
            is_open: bool) -> tuple[Stage, Decision | None, int, date]:
    """The last cycle's stage, decision, rung on the ladder and end date."""
    rng, final = ctx.rng, Stage.COMPLETE
    if template is profile.key and profile.step_week:
        decision, top = Decision.ADOPT, rng.choice((4, 5))
        end = ctx.weeks[profile.step_week] - timedelta(days=3)  # the Friday before the step
    elif is_open:
        final, decision = OPEN_STAGES[ctx.open_ramps % 4], None
        ctx.open_ramps += 1
        top = rng.randint(max(length - 1, 2), 5)
        end = ctx.today + timedelta(days={Stage.PLAN: 7 + LADDER[top].days,
                                          Stage.DO: LADDER[top].days // 2,
                                          Stage.STUDY: -3, Stage.ACT: -8}[final])
    else:  # adopted after the step at an improving site, else given up; all while still active
        high = min(len(ctx.weeks) - 4, profile.last_week(len(ctx.weeks)) - 1)
        low = (profile.step_week + 3 if profile.key and profile.step_week
               else 18 * 52 // len(ctx.weeks))
        decision = Decision.ADOPT if profile.key else Decision.ABANDON
        top = rng.randint(max(length - 1, 4 if profile.key else 2), 5)
        end = ctx.weeks[rng.randint(min(low, high), high)] + timedelta(days=4)
    return final, decision, top, end


def _day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _cycle(ctx: Context, ramp: _Ramp, k: int, span: tuple[date, date],
           previous: Draft | None) -> Draft:
    """One cycle, filled in as far as its stage: Plan always, then Do, Study and Act."""
    rng, template, rung = ctx.rng, ramp.template, LADDER[ramp.rungs[k]]
    last = k == len(ramp.rungs) - 1
    stage = ramp.final if last else Stage.COMPLETE
    reached = STAGE_ORDER.index(stage)
    start, end = span
    # Act of one cycle informs Plan of the next: the next is written when the last one closes.
    created = previous.updated_at if previous else ctx.at(start - timedelta(rng.randint(3, 10)))
    # Only a test on a whole ward or more is adopted; smaller ones still have to grow.
    outcome = (ramp.decision if last else Decision.ADAPT) or (
        rng.choice((Decision.ADOPT, Decision.ADAPT)) if ramp.rungs[k] >= 4 else Decision.ADAPT)
    predicted = min(95, template.prediction + 5 * k)
    seen = {Decision.ADOPT: predicted + rng.randint(0, 10),  # all three draws, always
            Decision.ADAPT: predicted - rng.randint(5, 20),
            Decision.ABANDON: predicted - rng.randint(20, 35)}[outcome]
    hits = round(rung.patients * min(100, max(0, seen)) / 100)
    words = _words(ramp, k, predicted, hits)
    cycle = draft(
        Cycle, site=ramp.profile.site, idea=ctx.ideas[template.idea], author=ramp.author,
        previous=previous, title=f"{template.short}, cycle {k + 1} ({words['scale']})",
        stage=stage, visibility=Visibility.COLLABORATIVE,
        objective=WORDING["objective"].format(**words),
        plan_who=WORDING["who"].format(**words), plan_what=template.what,
        plan_where=rung.where.format(ward=ramp.profile.ward),
        plan_when=_day(start) + (f" to {_day(end)}" if rung.days > 1 else ""),
        scale_amount=rung.amount, scale_unit=rung.unit, version=reached + 1, created_at=created,
        data_plan=WORDING["data_plan"].format(**words),
        measures=[ctx.measures[key] for key in template.measures], questions=[])
    cycle.questions = _questions(ramp, k, outcome, reached, words)
    moves = [created, *_write_up(ctx, cycle, reached, outcome, span, words)]
    if stage == Stage.COMPLETE:
        moves.append(moves[-1])  # closed as the decision was recorded
        cycle.completed_at = moves[-1]  # as its revision to Complete records it
    cycle.updated_at = moves[-1]
    ctx.cycles.append(cycle)
    ctx.moves[cycle] = [(when, ramp.author if n % 2 == 0 else ramp.helper)
                        for n, when in enumerate(moves)]
    return cycle


def _words(ramp: _Ramp, k: int, predicted: int, hits: int) -> dict[str, Any]:
    """The values the cycle's wording is filled in with."""
    rung, template, author, helper = (LADDER[ramp.rungs[k]], ramp.template, ramp.author,
                                      ramp.helper)
    seen = round(100 * hits / rung.patients)
    later = (LADDER[ramp.rungs[k + 1]] if k + 1 < len(ramp.rungs)
             else LADDER[min(ramp.rungs[k] + 1, 5)])
    return {
        "change": template.short.lower(), "outcome": template.outcome,
        "happened": template.happened, "problem": template.problem,
        "learning": template.learning, "adapt": template.adapt,
        "scale": _plural(rung.amount, rung.unit), "next_scale": _plural(later.amount, later.unit),
        "author": author.name, "author_profession": author.profession.label.lower(),
        "helper": helper.name, "helper_profession": helper.profession.label.lower(),
        "ward": ramp.profile.ward, "patients": _plural(rung.patients, "patient"),
        "days": _plural(rung.days, "day"), "count": rung.patients, "predicted": predicted,
        "seen": seen, "hits": hits,
        "versus": WORDING["versus"].format(seen=seen, predicted=predicted)
        if rung.patients > 1 else "",
        "adopted_on": ramp.profile.ward if ramp.rungs[k] < 5 else WORDING["all_wards"],
    }


def _questions(ramp: _Ramp, k: int, outcome: Decision, reached: int,
               words: dict[str, Any]) -> list[Draft]:
    """The cycle's questions with predictions, and from Study on their results."""
    questions = [draft(CycleQuestion, question=ramp.template.q2, prediction=ramp.template.p2)]
    if words["count"] > 1:  # a percentage of one patient predicts nothing
        questions.insert(0, draft(
            CycleQuestion,
            question=WORDING["proportion_question"].format(**words),
            prediction=WORDING["proportion_prediction"].format(**words),
            prediction_value=words["predicted"]))
    if ramp.rungs[k] >= 3:
        questions.append(draft(CycleQuestion, question=WORDING["harm_question"],
                               prediction=WORDING["harm_prediction"]))
    for position, question in enumerate(questions):
        question.position = position
        if reached >= 2:
            _result(question, outcome, ramp.template, words)
    return questions


def _result(question: Draft, outcome: Decision, template: Template,
            words: dict[str, Any]) -> None:
    """Study: the result beside the prediction, and whether the prediction held."""
    if question.prediction_value is not None:
        question.result = WORDING["proportion_result"].format(**words)
        question.result_value = words["seen"]
        question.prediction_held = words["seen"] >= question.prediction_value
    elif question.question != template.q2:
        question.result, question.prediction_held = WORDING["harm_result"], True
    elif words["count"] == 1:
        question.result = WORDING["too_early"]
    else:
        held = outcome == Decision.ADOPT
        question.result = WORDING["as_predicted"] if held else template.problem
        question.prediction_held = held


def _write_up(ctx: Context, cycle: Draft, reached: int, outcome: Decision,
              span: tuple[date, date], words: dict[str, Any]) -> list[datetime]:
    """Do, Study and Act as far as the cycle has reached; when it moved to each stage."""
    rng, (start, end), moves = ctx.rng, span, []
    if reached >= 1:
        cycle.do_started_on = start
        happened = (WORDING["tested"].format(**words) if words["count"] > 1 else ONE_PATIENT)
        cycle.do_what_happened = (happened if reached >= 2
                                  else WORDING["under_way"].format(**words))
        cycle.do_problems = (rng.choice(MINOR_PROBLEMS) if outcome == Decision.ADOPT
                             else words["problem"] if words["count"] > 1
                             else ONE_PATIENT_PROBLEM)
        cycle.do_deviations = rng.choice(DEVIATIONS)
        moves.append(ctx.at(start, 16))
    if reached >= 2:
        cycle.do_ended_on = end
        cycle.study_learning = WORDING["learning"][outcome].format(**words)
        moves.append(ctx.at(end + timedelta(days=1), 15))
    if reached >= 3:
        cycle.decision = outcome
        cycle.act_next_steps = WORDING["next_steps"][outcome].format(**words)
        moves.append(ctx.at(end + timedelta(days=rng.randint(1, 2)), 16))
    return moves
