from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core.args import date_in_range
from ..core.forms import PatientSafeForm


class CollaborativeForm(PatientSafeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    aim = TextAreaField(
        "Aim", validators=[Length(max=5000)],
        description="What are we trying to accomplish, by how much, by when?",
    )
    starts_on = DateField("Starts on", validators=[Optional(), date_in_range])
    ends_on = DateField("Ends on", validators=[Optional(), date_in_range])
    submit = SubmitField("Save collaborative")

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data <= self.starts_on.data:
            raise ValidationError("The end date must come after the start date.")


class NetworkForm(PatientSafeForm):
    name = StringField("Network name", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Save network")


class SiteForm(PatientSafeForm):
    name = StringField("Site name", validators=[DataRequired(), Length(max=200)])
    organisation = StringField("Organisation (trust or health board)",
                               validators=[Length(max=200)])
    # Choices are set by the view; the service refuses an archived or foreign network with a
    # message of its own, so the field does not check its choices.
    network_id = SelectField("Regional network", coerce=str, validate_choice=False)
    submit = SubmitField("Add site")


class AuditFilterForm(FlaskForm):
    """The audit viewer's filters: a GET form, so links to a filtered view can be shared."""

    class Meta:
        csrf = False

    person = StringField("Person (name or email)", validators=[Length(max=254)])
    action = SelectField("Action", validate_choice=False)
    since = DateField("From", validators=[Optional(), date_in_range])
    until = DateField("To", validators=[Optional(), date_in_range])
