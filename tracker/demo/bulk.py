"""Writing the big tables in bulk: many rows per statement, never one ORM object at a time.

The builder makes cycles and comments as plain (never added) model objects, then writes them
here as rows with ids chosen up front, so a cycle can name its previous cycle and a reply its
comment without a round trip. The search index and the database's own bookkeeping (PostgreSQL's
id sequences and planner statistics) are brought up to date at the end (`finish`).
"""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ..cycles.services import snapshot
from ..extensions import db
from ..feedback import followup as feedback_followup
from ..ideas import statuses as idea_statuses
from ..measures import summaries
from ..models import (
    ChangeIdea,
    Comment,
    Cycle,
    CycleQuestion,
    CycleRevision,
    SearchDocument,
    Stage,
    Visibility,
)
from ..models.cycles import cycle_measure
from ..reports import standing as site_standing
from .context import Context, Draft

CHUNK = 5_000  # rows per statement: large enough to be fast, small enough for any driver

# What each stage adds to a cycle's worksheet: a revision at an earlier stage leaves it out.
STAGE_FIELDS = {
    1: ("do_started_on", "do_what_happened", "do_problems", "do_deviations"),
    2: ("do_ended_on", "study_learning"),
    3: ("decision", "act_next_steps"),
}
STAGES = list(Stage)


def insert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows in chunks of one multi-row statement each."""
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table), rows[start:start + CHUNK])


def first_id(table: sa.Table) -> int:
    """The id the next row of a table should get."""
    return (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def values(obj: Draft, table: sa.Table, **fixed: Any) -> dict[str, Any]:
    """A draft as a row: every column but an id chosen by the database."""
    row = {key: value for key, value in vars(obj).items() if key in table.c}
    if row.get("id") is None:
        row.pop("id", None)
    return {**row, **fixed}


def insert_cycles(ctx: Context) -> None:
    """Every cycle, in the order written (ids run with time, as in a live database), with its
    questions, measures and, when the scale keeps them, a revision per stage move."""
    ordered = sorted(ctx.cycles, key=lambda c: c.created_at)  # stable: ramps stay in order
    for n, cycle in enumerate(ordered, start=first_id(Cycle.__table__)):
        cycle.id = n
        cycle.site_id, cycle.idea_id = cycle.site.id, cycle.idea.id
        cycle.author_id = cycle.author.id
        cycle.previous_id = cycle.previous.id if cycle.previous else None
    # A ramp's first cycle names an earlier site's test of the same idea as inspiration.
    first_by_idea: dict[str, Draft] = {}
    for cycle in ordered:
        earlier = first_by_idea.setdefault(cycle.idea.title, cycle)
        if (cycle.previous is None and earlier.site is not cycle.site and earlier.do_started_on
                and earlier.do_started_on < cycle.created_at.date()):
            cycle.inspired_by_id = earlier.id
    insert(Cycle.__table__, [values(c, Cycle.__table__) for c in ordered])
    insert(CycleQuestion.__table__, [values(q, CycleQuestion.__table__, cycle_id=c.id)
                                     for c in ordered for q in c.questions])
    insert(cycle_measure, [{"cycle_id": c.id, "measure_id": m.id}
                           for c in ordered for m in c.measures])
    if ctx.scale.revisions:
        insert(CycleRevision.__table__, list(_revisions(ctx, ordered)))


def _revisions(ctx: Context, cycles: list[Draft]) -> Iterable[dict[str, Any]]:
    """Created, then one revision per stage the cycle moved to, each with the worksheet then
    and what the move changed: the stage, and what that stage adds."""
    for cycle in cycles:
        final = snapshot(cycle)
        before: dict[str, Any] = {}
        for version, (when, who) in enumerate(ctx.moves[cycle], start=1):
            after = _at_stage(final, version - 1)
            changed = (after if version == 1 else
                       ("stage", *STAGE_FIELDS.get(version - 1, ()),
                        *(("questions",) if version == 3 else ())))
            yield {"cycle_id": cycle.id, "version": version,
                   "action": "created" if version == 1 else "stage", "user_id": who.id,
                   "created_at": when, "snapshot": after,
                   "changes": {k: [before.get(k), after[k]] for k in changed
                               if before.get(k) != after[k]}}
            before = after


def _at_stage(final: dict[str, Any], reached: int) -> dict[str, Any]:
    """The worksheet as it stood when the cycle reached a stage (0: Plan)."""
    data = dict(final, stage=STAGES[reached].value)
    for stage, names in STAGE_FIELDS.items():
        if reached < stage:
            data.update({name: None if name in ("do_started_on", "do_ended_on", "decision")
                         else "" for name in names})
    if reached < 2:
        data["questions"] = [dict(q, result="", result_value=None, prediction_held=None)
                             for q in final["questions"]]
    return data


def insert_comments(ctx: Context) -> None:
    """The comments, with ids chosen up front so a reply names its comment."""
    for n, (_, comment) in enumerate(ctx.comments, start=first_id(Comment.__table__)):
        comment.id = n
    insert(Comment.__table__, [values(c, Comment.__table__, author_id=c.author.id,
                                      parent_id=c.parent.id if c.parent else None,
                                      parent_author_id=c.parent.author.id if c.parent else None,
                                      site_id=None if isinstance(target, ChangeIdea)
                                      else target.site.id)
                               for target, c in ctx.comments])


def finish(ctx: Context) -> str:
    """Index the cycles and comments for search (the ideas were indexed as they were added)
    and move PostgreSQL's id sequences past the ids chosen here."""
    documents = [*_cycle_documents(ctx), *_comment_documents(ctx)]
    insert(SearchDocument.__table__, documents)
    # The values, cycles and comments went in by bulk inserts: no session hook saw them.
    charts = summaries.rebuild_all()
    standings = idea_statuses.rebuild_all()
    sites = site_standing.rebuild_all()
    feedback_followup.rebuild_all()
    if db.session.get_bind().dialect.name == "postgresql":
        for table in (Cycle.__table__, Comment.__table__):
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT MAX(id) FROM {table.name}))"))
    return (f"Indexed {len(documents) + len(ctx.ideas):,} ideas, cycles and comments for "
            f"search; summed up {charts:,} charts, {standings:,} sites' standing with an "
            f"idea and {sites:,} sites' standing.")


# The search index's documents, as search.engine writes them for a cycle and a comment.

def _cycle_documents(ctx: Context) -> Iterable[dict[str, Any]]:
    for c in ctx.cycles:
        text = (c.objective, c.plan_what, c.do_what_happened, c.do_problems, c.study_learning,
                c.act_next_steps)
        yield {"kind": "cycle", "object_id": c.id, "collaborative_id": c.site.collaborative_id,
               "site_id": c.site.id, "site_only": c.visibility == Visibility.SITE,
               "title": c.title, "body": "\n".join(t for t in text if t),
               "updated_at": c.updated_at}


def _comment_documents(ctx: Context) -> Iterable[dict[str, Any]]:
    for target, c in ctx.comments:
        idea = isinstance(target, ChangeIdea)
        yield {"kind": "comment", "object_id": c.id,
               "collaborative_id": target.collaborative_id if idea
               else target.site.collaborative_id,
               "site_id": target.origin_site_id if idea else target.site.id,
               "site_only": not idea and target.visibility == Visibility.SITE,
               "title": "", "body": c.body, "updated_at": c.edited_at or c.created_at}


def statistics(ctx: Context) -> str:
    """The last phase: have the database gather statistics on every table, so that its plans
    fit the data from the start. On both databases: without them SQLite starts some joins
    from the wrong table (tracker/core/db.py, analyze_after_bulk); gathered before the
    check-ins existed, PostgreSQL read every site's to find one site's. On PostgreSQL, the
    search index's pending list is filed too, as a vacuum would soon after a bulk load."""
    db.session.execute(sa.text("ANALYZE"))
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT gin_clean_pending_list('ix_search_document_vector')"))
    return "Gathered the query planner's statistics."
