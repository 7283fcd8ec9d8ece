from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from ..core.forms import PatientSafeForm


class IdeaForm(PatientSafeForm):
    stamp = HiddenField()  # when the idea was last saved, as the form saw it
    title = StringField("Title", validators=[DataRequired(), Length(max=200)],
                        render_kw={"autocomplete": "off"},
                        description="Short and specific, e.g. \"Evening snack boxes\".")
    description = TextAreaField("What the change is", render_kw={"rows": 4},
                                description="What a team would do differently, and why.")
    driver_id = SelectField("Driver it works through", default="")
    tags = StringField("Tags", validators=[Length(max=300)],
                       render_kw={"autocomplete": "off", "list": "tag-suggestions"},
                       description="Separate tags with commas, e.g. eat, night shift.")
    create_anyway = BooleanField("None of these: create my idea anyway")
    submit = SubmitField("Save idea")
    pid_exempt = ()


class TrySiteForm(FlaskForm):
    site_id = SelectField("At which site", coerce=int)
    submit = SubmitField("Try this at our site")


class DriverForm(PatientSafeForm):
    title = StringField("Driver", validators=[DataRequired(), Length(max=200)])
    parent_id = SelectField("Under", default="",
                            description="Leave as primary for a new primary driver.")
    submit = SubmitField("Add driver")


class RenameDriverForm(PatientSafeForm):
    title = StringField("New name", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Rename")


class MergeTagsForm(FlaskForm):
    source = SelectField("Merge this tag", coerce=int)
    target = SelectField("into this tag", coerce=int)
    submit = SubmitField("Merge tags")

    def validate_target(self, field):
        if field.data == self.source.data:
            raise ValidationError("Choose two different tags.")
