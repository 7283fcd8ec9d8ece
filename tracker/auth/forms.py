from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..core.forms import PatientSafeForm, enum_choices
from ..models import Profession

MIN_PASSWORD = 10


def profession_choices() -> list[SelectChoice]:
    return enum_choices(Profession)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this device for 14 days")
    submit = SubmitField("Sign in")


class NewPasswordMixin:
    password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
        ],
        description=f"At least {MIN_PASSWORD} characters. A short sentence is easy to remember.",
    )
    password2 = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class AcceptInviteForm(NewPasswordMixin, PatientSafeForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    profession = SelectField("Profession", choices=profession_choices)
    submit = SubmitField("Create my account")
    pid_own_name = ("name",)


class ProfileForm(PatientSafeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    profession = SelectField("Profession", choices=profession_choices)
    submit = SubmitField("Save profile")
    pid_own_name = ("name",)


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()])
    submit = SubmitField("Email me a reset link")


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField("Set password")


class InviteForm(FlaskForm):
    email = EmailField("Email of the person to invite", validators=[DataRequired(), Email()])
    # Choices are the places the inviter may invite to, e.g. "site:3:member", "collab:1:faculty".
    role = SelectField("Invite them as", validators=[DataRequired()])
    submit = SubmitField("Send invitation")
