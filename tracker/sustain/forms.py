"""The sustain forms: a month's progress score, a check-in's answer, the check-in plan."""

from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..core.forms import PatientSafeForm, enum_choices
from ..models import PROGRESS_SCALE, CheckAnswer


class ProgressScoreForm(PatientSafeForm):
    score = SelectField("Progress score this month", choices=[
        SelectChoice("", "Choose a score"),
        *(SelectChoice(f"{s:.1f}", f"{s:.1f} – {label}") for s, label in PROGRESS_SCALE.items())],
        validators=[DataRequired("Choose a score from the scale.")])
    note = TextAreaField("Why this score (what the team did and what the data show)",
                         validators=[Length(max=2000)], render_kw={"rows": 3})


class CheckInForm(PatientSafeForm):
    answer = RadioField("Is the change still happening?", choices=enum_choices(CheckAnswer),
                        validators=[DataRequired("Say yes, partly or no.")])
    note = TextAreaField("Note (what is helping or getting in the way)",
                         validators=[Length(max=2000)], render_kw={"rows": 3})


class CheckPlanForm(PatientSafeForm):
    pid_exempt = ("months",)
    months = StringField("Check-ins, in months after adopting (e.g. 1, 3, 6)",
                         validators=[DataRequired("Give at least one month."), Length(max=60)])
