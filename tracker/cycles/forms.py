from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..core.args import date_in_range, to_id
from ..core.forms import PatientSafeForm, enum_choices
from ..models import Decision, Stage, Visibility
from ..sites.picker import SiteField

SCALE_UNITS = ("patient", "shift", "day", "bay", "week", "ward", "all wards")


def _blank(label: str = "—") -> list[SelectChoice]:
    return [SelectChoice("", label)]


class ScaleMixin:
    scale_amount = IntegerField(
        "Scale: how many", validators=[Optional(), NumberRange(min=1, max=100000,
                                                               message="Enter 1 or more.")],
    )
    scale_unit = StringField(
        "Scale: of what", validators=[Length(max=40)],
        render_kw={"list": "scale-units", "autocomplete": "off"},
        description="e.g. patient, shift, bay, ward. Start small: 1 patient or 1 shift.",
    )


class QuickLogForm(ScaleMixin, PatientSafeForm):
    site_id = SelectField("Site", coerce=int)
    title = StringField("Title", validators=[DataRequired(), Length(max=200)],
                        description="A few words, e.g. \"Drink offered in recovery\".")
    idea_id = SelectField("Change idea", validators=[Optional()])
    new_idea = StringField("…or a new change idea", validators=[Length(max=200)],
                           description="Leave empty if you picked an idea above.")
    objective = TextAreaField("What are we testing?", validators=[DataRequired()],
                              render_kw={"rows": 2})
    prediction = TextAreaField("What do we predict will happen?", render_kw={"rows": 2},
                               description="e.g. \"At least 6 of 8 patients sit out by 18:00\".")
    submit = SubmitField("Save to Plan")


class QuestionForm(Form):
    question = TextAreaField("Question", render_kw={"rows": 2})
    prediction = TextAreaField("Prediction", render_kw={"rows": 2})
    prediction_value = StringField("Predicted number (optional)",
                                   render_kw={"inputmode": "decimal"})
    result = TextAreaField("Result", render_kw={"rows": 2})
    result_value = StringField("Result number (optional)", render_kw={"inputmode": "decimal"})
    prediction_held = SelectField("Did the prediction hold?", choices=[
        SelectChoice("", "Not yet known"), SelectChoice("yes", "Yes"), SelectChoice("no", "No"),
    ])

    def validate_prediction_value(self, field):
        _number(field)

    def validate_result_value(self, field):
        _number(field)


def _number(field) -> None:
    text = (field.data or "").strip()
    if text:
        try:
            float(text)
        except ValueError:
            raise ValidationError("Enter a number, like 6 or 75.5, or leave it empty.") from None


class WorksheetForm(ScaleMixin, PatientSafeForm):
    version = HiddenField()
    stage_seen = HiddenField()  # the stage "Save and move on" moves on from
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    idea_id = SelectField("Change idea", validators=[Optional()])
    visibility = SelectField("Who can read it", choices=[
        SelectChoice(Visibility.COLLABORATIVE.value, "Everyone in the collaborative"),
        SelectChoice(Visibility.SITE.value, "Our site only (a draft)"),
    ])
    # Plan
    objective = TextAreaField("Objective", render_kw={"rows": 2})
    questions = FieldList(FormField(QuestionForm), min_entries=1)
    plan_who = TextAreaField("Who", render_kw={"rows": 1})
    plan_what = TextAreaField("What", render_kw={"rows": 1})
    plan_where = TextAreaField("Where", render_kw={"rows": 1})
    plan_when = TextAreaField("When", render_kw={"rows": 1})
    data_plan = TextAreaField("Data to collect", render_kw={"rows": 2})
    measure_ids = SelectMultipleField(
        "Measures this change should move", coerce=int,
        widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput(),
    )
    # Do
    do_started_on = DateField("Test started on", validators=[Optional(), date_in_range])
    do_ended_on = DateField("Test ended on", validators=[Optional(), date_in_range])
    do_what_happened = TextAreaField("What happened", render_kw={"rows": 3})
    do_problems = TextAreaField("Problems and surprises", render_kw={"rows": 2})
    do_deviations = TextAreaField("Deviations from the plan", render_kw={"rows": 2})
    # Study
    study_learning = TextAreaField("What we learned", render_kw={"rows": 3})
    # Act
    decision = SelectField("Decision", choices=_blank("Not decided yet") + enum_choices(Decision))
    act_next_steps = TextAreaField("Next steps", render_kw={"rows": 2})
    submit = SubmitField("Save")
    submit_advance = SubmitField("Save and move on")

    def validate_do_ended_on(self, field):
        if field.data and self.do_started_on.data and field.data < self.do_started_on.data:
            raise ValidationError("The end date is before the start date.")


class StageForm(FlaskForm):
    """A stage move. Moving to Do asks when the test started, moving to Study when it ended:
    the worksheet's Do dates, which the charts and the quality panel read."""

    to = SelectField("Stage", choices=enum_choices(Stage))
    seen = HiddenField()  # the stage the page showed: a move from an old page is refused
    # Optional here; `validate` requires the one the move needs. A page without the field
    # (an older one) sends nothing and gets today, the default it would have shown.
    started_on = DateField("Test started on", validators=[Optional(), date_in_range],
                           default=date.today)
    ended_on = DateField("Test ended on", validators=[Optional(), date_in_range],
                         default=date.today)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        needed = {Stage.DO.value: (self.started_on, "Enter the date the test started (today "
                                   "if it starts now)."),
                  Stage.STUDY.value: (self.ended_on, "Enter the date the test ended (today "
                                      "if it ended today).")}.get(self.to.data)
        if needed and needed[0].data is None and not needed[0].errors:
            needed[0].errors = [needed[1]]
            ok = False
        return ok


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    scope = SelectField("Show", choices=[
        SelectChoice("all", "All shared cycles"), SelectChoice("site", "My site's"),
        SelectChoice("mine", "Mine"),
    ], default="all")
    q = StringField("Text", validators=[Length(max=200)])
    site = SiteField("Site")
    idea = SelectField("Change idea", coerce=to_id)
    driver = SelectField("Driver", coerce=to_id)
    stage = SelectField("Stage", choices=_blank("Any stage") + enum_choices(Stage), default="")
    decision = SelectField("Decision", choices=_blank("Any decision") + enum_choices(Decision),
                           default="")
    author = SelectField("Author", coerce=to_id)
    date_from = DateField("From", validators=[Optional(), date_in_range])
    date_to = DateField("To", validators=[Optional(), date_in_range])
    sort = SelectField("Sort by", choices=[
        SelectChoice("updated", "Recently updated"), SelectChoice("newest", "Newest"),
        SelectChoice("oldest", "Oldest"), SelectChoice("title", "Title"),
        SelectChoice("stage", "Stage"),
    ], default="updated")
