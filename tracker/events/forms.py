from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from wtforms import DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core.forms import PatientSafeForm, enum_choices
from ..models import EventKind
from .services import materials

# Times are typed and shown in UK time; the database keeps naive UTC.
LOCAL = ZoneInfo("Europe/London")


def to_utc(local: datetime | None) -> datetime | None:
    if local is None:
        return None
    return local.replace(tzinfo=LOCAL).astimezone(UTC).replace(tzinfo=None)


def to_local(utc: datetime | None) -> datetime | None:
    if utc is None:
        return None
    return utc.replace(tzinfo=UTC).astimezone(LOCAL).replace(tzinfo=None)


class EventForm(PatientSafeForm):
    seen = HiddenField()  # the event's version (sequence) when the form was opened
    collaborative_id = SelectField("Calendar", coerce=int,
                                   description="National, or one regional network.")
    kind = SelectField("Kind", choices=enum_choices(EventKind), default=EventKind.WEBINAR.value)
    title = StringField("Title", validators=[DataRequired("Give the event a title."),
                                             Length(max=200)])
    starts_at = DateTimeLocalField("Starts (UK time)", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired("Enter the date and time it starts.")])
    ends_at = DateTimeLocalField("Ends (UK time, optional)", format="%Y-%m-%dT%H:%M",
                                 validators=[Optional()])
    location = StringField("Where", validators=[Length(max=200)],
                           description="A room, or 'Online'.")
    details = TextAreaField("Details", validators=[Length(max=5000)], render_kw={"rows": 3})
    agenda = TextAreaField("Agenda", validators=[Length(max=5000)], render_kw={"rows": 5},
                           description="One item a line; start lines with - for a list.")
    materials = TextAreaField(
        "Links to materials", validators=[Length(max=3000)], render_kw={"rows": 3},
        description="One a line: the address, then a label, e.g. "
                    "https://example.org/slides.pdf Slides")

    def validate_ends_at(self, field) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError("The end must be after the start.")

    def validate_materials(self, field) -> None:
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if len(materials(field.data)) != len(lines):
            raise ValidationError("Start each line with a web address (https://…), then a label.")
