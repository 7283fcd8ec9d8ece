from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from ..core.forms import PatientSafeForm
from ..extensions import db
from ..models import Driver


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


def fill_idea_form(form: IdeaForm, collaborative_id: int) -> None:
    """The driver picker: the collaborative's primary drivers, each with its secondaries."""
    drivers = db.session.execute(db.select(Driver).where(
        Driver.collaborative_id == collaborative_id, Driver.deleted_at.is_(None))
        .order_by(Driver.position, Driver.id)).scalars().all()
    choices = [SelectChoice("", "— not placed yet —")]
    for primary in (d for d in drivers if d.parent_id is None):
        choices.append(SelectChoice(str(primary.id), primary.title))
        choices += [SelectChoice(str(d.id), f"{primary.title} › {d.title}", optgroup=primary.title)
                    for d in drivers if d.parent_id == primary.id]
    form.driver_id.choices = choices


def idea_values(form: IdeaForm) -> dict:
    """The idea's own fields as typed (tags aside)."""
    return {"title": form.title.data.strip(),
            "description": (form.description.data or "").replace("\r\n", "\n"),
            "driver_id": int(form.driver_id.data) if form.driver_id.data else None}
