import math

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..core.args import date_in_range
from ..core.forms import PatientSafeForm, enum_choices
from ..models import DataKind, Direction, Frequency, MeasureKind
from ..spc import ChartType, RuleSet
from .series import CHART_NAMES, CHART_TYPES, RULE_NAMES, RULE_SETS

NONE = SelectChoice("", "None")


class MeasureForm(PatientSafeForm):
    stamp = HiddenField()  # the definition as the form was opened with it (definition_stamp)
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind of measure", choices=enum_choices(MeasureKind))
    definition = TextAreaField(
        "Operational definition", validators=[DataRequired(), Length(max=5000)],
        description="Exactly what is counted: who is in the denominator, what counts in the "
        "numerator, where the data come from.")
    data_kind = SelectField("Data", choices=[
        SelectChoice(DataKind.PROPORTION.value, "Proportion (numerator / denominator, as %)"),
        SelectChoice(DataKind.COUNT.value, "Count"),
        SelectChoice(DataKind.CONTINUOUS.value, "Continuous value"),
    ])
    unit = StringField("Unit", validators=[Length(max=40)],
                       description="For example %, falls, minutes.")
    direction = SelectField("Improvement is", choices=[
        SelectChoice(Direction.INCREASE.value, "Higher values"),
        SelectChoice(Direction.DECREASE.value, "Lower values"),
        SelectChoice(Direction.NEUTRAL.value, "Neither (no direction)"),
    ])
    target = StringField("Target (optional)", validators=[Optional(), Length(max=20)],
                         description="On the chart's scale: 80 means 80% for a proportion.")
    frequency = SelectField("Frequency", choices=enum_choices(Frequency))
    composite_id = SelectField("Component of (bundle measure)", choices=[NONE])
    balances_id = SelectField("Balancing measure of", choices=[NONE])
    chart_type = SelectField("SPC chart", choices=[SelectChoice("", "Default (XmR chart)")] + [
        SelectChoice(t.value, CHART_NAMES[t]) for t in CHART_NAMES])
    rule_set = SelectField("Rules", choices=[SelectChoice("", "Default for the chart")] + [
        SelectChoice(r.value, RULE_NAMES[r]) for r in RULE_NAMES])
    screen_outliers = BooleanField(
        "Screen large moving ranges (NHSRplotthedots); leave off to match the Making Data "
        "Count Excel tool")
    baseline_periods = IntegerField(
        "Baseline periods (optional)", validators=[Optional(), NumberRange(min=2, max=520)],
        description="Fix the centre and limits on the first N periods of each phase.")
    data_source = TextAreaField(
        "Where the data are held", validators=[Length(max=2000)],
        description="For example the theatre system, the ward audit sheet, the EPR report.")
    collected_by = StringField("Who collects them", validators=[Length(max=200)],
                               description="A role, for example the ward's audit nurse.")
    collection_method = TextAreaField(
        "How they are collected", validators=[Length(max=2000)],
        description="For example every eligible patient from the theatre list, each Monday.")
    position = IntegerField("Order in lists", default=0,
                            validators=[Optional(), NumberRange(min=0, max=9999)])
    submit = SubmitField("Save measure")

    def validate_target(self, field) -> None:
        try:
            value = float(field.data)
        except (TypeError, ValueError):
            raise ValidationError("Enter a number, for example 80.") from None
        if not math.isfinite(value):
            raise ValidationError("Enter a number, for example 80.")
        if self.data_kind.data == DataKind.PROPORTION.value and not 0 <= value <= 100:
            raise ValidationError("A proportion's target is a percentage between 0 and 100.")

    def validate_chart_type(self, field) -> None:
        if field.data and ChartType(field.data) not in CHART_TYPES[DataKind(self.data_kind.data)]:
            raise ValidationError(f"A {CHART_NAMES[ChartType(field.data)]} does not suit this "
                             "kind of data.")

    def validate_rule_set(self, field) -> None:
        chart = ChartType(self.chart_type.data or ChartType.XMR.value)
        if field.data and RuleSet(field.data) not in RULE_SETS.get(chart, ()):
            raise ValidationError(f"The {RULE_NAMES[RuleSet(field.data)]} do not apply to a "
                             f"{CHART_NAMES.get(chart, chart.value)}.")

    def validate_baseline_periods(self, field) -> None:
        chart = self.chart_type.data or ChartType.XMR.value
        mdc = chart == ChartType.XMR.value and self.rule_set.data in ("", RuleSet.MDC.value)
        if field.data is not None and mdc and field.data < 12:
            raise ValidationError("Making Data Count needs a baseline of at least 12 periods.")


class GridRowForm(Form):
    period = HiddenField()
    base = HiddenField()  # the stamp of the period's data as shown (entries.stamp)
    numerator = StringField("Numerator", validators=[Length(max=12)])
    denominator = StringField("Denominator", validators=[Length(max=12)])
    value = StringField("Value", validators=[Length(max=20)])
    note = StringField("Note", validators=[Length(max=500)])


class GridForm(PatientSafeForm):
    rows = FieldList(FormField(GridRowForm))
    submit = SubmitField("Save data")


class TallyForm(FlaskForm):
    """The week; `tally_form` adds a yes/no radio field per bundle component."""

    period = SelectField("Week")
    submit = SubmitField("Add this patient")


def tally_form(components, period_choices) -> TallyForm:
    """A tally form with one required yes/no per bundle component."""

    class Bound(TallyForm):
        pass

    for c in components:
        setattr(Bound, f"component_{c.id}", RadioField(
            f"{c.name}?", choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
            validators=[InputRequired(message=f"Choose yes or no for {c.name}.")]))
    form = Bound()
    form.period.choices = period_choices
    return form


class UndoTallyForm(FlaskForm):
    submit = SubmitField("Undo my last patient")


class PhaseBreakForm(PatientSafeForm):
    period_start = DateField("Phase starts", validators=[DataRequired(), date_in_range])
    note = TextAreaField("Why (what changed)", validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField("Start a new phase")


class UploadForm(FlaskForm):
    file = FileField("CSV or Excel (.xlsx) file")
    site_id = SelectField("Site (for rows without a site column)")
    submit = SubmitField("Upload and preview")


class MappingForm(PatientSafeForm):
    """How the file's columns map onto the data; choices are the file's columns."""

    # Column pickers accept any value: the page shows only those the measure's data kind
    # uses, and the view ignores anything that is not one of the file's columns.
    sheet = SelectField("Sheet", validate_choice=False)
    header_row = IntegerField("Header row", validators=[InputRequired(),
                                                       NumberRange(min=1, max=50)])
    period = SelectField("Period (week or month)", validate_choice=False)
    site = SelectField("Site", validate_choice=False)
    numerator = SelectField("Numerator", validate_choice=False)
    denominator = SelectField("Denominator", validate_choice=False)
    value = SelectField("Value", validate_choice=False)
    note = SelectField("Note", validate_choice=False)
    dates = SelectField("Dates in the file are", choices=[
        SelectChoice("start", "Period starts (Mondays / 1st of the month)"),
        SelectChoice("within", "Any day in the period (e.g. week ending)"),
    ])
    check = SubmitField("Check again")
    confirm = SubmitField("Import")
    discard = SubmitField("Discard this file")


class ChartNoteForm(PatientSafeForm):
    on_date = DateField("Date", validators=[DataRequired(), date_in_range])
    text = TextAreaField("What happened", validators=[DataRequired(), Length(max=500)],
                         description="For example a new ward manager, a bed crisis, a national "
                         "audit.")
    submit = SubmitField("Add the note")


class PointFlagForm(PatientSafeForm):
    period = SelectField("Point")
    kind = SelectField("Mark it as", choices=[
        SelectChoice("excluded", "Excluded from the centre and limits (still shown)"),
        SelectChoice("astronomical", "Astronomical (IHI run chart rule 4)"),
        SelectChoice("clear", "Neither: clear the mark"),
    ], validators=[InputRequired(message="Choose how to mark the point.")])
    reason = TextAreaField("Why", validators=[Length(max=500)])
    submit = SubmitField("Save the mark")

    def validate_reason(self, field) -> None:
        if self.kind.data in ("excluded", "astronomical") and not (field.data or "").strip():
            raise ValidationError("Say why the point is marked.")


class ReportingPeriodForm(PatientSafeForm):
    """A reporting period with a threshold, e.g. "CQUIN Q1 2026/27" (measures.quarters)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)],
                       description="For example CQUIN Q1 2026/27.")
    measure_id = SelectField("Measure (a proportion)")
    starts_on = DateField("First day", validators=[DataRequired(), date_in_range])
    ends_on = DateField("Last day", validators=[DataRequired(), date_in_range])
    threshold = IntegerField("Minimum % meeting the standard",
                             validators=[InputRequired(), NumberRange(min=0, max=100)])
    min_periods = IntegerField(
        "Fewest weeks (or months) with data", validators=[InputRequired(),
                                                         NumberRange(min=1, max=60)],
        description="With fewer periods reported than this, a site's result is \u201cdata "
        "missing\u201d.")
    submit = SubmitField("Add the reporting period")

    def validate_ends_on(self, field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The last day must be on or after the first day.")


class SubmittedFigureForm(PatientSafeForm):
    value = StringField("Figure submitted elsewhere (%)", validators=[DataRequired(),
                                                                       Length(max=20)])
    note = StringField("Where it was submitted (optional)", validators=[Length(max=300)])
    submit = SubmitField("Save the figure")

    def validate_value(self, field) -> None:
        try:
            value = float(field.data)
        except (TypeError, ValueError):
            raise ValidationError("Enter a percentage, for example 76.5.") from None
        if not (math.isfinite(value) and 0 <= value <= 100):
            raise ValidationError("Enter a percentage between 0 and 100.")
