"""The profile page's API token forms: create one (its secret is shown once), revoke one."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..core.forms import PatientSafeForm
from ..models import TokenScope

MAX_EXPIRY_DAYS = 366


class TokenForm(PatientSafeForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)],
                       description="What it is for, e.g. \"Trust warehouse weekly upload\".")
    scope = SelectField("Access", choices=[
        SelectChoice(TokenScope.READ.value, "Read only"),
        SelectChoice(TokenScope.WRITE.value, "Read and write (does what you can do here)"),
    ], default=TokenScope.READ.value)
    expires_days = IntegerField(
        "Expires after (days)", default=90,
        validators=[InputRequired("Enter how many days the token should last."),
                    NumberRange(min=1, max=MAX_EXPIRY_DAYS,
                                message=f"Enter 1 to {MAX_EXPIRY_DAYS} days.")])
    submit = SubmitField("Create token")


class RevokeTokenForm(FlaskForm):
    token_id = HiddenField()
    submit = SubmitField("Revoke")
