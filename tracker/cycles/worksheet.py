"""Between forms and plain worksheet values, and the figures the list page shows."""

from collections import Counter
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import render_template
from markupsafe import Markup
from sqlalchemy import Select
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice
from wtforms.fields.core import UnboundField

from ..core.memo import kept
from ..core.queries import reader_key, sites_visible_to
from ..core.versions import kept_until_written
from ..extensions import db
from ..models import (
    ChangeIdea,
    Collaborative,
    Cycle,
    Driver,
    Measure,
    Membership,
    Site,
    Stage,
    User,
)
from . import quality
from .forms import FilterForm
from .services import SCALAR_FIELDS, log_cycle

TEXT_FIELDS = {n for n in SCALAR_FIELDS if n not in (
    "idea_id", "visibility", "scale_amount", "do_started_on", "do_ended_on", "decision")}


def _text(value: str | None) -> str:
    # Browsers send textarea line breaks as CRLF: store LF so a re-save changes nothing.
    return (value or "").replace("\r\n", "\n")


def _number(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def worksheet_data(form) -> dict[str, Any]:
    """The submitted worksheet as plain values (the shape of a revision snapshot)."""
    data: dict[str, Any] = {name: _text(form[name].data) for name in TEXT_FIELDS}
    data.update(
        idea_id=int(form.idea_id.data) if form.idea_id.data else None,
        visibility=form.visibility.data,
        scale_amount=form.scale_amount.data,
        do_started_on=form.do_started_on.data.isoformat() if form.do_started_on.data else None,
        do_ended_on=form.do_ended_on.data.isoformat() if form.do_ended_on.data else None,
        decision=form.decision.data or None,
        measure_ids=sorted(form.measure_ids.data or []),
        questions=[],
    )
    for entry in form.questions:
        q = entry.form
        row = {
            "question": _text(q.question.data), "prediction": _text(q.prediction.data),
            "prediction_value": _number(q.prediction_value.data),
            "result": _text(q.result.data), "result_value": _number(q.result_value.data),
            "prediction_held": {"yes": True, "no": False}.get(q.prediction_held.data),
        }
        if any(v not in ("", None) for v in row.values()):
            data["questions"].append(row)
    return data


def form_values(data: dict[str, Any]) -> dict[str, Any]:
    """Worksheet values (a snapshot, or a merge) as the form's data, plus an empty question row."""
    values = {name: data.get(name) for name in SCALAR_FIELDS}
    values.update(
        idea_id=str(data.get("idea_id") or ""), decision=data.get("decision") or "",
        measure_ids=list(data.get("measure_ids") or []),
        questions=[
            {"question": q.get("question"), "prediction": q.get("prediction"),
             "result": q.get("result"),
             "prediction_value": _number_text(q.get("prediction_value")),
             "result_value": _number_text(q.get("result_value")),
             "prediction_held": {True: "yes", False: "no"}.get(q.get("prediction_held"), "")}
            for q in data.get("questions") or []
        ] + [{}],
    )
    for name in ("do_started_on", "do_ended_on"):
        values[name] = date.fromisoformat(data[name]) if data.get(name) else None
    return values


def fill_idea_choices(field, collaborative_id: int, *, keep: ChangeIdea | None = None) -> None:
    """The collaborative's ideas; `keep` (the one already linked) stays even if removed."""
    ideas = db.session.execute(
        db.select(ChangeIdea.id, ChangeIdea.title)
        .where(ChangeIdea.collaborative_id == collaborative_id, ChangeIdea.deleted_at.is_(None))
        .order_by(ChangeIdea.title)
    ).all()
    field.choices = [SelectChoice("", "— none yet —")] + [
        SelectChoice(str(i), title) for i, title in ideas
    ]
    if keep is not None and keep.id not in {i for i, _ in ideas}:
        field.choices.append(SelectChoice(str(keep.id), f"{keep.title} (removed)"))


def quick_log_sites(user: User) -> list[Site]:
    """The sites a user logs cycles at: their own teams' still taking part (none: they may
    not log one)."""
    return sorted((m.site for m in user.memberships if not m.site.is_archived),
                  key=lambda s: s.name)


def log_from_quick_form(form, user: User) -> Cycle | None:
    """The cycle a validated quick-log form describes (the page's and the API's), or None
    with the reason beside the idea field when the idea is another collaborative's."""
    site = db.session.get(Site, form.site_id.data)
    idea = db.session.get(ChangeIdea, int(form.idea_id.data)) if form.idea_id.data else None
    if idea is not None and idea.collaborative_id != site.collaborative_id:
        form.idea_id.errors.append(f"That idea belongs to another collaborative than "
                                   f"{site.name}: choose one of {site.collaborative.name}'s.")
        return None
    return log_cycle(
        site, by=user, title=form.title.data, idea=idea,
        new_idea_title=form.new_idea.data or "", objective=form.objective.data,
        prediction=form.prediction.data or "", scale_amount=form.scale_amount.data,
        scale_unit=(form.scale_unit.data or "").strip(),
    )


def fill_quick_choices(form, sites: list[Site]) -> None:
    """The quick log's pickers for someone on these site teams: their sites, and the change
    ideas of each site's collaborative; both grouped by collaborative when the sites belong to
    more than one (no picker is shown for a single site)."""
    names = {s.collaborative_id: s.collaborative.name for s in sites}
    if len(names) == 1:
        form.site_id.choices = [SelectChoice(s.id, s.name) for s in sites]
        fill_idea_choices(form.idea_id, sites[0].collaborative_id)
        return
    form.site_id.choices = [SelectChoice(s.id, s.name, optgroup=names[s.collaborative_id])
                            for s in sorted(sites, key=lambda s: (names[s.collaborative_id],
                                                                  s.name))]
    ideas = db.session.execute(
        db.select(ChangeIdea.id, ChangeIdea.title, ChangeIdea.collaborative_id)
        .where(ChangeIdea.collaborative_id.in_(names), ChangeIdea.deleted_at.is_(None))
    ).all()
    form.idea_id.choices = [SelectChoice("", "— none yet —")] + [
        SelectChoice(str(i), title, optgroup=names[c])
        for i, title, c in sorted(ideas, key=lambda r: (names[r[2]], r[1]))]


def fill_worksheet_choices(form, cycle: Cycle) -> None:
    """The worksheet's ideas and measures to choose from (the page's and the API's)."""
    fill_idea_choices(form.idea_id, cycle.site.collaborative_id, keep=cycle.idea)
    form.measure_ids.choices = _measure_choices(cycle)


def _measure_choices(cycle: Cycle) -> list[SelectChoice]:
    measures = db.session.scalars(
        db.select(Measure).where(
            Measure.collaborative_id == cycle.site.collaborative_id,
            Measure.deleted_at.is_(None),
            Measure.site_id.is_(None) | (Measure.site_id == cycle.site_id),
        ).order_by(Measure.position, Measure.name)
    )
    choices = [SelectChoice(m.id, m.name) for m in measures]
    # A linked measure removed since stays listed, so saving the worksheet keeps the link.
    offered = {c.value for c in choices}
    return choices + [SelectChoice(m.id, f"{m.name} (removed)") for m in cycle.measures
                      if m.id not in offered]


# The names of the list's filters: the query's other arguments (a page's cursor) are not theirs.
FILTER_NAMES = frozenset(name for name, value in vars(FilterForm).items()
                         if isinstance(value, UnboundField))
FILTER_PANELS_KEPT = 256  # per app process: the most recent (choices, arguments) combinations


def filter_panel(args, user: User) -> tuple[Markup, dict]:
    """The list's filter form, drawn, and the valid filter values, as `read_filters` reads
    them from the query's arguments; kept until anything is written. The form shows nothing of
    its reader but the choices their collaboratives and sites give (fill_filter_choices), so
    readers with the same ones (a site's team) share it. Building it (150 sites, the ideas,
    the drivers, the team as choices) was about a third of the list's time."""
    # In the address's order: of a filter given twice, the form reads the first.
    wanted = tuple((k, v) for k, v in args.items(multi=True) if k in FILTER_NAMES)

    def make() -> tuple[Markup, dict]:
        form, filters = read_filters(MultiDict(wanted), user)
        return Markup(render_template("cycles/_filters.html", form=form)), filters

    return kept_until_written("cycle_filter_panels", FILTER_PANELS_KEPT,
                              (reader_key(user), wanted), make, packed=True)


def read_filters(args, user: User):
    """The list filters from the query string: the form (to show) and the valid values."""
    form = FilterForm(args)
    fill_filter_choices(form, user)
    form.validate()  # an invalid value is shown with its message and otherwise ignored
    return form, {name: f.data for name, f in form._fields.items() if not f.errors}


def fill_filter_choices(form, user: User) -> None:
    """Choices for the list filters, in two queries (three when a long list of sites is
    typed in, not listed: sites.picker)."""
    form.site.offer(sites_visible_to(user, include_archived=True))
    # Ideas, drivers and the people of the user's own sites (others come from links on rows),
    # in one query: a kind column, then each kind's own order.
    collaboratives = (db.select(Collaborative.id) if user.is_admin
                      else list(user.collaborative_ids))
    none, zero = sa.cast(sa.null(), sa.Integer), sa.literal(0)
    people = (db.select(User.id, User.name).join(Membership)
              .where(Membership.site_id.in_(user.site_ids)).distinct().subquery())
    choices = sa.union_all(
        db.select(sa.literal("idea").label("kind"), ChangeIdea.id,
                  ChangeIdea.title.label("text"), none.label("parent"), zero.label("o1"),
                  zero.label("o2"), ChangeIdea.title.label("o3"))
        .where(ChangeIdea.collaborative_id.in_(collaboratives), ChangeIdea.deleted_at.is_(None)),
        db.select(sa.literal("driver"), Driver.id, Driver.title, Driver.parent_id,
                  sa.case((Driver.parent_id.is_(None), 0), else_=1), Driver.position,
                  sa.literal(""))
        .where(Driver.collaborative_id.in_(collaboratives), Driver.deleted_at.is_(None)),
        db.select(sa.literal("person"), people.c.id, people.c.name, none, zero, zero,
                  people.c.name),
    ).subquery()
    rows = db.session.execute(sa.select(choices).order_by(
        choices.c.kind, choices.c.o1, choices.c.o2, choices.c.o3, choices.c.id)).all()
    form.idea.choices = [SelectChoice("", "Any idea")] + [
        SelectChoice(r.id, r.text) for r in rows if r.kind == "idea"]
    form.driver.choices = [SelectChoice("", "Any driver")] + [
        SelectChoice(r.id, f"– {r.text}" if r.parent else r.text)
        for r in rows if r.kind == "driver"]
    form.author.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(r.id, r.text) for r in rows if r.kind == "person"]
    for name in ("idea", "driver", "author"):
        form[name].validate_choice = False  # an id from a link need not be in the short list


STAGE_COUNTS_KEPT = 256  # per app process: the most recent (user, filters) combinations


def stage_counts(base: Select, user: User, filters: dict) -> dict[Stage, int]:
    """How many of the filtered cycles are at each stage, counted in SQL and kept until any
    cycle changes. Every write to a cycle goes through the ORM and moves its updated_at (or, a
    new one, the highest id), so the pair read here (two index lookups) names the data the
    counts were made from. A driver filter also reads the ideas' drivers: counted each time."""
    if filters.get("driver"):  # it reads the ideas' drivers, which the version does not follow
        return _count(base)
    # Two subqueries: SQLite reads one max from its index, but two in one SELECT scan it.
    version = tuple(db.session.execute(db.select(
        db.select(db.func.max(Cycle.updated_at)).scalar_subquery(),
        db.select(db.func.max(Cycle.id)).scalar_subquery())).one())
    key = (user.id, *reader_key(user),
           tuple(sorted((k, str(v)) for k, v in filters.items() if k != "sort")), version)
    return dict(kept("cycle_stage_counts", STAGE_COUNTS_KEPT, key, lambda: _count(base)))


def _count(base: Select) -> dict[Stage, int]:
    subquery = base.with_only_columns(Cycle.id, Cycle.stage).order_by(None).subquery()
    rows = db.session.execute(
        db.select(subquery.c.stage, db.func.count()).group_by(subquery.c.stage)
    )
    counts = dict.fromkeys(Stage, 0)
    for stage, count in rows:
        counts[Stage(stage)] = count
    return counts


def site_shares(base: Select) -> list[dict[str, Any]]:
    """Per site: how many of the filtered cycles meet each quality criterion."""
    cycles = quality.load_for_assessment(base)
    assessed = quality.assess_many(cycles)
    rows: dict[int, dict[str, Any]] = {}
    for cycle in cycles:
        row = rows.setdefault(cycle.site_id, {"site": cycle.site, "total": 0, "met": Counter()})
        row["total"] += 1
        row["met"].update(c.key for c in assessed[cycle.id] if c.met)
    return sorted(rows.values(), key=lambda r: r["site"].name)
