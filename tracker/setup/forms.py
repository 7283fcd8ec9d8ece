from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from ..auth.forms import password_fields


class FirstAdminForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password, password2 = password_fields("Password", "Repeat the password")
    submit = SubmitField("Create the admin account")
