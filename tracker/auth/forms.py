from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..core.forms import PatientSafeForm, enum_choices
from ..models import CollaborativeRoleKind, Grade, Profession
from ..models.people import MIN_PASSWORD


def profession_choices() -> list[SelectChoice]:
    return enum_choices(Profession)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this device for 14 days")
    submit = SubmitField("Sign in")


def password_fields(label: str = "New password", repeat: str = "Repeat the new password"
                    ) -> tuple[PasswordField, PasswordField]:
    """A new password and its repeat, checked against the one password rule."""
    return (
        PasswordField(label, validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
        ], description=f"At least {MIN_PASSWORD} characters. A short sentence is easy to "
                       "remember."),
        PasswordField(repeat, validators=[
            DataRequired(), EqualTo("password", message="The two passwords differ.")]),
    )


class NewPasswordMixin:
    password, password2 = password_fields()


class AcceptInviteForm(NewPasswordMixin, PatientSafeForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    profession = SelectField("Profession", choices=profession_choices)
    submit = SubmitField("Create my account")
    pid_own_name = ("name",)


class ProfileForm(PatientSafeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    profession = SelectField("Profession", choices=profession_choices)
    grade = SelectField("Grade", choices=lambda: enum_choices(Grade),
                        description="Shown on your site's page so teams can see that junior "
                        "members lead with senior support.")
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


class BulkInviteForm(FlaskForm):
    """A table of people to invite, pasted or uploaded; `send` only after a clean preview."""

    rows = TextAreaField(
        "Paste the table", validators=[Length(max=200_000)],
        description="One person a row, with a first row naming the columns: name, email, role, "
                    "site. Copy it from a spreadsheet or type it with commas.")
    file = FileField("Or upload a CSV or Excel (.xlsx) file")
    check = SubmitField("Check the table")
    send = SubmitField("Send the invitations")


class CollaborativeRoleForm(FlaskForm):
    role = SelectField("Role", choices=enum_choices(CollaborativeRoleKind))
    submit = SubmitField("Change role")
