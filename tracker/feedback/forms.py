from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..core.forms import PatientSafeForm
from ..cycles.quality import CRITERIA
from ..models import SECTIONS
from ..sites.picker import SiteField

MARKDOWN_HINT = ("**bold**, *italic*, `code`, [a link](https://…), lists with - or 1., "
                 "and @ to mention someone.")


class CommentForm(PatientSafeForm):
    body = TextAreaField("Comment", validators=[
        DataRequired("Write something before posting."),
        Length(max=5000, message="Keep a comment under 5,000 characters.")],
        description=MARKDOWN_HINT, render_kw={"rows": 3, "data-mentions": "1"})
    parent_id = HiddenField()


class FeedbackRequestForm(PatientSafeForm):
    faculty_id = SelectField("Ask a named faculty member (optional)", default="")
    site_id = SiteField("Or ask another site (optional)", default="")
    message = TextAreaField("What would you like feedback on?", validators=[
        Length(max=2000, message="Keep it under 2,000 characters.")], render_kw={"rows": 2})

    def validate_site_id(self, field) -> None:
        if field.data and self.faculty_id.data:
            raise ValidationError("Ask either a named faculty member or a site, not both.")


class FeedbackForm(PatientSafeForm):
    body = TextAreaField("Feedback", validators=[
        DataRequired("Write your feedback before sending it."),
        Length(max=5000, message="Keep feedback under 5,000 characters.")],
        description=MARKDOWN_HINT, render_kw={"rows": 4, "data-mentions": "1"})
    section = SelectField("Worksheet section", default="", choices=[
        SelectChoice("", "The whole cycle"),
        *[SelectChoice(s, s.capitalize()) for s in SECTIONS]])
    criterion = SelectField("PDSA-quality criterion", default="", choices=[
        SelectChoice("", "None in particular"),
        *[SelectChoice(key, name) for key, name in CRITERIA]])


class AddressedForm(FlaskForm):
    addressed = HiddenField(default="1")
