"""Cycle verbs: log, save with conflict detection, move stage, ramp, trash, revisions.

They take model objects and plain values, record a revision for every change, flush and never
commit: the view commits. Every verb that changes a cycle holds it first (see `hold`), so two
people saving at the same moment are taken one after the other: the later one merges or sees
the conflict, never a server error, never a silent overwrite.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import selectinload

from ..core import audit
from ..core.db import hold_rows
from ..extensions import db
from ..models import (
    ChangeIdea,
    Cycle,
    CycleQuestion,
    CycleRevision,
    Decision,
    Measure,
    Site,
    Stage,
    User,
    Visibility,
    utcnow,
)
from ..sustain import watch as sustain_watch
from .followers import tell_followers, tell_followers_of_first_test

TRASH_DAYS = 30
STAGE_ORDER = list(Stage)

# The worksheet as saved in a revision and compared when merging: plain JSON values.
SCALAR_FIELDS = (
    "title", "idea_id", "visibility", "objective", "plan_who", "plan_what", "plan_where",
    "plan_when", "scale_amount", "scale_unit", "data_plan", "do_started_on", "do_ended_on",
    "do_what_happened", "do_problems", "do_deviations", "study_learning", "decision",
    "act_next_steps",
)
MERGED_FIELDS = (*SCALAR_FIELDS, "questions", "measure_ids")
QUESTION_FIELDS = ("question", "prediction", "prediction_value", "result", "result_value",
                   "prediction_held")
DATE_FIELDS = {"do_started_on", "do_ended_on"}
ENUM_FIELDS = {"visibility": Visibility, "decision": Decision, "stage": Stage}


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):  # an Enum member
        return value.value
    return value


def snapshot(cycle: Cycle) -> dict[str, Any]:
    """The cycle's worksheet as plain JSON values."""
    data = {name: _plain(getattr(cycle, name)) for name in SCALAR_FIELDS}
    data["stage"] = cycle.stage.value
    data["questions"] = [{k: getattr(q, k) for k in QUESTION_FIELDS} for q in cycle.questions]
    data["measure_ids"] = sorted(m.id for m in cycle.measures)
    return data


def apply(cycle: Cycle, data: dict[str, Any]) -> None:
    """Set the cycle's worksheet from plain values (a form's, or a revision's snapshot)."""
    for name in (*SCALAR_FIELDS, "stage"):
        if name not in data:
            continue
        value = data[name]
        if value in ("", None):
            value = _empty(name)
        elif name in DATE_FIELDS:
            value = date.fromisoformat(value)
        elif name in ENUM_FIELDS:
            value = ENUM_FIELDS[name](value)
        setattr(cycle, name, value)
    if "questions" in data:
        cycle.questions = [
            CycleQuestion(position=i, **{k: q.get(k) for k in QUESTION_FIELDS})
            for i, q in enumerate(data["questions"])
        ]
        for q in cycle.questions:
            for text in ("question", "prediction", "result"):
                setattr(q, text, getattr(q, text) or "")
    if "measure_ids" in data:
        ids = data["measure_ids"]
        cycle.measures = list(
            db.session.scalars(db.select(Measure).where(Measure.id.in_(ids)))
        ) if ids else []


def _empty(name: str) -> Any:
    return None if name in ("idea_id", "scale_amount", "decision", *DATE_FIELDS) else ""


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def _record(cycle: Cycle, action: str, by: User | None, before: dict[str, Any],
            at: datetime | None = None) -> CycleRevision:
    """Keep the cycle's state after a change (every change bumps the version by one), made
    `at` (now when not given)."""
    db.session.flush()
    if before and _snapshot_at(cycle, cycle.version - 1) == {}:
        # A cycle made outside these verbs (an import, the demo) has no revision for the
        # version being changed: keep it first, so history and merges have their base.
        db.session.add(CycleRevision(cycle_id=cycle.id, version=cycle.version - 1,
                                     action="baseline", snapshot=before, changes={}))
    after = snapshot(cycle)
    revision = CycleRevision(cycle_id=cycle.id, version=cycle.version, action=action,
                             user_id=by.id if by else None, snapshot=after,
                             created_at=at or utcnow(),
                             changes=changes_between(before, after))
    db.session.add(revision)
    db.session.flush()
    return revision


def hold(cycle: Cycle) -> None:
    """Lock the cycle until the transaction ends and re-read it, so what follows sees the
    latest save and nobody else can save in between (core.db.lock says why this way)."""
    # updated_at set to itself: holding is not editing
    hold_rows(Cycle.updated_at, cycle,
              options=(selectinload(Cycle.questions), selectinload(Cycle.measures)))


def log_cycle(
    site: Site, *, by: User, title: str, idea: ChangeIdea | None = None, new_idea_title: str = "",
    objective: str = "", prediction: str = "", scale_amount: int | None = None,
    scale_unit: str = "", **fields: Any,
) -> Cycle:
    """A new cycle in Plan (the quick log); a typed idea title becomes a new idea at the site."""
    if idea is None and new_idea_title.strip():
        idea = ChangeIdea(collaborative_id=site.collaborative_id, origin_site_id=site.id,
                          author_id=by.id, title=new_idea_title.strip())
        db.session.add(idea)
        db.session.flush()
    cycle = Cycle(site_id=site.id, author_id=by.id, title=title, idea_id=idea.id if idea else None,
                  objective=objective, scale_amount=scale_amount, scale_unit=scale_unit,
                  stage=Stage.PLAN, **fields)
    if prediction:
        cycle.questions = [CycleQuestion(position=0, question="What do we expect to happen?",
                                         prediction=prediction)]
    db.session.add(cycle)
    _record(cycle, "created", by, {})
    audit.record("cycle.created", actor=by, obj=cycle, detail=f"{site.name}: {title}"[:200])
    if idea is not None and cycle.visibility == Visibility.COLLABORATIVE:
        tell_followers_of_first_test(cycle, idea, by)
    return cycle


@dataclass
class SaveOutcome:
    saved: bool
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)  # field: base/mine/theirs
    merged: dict[str, Any] = field(default_factory=dict)
    theirs_by: str = ""


def save_worksheet(
    cycle: Cycle, mine: dict[str, Any], *, base_version: int, by: User,
    resolutions: dict[str, str] | None = None,
) -> SaveOutcome:
    """Save the worksheet, merging with anything saved since `base_version`.

    A field changed only by the other person keeps their value; one changed only by this user
    takes theirs; one changed by both (differently) is a conflict and nothing is saved until
    `resolutions` says "mine" or "theirs" for it.
    """
    hold(cycle)
    current = snapshot(cycle)
    resolutions = {k: v for k, v in (resolutions or {}).items() if k in MERGED_FIELDS}
    # "Use theirs" on the conflict page: keep the saved value, whatever the form still holds.
    mine = {**mine, **{k: current[k] for k, v in resolutions.items() if v == "theirs"}}
    if base_version == cycle.version:
        merged, conflicts = {**current, **mine}, {}
    else:
        base = _snapshot_at(cycle, base_version)
        merged, conflicts = dict(current), {}
        for name in MERGED_FIELDS:
            mine_changed = mine.get(name) != base.get(name)
            theirs_changed = current.get(name) != base.get(name)
            if mine_changed and theirs_changed and mine.get(name) != current.get(name):
                choice = resolutions.get(name)
                if choice == "theirs":
                    continue
                if choice != "mine":
                    conflicts[name] = {"base": base.get(name), "mine": mine.get(name),
                                       "theirs": current.get(name)}
                    continue
            if mine_changed:
                merged[name] = mine.get(name)
    if conflicts:
        last = _latest_revision(cycle)
        return SaveOutcome(saved=False, conflicts=conflicts, merged=merged,
                           theirs_by=last.user.name if last and last.user else "someone")
    if merged == current:
        return SaveOutcome(saved=True, merged=merged)
    apply(cycle, merged)
    cycle.version += 1
    _record(cycle, "edited", by, current)
    tell_followers(cycle, current, by)
    sustain_watch.on_decision(cycle, current)
    return SaveOutcome(saved=True, merged=merged)


def _snapshot_at(cycle: Cycle, version: int) -> dict[str, Any]:
    revision = db.session.scalars(
        db.select(CycleRevision).filter_by(cycle_id=cycle.id, version=version)
    ).first()
    return revision.snapshot if revision else {}


def _latest_revision(cycle: Cycle) -> CycleRevision | None:
    return db.session.scalars(
        db.select(CycleRevision).filter_by(cycle_id=cycle.id)
        .order_by(CycleRevision.version.desc()).limit(1)
    ).first()


class StageError(ValueError):
    """A stage move that the worksheet does not allow yet; `field` names the date at fault."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def move_stage(cycle: Cycle, to: Stage, *, by: User, seen: str | None = None,
               started_on: date | None = None, ended_on: date | None = None) -> None:
    """Move forward one stage at a time, or back to any earlier stage (both recorded).

    `seen` is the stage the user's page showed: if someone moved the cycle since, nothing
    moves (StageError), so a click on an old page cannot undo their move. Moving forward to
    Do records `started_on` as the day the test started, to Study `ended_on` as the day it
    ended (StageError with `field` if it ended before it started).
    """
    hold(cycle)
    if seen is not None and seen != cycle.stage:
        raise StageError(f"Someone moved this cycle to {cycle.stage.label} meanwhile, so it "
                         "was not moved: check it and move it again if you still need to.")
    here, there = STAGE_ORDER.index(cycle.stage), STAGE_ORDER.index(to)
    if there > here + 1:
        raise StageError(f"Finish {cycle.stage.label} first: stages move one at a time.")
    if to == Stage.COMPLETE and cycle.decision is None:
        raise StageError("Choose adopt, adapt or abandon in Act before completing the cycle.")
    if there == here:
        return
    before = snapshot(cycle)
    if there == here + 1:
        _record_dates(cycle, to, started_on, ended_on)
    cycle.stage = to
    cycle.version += 1
    now = utcnow()
    if to == Stage.COMPLETE and cycle.completed_at is None:
        cycle.completed_at = now  # the first completion, as its revision records it
    _record(cycle, "stage_back" if there < here else "stage", by, before, now)


def _record_dates(cycle: Cycle, to: Stage, started_on: date | None,
                  ended_on: date | None) -> None:
    if to == Stage.DO and started_on is not None:
        cycle.do_started_on = started_on
        if cycle.do_ended_on is not None and cycle.do_ended_on < started_on:
            cycle.do_ended_on = None  # a test run again after moving back: not ended yet
    if to == Stage.STUDY and ended_on is not None:
        if cycle.do_started_on is not None and ended_on < cycle.do_started_on:
            raise StageError(f"The test cannot end before it started "
                             f"({cycle.do_started_on:%-d %b %Y}).", field="ended_on")
        cycle.do_ended_on = ended_on


def start_next_cycle(cycle: Cycle, *, by: User) -> Cycle:
    """The next cycle of the ramp: same idea and measures, open questions carried over."""
    number = ramp_position(cycle)[0] + 1
    base_title = cycle.title.split(" — cycle ")[0]
    next_cycle = Cycle(
        site_id=cycle.site_id, author_id=by.id, previous_id=cycle.id, idea_id=cycle.idea_id,
        title=f"{base_title} — cycle {number}", stage=Stage.PLAN, visibility=cycle.visibility,
        scale_amount=cycle.scale_amount, scale_unit=cycle.scale_unit,
        objective=cycle.act_next_steps or cycle.objective,
    )
    next_cycle.measures = list(cycle.measures)
    open_questions = [q for q in cycle.questions if q.prediction_held is not True]
    next_cycle.questions = [
        CycleQuestion(position=i, question=q.question, prediction=q.prediction,
                      prediction_value=q.prediction_value)
        for i, q in enumerate(open_questions)
    ]
    db.session.add(next_cycle)
    _record(next_cycle, "created", by, {})
    return next_cycle


def ramp_chain(cycle: Cycle, viewer: User | None = None, *,
               with_questions: bool = False) -> list[Cycle]:
    """The cycles linked to this one through previous/next links, first to last; with a
    viewer, only those the viewer may read (a site's drafts stay with the site)."""
    query = db.select(Cycle).where(Cycle.site_id == cycle.site_id, Cycle.deleted_at.is_(None))
    if with_questions:  # the ramp page shows each cycle's predictions held
        query = query.options(selectinload(Cycle.questions))
    site_cycles = db.session.scalars(query).all()
    by_id = {c.id: c for c in site_cycles}
    children: dict[int, list[Cycle]] = {}
    for c in site_cycles:
        if c.previous_id in by_id:
            children.setdefault(c.previous_id, []).append(c)
    first = cycle
    seen = {first.id}
    while first.previous_id in by_id and first.previous_id not in seen:
        first = by_id[first.previous_id]
        seen.add(first.id)
    chain, todo = [], [first]
    while todo:  # depth-first, oldest branch first: a ramp may fork when a cycle is adapted twice
        node = todo.pop(0)
        chain.append(node)
        todo = sorted(children.get(node.id, []), key=lambda c: c.created_at) + todo
    return chain if viewer is None else readable(chain, cycle, viewer)


def readable(chain: list[Cycle], cycle: Cycle, viewer: User) -> list[Cycle]:
    """Of a ramp (`ramp_chain` without a viewer), the cycles the viewer may read, `cycle`
    itself always."""
    return [c for c in chain if c.id == cycle.id or c.can_view(viewer)]


def ramp_position(cycle: Cycle) -> tuple[int, int]:
    """(this cycle's number in its ramp, the ramp's length)."""
    chain = ramp_chain(cycle)
    return next(i for i, c in enumerate(chain, 1) if c.id == cycle.id), len(chain)


def soft_delete(cycle: Cycle, *, by: User) -> None:
    hold(cycle)
    if cycle.deleted_at is not None:
        return  # deleted by someone else meanwhile: once is enough
    before = snapshot(cycle)
    cycle.deleted_at = utcnow()
    cycle.deleted_by_id = by.id
    cycle.version += 1
    _record(cycle, "deleted", by, before)
    audit.record("cycle.deleted", actor=by, obj=cycle, detail=cycle.title)


def restore(cycle: Cycle, *, by: User) -> None:
    hold(cycle)
    if cycle.deleted_at is None:
        return  # restored by someone else meanwhile
    before = snapshot(cycle)
    cycle.deleted_at = None
    cycle.deleted_by_id = None
    cycle.version += 1
    _record(cycle, "restored", by, before)
    audit.record("cycle.restored", actor=by, obj=cycle, detail=cycle.title)


def restorable_since():
    return utcnow() - timedelta(days=TRASH_DAYS)


def restore_revision(cycle: Cycle, revision: CycleRevision, *, by: User) -> None:
    """Bring back the worksheet's content as it was at `revision` (recorded as a new revision);
    the stage and who can read it stay as they are now."""
    hold(cycle)
    before = snapshot(cycle)
    content = {k: v for k, v in revision.snapshot.items() if k not in ("stage", "visibility")}
    apply(cycle, content)
    cycle.version += 1
    _record(cycle, f"restored version {revision.version}", by, before)
