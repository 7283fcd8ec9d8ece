from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FloatField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..core.args import date_in_range, to_id
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


class NewCollaborativeForm(CollaborativeForm):
    # Choices (live national collaboratives with core measures) are set by the view.
    measures_from = SelectField("Measure set", coerce=to_id,
                                description="Start with a copy of another collaborative's core "
                                "measures (edit them afterwards), or with none.")


class EditCollaborativeForm(CollaborativeForm):
    """Name, aim and dates, and the aim's numbers: the core measure, the value and by when."""

    aim_measure_id = SelectField("Aim's measure", coerce=to_id,
                                 description="The core measure that shows the aim is met.")
    aim_target = FloatField("Target value", validators=[
        Optional(), NumberRange(min=-1e9, max=1e9)],
        description="For a proportion, a percentage, e.g. 80.",
        render_kw={"inputmode": "decimal"})
    aim_target_on = DateField("Reach it by", validators=[Optional(), date_in_range])


class PeriodForm(PatientSafeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)],
                       description="e.g. \"Action period 1\".")
    starts_on = DateField("First day", validators=[DataRequired(), date_in_range])
    ends_on = DateField("Last day", validators=[DataRequired(), date_in_range])
    submit = SubmitField("Save action period")

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The last day must not come before the first.")


class NetworkForm(PatientSafeForm):
    name = StringField("Network name", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Save network")


class SiteRecordForm(PatientSafeForm):
    """A site's name and its sign-up record: who committed it, who leads, which wards."""

    name = StringField("Site name", validators=[DataRequired(), Length(max=200)])
    organisation = StringField("Organisation (trust or health board)",
                               validators=[Length(max=200)])
    joined_on = DateField("Date the site joined", validators=[Optional(), date_in_range])
    executive_sponsor = StringField("Executive sponsor", validators=[Length(max=200)],
                                    description="Name and title, e.g. \"Dr A Khan, Medical "
                                    "Director\".")
    clinical_lead = StringField("Clinical lead", validators=[Length(max=200)])
    data_lead = StringField("Data lead", validators=[Length(max=200)])
    wards = TextAreaField("Wards or units taking part", validators=[Length(max=5000)],
                          description="One a line.", render_kw={"rows": 3})
    submit = SubmitField("Save site")

    @property
    def record(self) -> dict:
        return {key: getattr(self, key).data for key in
                ("joined_on", "executive_sponsor", "clinical_lead", "data_lead", "wards")}


class SiteForm(SiteRecordForm):
    # Choices are set by the view; the service refuses an archived or foreign network with a
    # message of its own, so the field does not check its choices.
    network_id = SelectField("Regional network", coerce=str, validate_choice=False)
    submit = SubmitField("Add site")


class SiteEditForm(SiteRecordForm):
    """A site's name, organisation, record and network: moved to another network, it leaves
    that network's faculty's view and joins the other's. (A form sent without the network
    leaves it where it is.)"""
    network_id = SelectField(
        "Regional network", coerce=str, validate_choice=False,
        description="Moving the site changes which regional faculty support it.")


class AuditFilterForm(FlaskForm):
    """The audit viewer's filters: a GET form, so links to a filtered view can be shared."""

    class Meta:
        csrf = False

    person = StringField("Person (name or email)", validators=[Length(max=254)])
    site = SelectField("Site", coerce=to_id)
    action = SelectField("Action", validate_choice=False)
    since = DateField("From", validators=[Optional(), date_in_range])
    until = DateField("To", validators=[Optional(), date_in_range])
