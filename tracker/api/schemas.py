"""What the API reads and writes, as marshmallow schemas: they document the OpenAPI spec and
shape the output. Input is checked again by the pages' forms (see inputs.py)."""

from datetime import UTC

import marshmallow as ma
from marshmallow import fields as f

from ..core.args import MAX_ID
from ..models import Decision, EventKind, Stage, Visibility

PAGE_SIZE, MAX_PAGE_SIZE = 50, 200
VALUES_PAGE_SIZE, MAX_VALUES_PAGE_SIZE = 1000, 5000  # a site's series usually fits one page
FORMAT_DESCRIPTION = "`csv` for a CSV table (as `Accept: text/csv` asks); JSON otherwise"


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page of a list: its items and the cursor to the next page (None on the last)."""
    return type(name, (ma.Schema,), {
        "items": f.List(f.Nested(item)),
        "next_cursor": f.String(allow_none=True, metadata={
            "description": "Send as `cursor` for the next page; null on the last page"}),
        "__doc__": f"A page of {item.__name__.removesuffix('Schema').lower()} items."})


def Id(**kwargs) -> f.Integer:  # noqa: N802  (a field type, named like one)
    """A database id: 1 to MAX_ID, so a huge number is a 422, never a database overflow."""
    return f.Integer(validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


class UtcDateTime(f.DateTime):
    """A moment in RFC 3339 with its offset: the database's naive datetimes are UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


NUL_MESSAGE = "Holds a NUL character, which nothing here can use: remove it."


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(isinstance(item, str) and "\x00" in item for item in value)
    return False


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE  # a misspelt field is an error, never silently ignored

    @ma.pre_load
    def refuse_nul(self, data, **kwargs):
        """A 422 naming each field that holds a NUL (the pages refuse one with a 400, see
        tracker/core/urls.py): PostgreSQL cannot store one, so it would be a 500. Nested
        schemas are Strict too, and check their own fields."""
        if isinstance(data, dict):
            bad = {str(name): [NUL_MESSAGE] for name, value in data.items() if _holds_nul(value)}
            if bad:
                raise ma.ValidationError(bad)
        return data


class CollaborativeSchema(ma.Schema):
    id = f.Integer()
    name = f.String()
    aim = f.String()
    starts_on = f.Date(allow_none=True)
    ends_on = f.Date(allow_none=True)
    parent_id = f.Integer(allow_none=True, metadata={"description": "Set on a regional network"})
    archived = f.Boolean(attribute="is_archived")


class SiteSchema(ma.Schema):
    id = f.Integer()
    name = f.String()
    organisation = f.String()
    region = f.String()
    collaborative_id = f.Integer()
    network_id = f.Integer(allow_none=True)
    archived = f.Boolean(attribute="is_archived")


class PageArgs(Strict):
    cursor = f.String(validate=ma.validate.Length(max=100))
    limit = f.Integer(load_default=PAGE_SIZE, validate=ma.validate.Range(1, MAX_PAGE_SIZE))


CollaborativePage = page_schema(CollaborativeSchema, "CollaborativePage")
SitePage = page_schema(SiteSchema, "SitePage")


class SiteFilters(PageArgs):
    collaborative = Id(metadata={"description": "Only this collaborative's sites"})
    network = Id(metadata={"description": "Only this regional network's sites"})


class QuestionSchema(Strict):
    question = f.String(load_default="")
    prediction = f.String(load_default="")
    prediction_value = f.Float(allow_none=True, allow_nan=False)
    result = f.String(load_default="")
    result_value = f.Float(allow_none=True, allow_nan=False)
    prediction_held = f.Boolean(allow_none=True)


class WorksheetFields(Strict):
    """The worksheet as the page edits it (a cycle revision's shape)."""

    title = f.String()
    idea_id = Id(allow_none=True)
    visibility = f.Enum(Visibility, by_value=True)
    objective = f.String()
    plan_who = f.String()
    plan_what = f.String()
    plan_where = f.String()
    plan_when = f.String()
    scale_amount = f.Integer(allow_none=True)
    scale_unit = f.String()
    data_plan = f.String()
    do_started_on = f.Date(allow_none=True)
    do_ended_on = f.Date(allow_none=True)
    do_what_happened = f.String()
    do_problems = f.String()
    do_deviations = f.String()
    study_learning = f.String()
    decision = f.Enum(Decision, by_value=True, allow_none=True)
    act_next_steps = f.String()
    questions = f.List(f.Nested(QuestionSchema))
    measure_ids = f.List(Id())


class CycleSchema(WorksheetFields):
    id = f.Integer()
    site_id = f.Integer()
    author_id = f.Integer(allow_none=True)
    previous_id = f.Integer(allow_none=True)
    stage = f.Enum(Stage, by_value=True)
    version = f.Integer(metadata={"description": "Send it back in If-Match to update"})
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    questions = f.Method("_questions", metadata={"description": "Questions and predictions"})
    measure_ids = f.Method("_measure_ids")

    def _questions(self, cycle) -> list[dict]:
        return QuestionSchema(many=True).dump(cycle.questions)

    def _measure_ids(self, cycle) -> list[int]:
        return sorted(m.id for m in cycle.measures)


class CycleUpdateSchema(WorksheetFields):
    confirm_no_pid = f.Boolean(load_default=False, metadata={
        "description": "Send again with true once a warning (not an NHS number) is checked"})


class CycleCreateSchema(Strict):
    """A quick log, as the ward page takes it: it starts in Plan."""

    site_id = Id(required=True, metadata={"description": "One of your own sites"})
    title = f.String(required=True)
    objective = f.String(required=True, metadata={"description": "What are we testing?"})
    idea_id = Id(allow_none=True)
    new_idea = f.String(metadata={"description": "Or the title of a new change idea"})
    prediction = f.String()
    scale_amount = f.Integer(allow_none=True)
    scale_unit = f.String()
    confirm_no_pid = f.Boolean(load_default=False)


class StageMoveSchema(Strict):
    to = f.Enum(Stage, by_value=True, required=True)
    seen = f.Enum(Stage, by_value=True, metadata={
        "description": "The stage you last saw: nothing moves if someone moved it since"})
    started_on = f.Date(allow_none=True, metadata={"description": "Moving to Do: when it began"})
    ended_on = f.Date(allow_none=True, metadata={"description": "Moving to Study: when it ended"})


class CycleFilters(Strict):
    """The cycle list page's filters (its sort is replaced by the cursor's id order)."""

    scope = f.String(validate=ma.validate.OneOf(["all", "site", "mine"]))
    q = f.String(validate=ma.validate.Length(max=200))
    site = Id()
    idea = Id()
    driver = Id()
    stage = f.Enum(Stage, by_value=True)
    decision = f.Enum(Decision, by_value=True)
    author = Id()
    date_from = f.Date()
    date_to = f.Date()
    cursor = f.String(validate=ma.validate.Length(max=100))
    limit = f.Integer(load_default=PAGE_SIZE, validate=ma.validate.Range(1, MAX_PAGE_SIZE))
    format = f.String(validate=ma.validate.OneOf(["json", "csv"]),
                      metadata={"description": FORMAT_DESCRIPTION})


class CyclePage(ma.Schema):
    items = f.List(f.Nested(CycleSchema))
    next_cursor = f.String(allow_none=True)


class CommentSchema(ma.Schema):
    id = f.Integer()
    parent_id = f.Integer(allow_none=True)
    author_id = f.Integer(allow_none=True)
    author_name = f.String(attribute="author.name")
    body = f.String(metadata={"description": "Markdown, as written"})
    created_at = UtcDateTime()
    deleted = f.Function(lambda c: c.deleted_at is not None)


class CommentCreateSchema(Strict):
    body = f.String(required=True)
    parent_id = Id(allow_none=True, metadata={"description": "The comment replied to"})
    confirm_no_pid = f.Boolean(load_default=False)


CommentPage = page_schema(CommentSchema, "CommentPage")


class EventSchema(ma.Schema):
    id = f.Integer()
    collaborative_id = f.Integer()
    kind = f.Enum(EventKind, by_value=True)
    title = f.String()
    starts_at = UtcDateTime(metadata={"description": "UTC"})
    ends_at = UtcDateTime(allow_none=True)
    location = f.String()
    details = f.String()
    agenda = f.String()
    materials = f.String()


class EventPage(ma.Schema):
    items = f.List(f.Nested(EventSchema))
    next_cursor = f.String(allow_none=True)


class MeasureSchema(ma.Schema):
    id = f.Integer()
    collaborative_id = f.Integer()
    site_id = f.Integer(allow_none=True, metadata={"description": "Set on a site's own measure"})
    name = f.String()
    kind = f.String(attribute="kind.value", metadata={"description": "outcome, process, balancing"})
    definition = f.String(metadata={"description": "The operational definition"})
    data_kind = f.String(attribute="data_kind.value",
                         metadata={"description": "proportion, count or continuous"})
    unit = f.String()
    direction = f.String(attribute="direction.value")
    target = f.Float(allow_none=True)
    frequency = f.String(attribute="frequency.value", metadata={"description": "weekly, monthly"})
    composite_id = f.Integer(allow_none=True)
    balances_id = f.Integer(allow_none=True)


MeasurePage = page_schema(MeasureSchema, "MeasurePage")


class SiteArgs(Strict):
    site_id = Id(metadata={"description": "Default: your own site, else the first"})


class ValueArgs(SiteArgs):
    start = f.Date(metadata={"description": "First period (inclusive)"})
    end = f.Date(metadata={"description": "Last period (inclusive)"})
    cursor = f.String(validate=ma.validate.Length(max=100))
    limit = f.Integer(load_default=VALUES_PAGE_SIZE,
                      validate=ma.validate.Range(1, MAX_VALUES_PAGE_SIZE))
    format = f.String(validate=ma.validate.OneOf(["json", "csv"]),
                      metadata={"description": FORMAT_DESCRIPTION})


class ValueSchema(ma.Schema):
    period = f.Date(attribute="period_start", metadata={"description": "The period's first day"})
    numerator = f.Integer(allow_none=True)
    denominator = f.Integer(allow_none=True)
    value = f.Float(allow_none=True)
    note = f.String()


class ValuesPage(ma.Schema):
    measure_id = f.Integer()
    site_id = f.Integer()
    items = f.List(f.Nested(ValueSchema))
    next_cursor = f.String(allow_none=True, metadata={
        "description": "Send as `cursor` for the next page; null on the last page"})


class ValueRow(Strict):
    period = f.String(required=True, metadata={
        "description": "The period's start (2026-11-02), or any way the import page reads"})
    numerator = f.Integer(allow_none=True, validate=ma.validate.Range(min=0))
    denominator = f.Integer(allow_none=True, validate=ma.validate.Range(min=0))
    value = f.Float(allow_none=True, allow_nan=False)
    note = f.String(validate=ma.validate.Length(max=500))


class ValuesUpload(Strict):
    rows = f.List(f.Nested(ValueRow), required=True,
                  validate=ma.validate.Length(min=1, max=5000))
    confirm_no_pid = f.Boolean(load_default=False)


class UpsertResult(ma.Schema):
    changed = f.Integer(metadata={"description": "Periods whose data changed"})
    received = f.Integer()


class ChartArgs(SiteArgs):
    view = f.String(validate=ma.validate.OneOf(["spc", "run"]))


class ChartPoint(ma.Schema):
    period = f.Date()
    numerator = f.Integer(allow_none=True)
    denominator = f.Integer(allow_none=True)
    value = f.Float(allow_none=True, metadata={"description": "As plotted (% for proportions)"})
    centre = f.Float(allow_none=True)
    upper = f.Float(allow_none=True)
    lower = f.Float(allow_none=True)
    label = f.String(allow_none=True)
    point_type = f.String(allow_none=True)
    special_cause = f.Boolean()
    phase = f.Integer()


class ChartSchema(ma.Schema):
    measure_id = f.Integer()
    site_id = f.Integer()
    view = f.String()
    chart_type = f.String()
    rules = f.String()
    error = f.String(metadata={"description": "Why the data cannot be charted, if so"})
    variation_icon = f.String(allow_none=True)
    assurance_icon = f.String(allow_none=True)
    summary = f.List(f.String(), metadata={"description": "The chart in plain words"})
    points = f.List(f.Nested(ChartPoint))


# Change ideas ------------------------------------------------------------------------------

class IdeaSchema(ma.Schema):
    id = f.Integer()
    collaborative_id = f.Integer()
    origin_site_id = f.Integer(allow_none=True, metadata={"description": "The site it came from"})
    author_id = f.Integer(allow_none=True)
    driver_id = f.Integer(allow_none=True)
    title = f.String()
    description = f.String()
    tags = f.Function(lambda idea: [t.name for t in idea.tags])
    created_at = UtcDateTime()
    updated_at = UtcDateTime(metadata={"description": "Its version: the ETag names it"})


class IdeaListItem(IdeaSchema):
    """An idea with the library's figures."""

    sites_tested = f.Integer(metadata={"description": "Sites that tested it (that you see)"})
    sites_adopted = f.Integer()
    comments = f.Integer()


IdeaPage = page_schema(IdeaListItem, "IdeaPage")


class IdeaFilters(PageArgs):
    """The idea library's filters (its sort is replaced by the cursor's id order)."""

    driver = Id(metadata={"description": "A driver, with its secondary drivers"})
    tag = f.String(validate=ma.validate.Length(max=60))
    site = Id(metadata={"description": "The site it came from"})
    status = f.String(validate=ma.validate.OneOf(["untested", "testing", "adopt", "adapt",
                                                  "abandon"]))
    where = f.String(validate=ma.validate.OneOf(["any", "mine"]), metadata={
        "description": "`mine`: the status at your own sites"})


class EvidenceSchema(ma.Schema):
    """One site's tests of the idea, as the idea's page rolls them up."""

    site_id = f.Integer()
    cycles = f.Integer()
    first_run = f.Date(allow_none=True, metadata={"description": "The first test's start"})
    first_logged = UtcDateTime()
    decision = f.String(allow_none=True, metadata={"description": "The latest Act decision"})
    largest_scale_amount = f.Integer(attribute="amount", allow_none=True)
    largest_scale_unit = f.String(attribute="unit", allow_none=True)


class IdeaDetail(IdeaSchema):
    evidence = f.List(f.Nested(EvidenceSchema), metadata={"description": "By site"})
    decisions = f.Dict(keys=f.String(), values=f.Integer(),
                       metadata={"description": "Sites whose latest decision is each"})


class IdeaFields(Strict):
    title = f.String()
    description = f.String()
    driver_id = Id(allow_none=True)
    tags = f.List(f.String(validate=ma.validate.Length(max=60)),
                  validate=ma.validate.Length(max=30))
    confirm_no_pid = f.Boolean(load_default=False, metadata={
        "description": "Send again with true once a warning (not an NHS number) is checked"})


class IdeaCreateSchema(IdeaFields):
    collaborative_id = Id(metadata={"description": "Default: your first collaborative"})
    title = f.String(required=True)
    create_anyway = f.Boolean(load_default=False, metadata={
        "description": "Create it although similar ideas exist (they are named on a 422)"})
