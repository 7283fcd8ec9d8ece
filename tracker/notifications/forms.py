"""The email preferences form: one choice per kind of notification."""

from flask_wtf import FlaskForm
from wtforms import SelectField

from ..core.forms import enum_choices
from ..models import EmailChoice, NotificationKind

KIND_LABELS = {
    NotificationKind.MENTION: "Someone mentions you",
    NotificationKind.REPLY: "Someone replies to your comment",
    NotificationKind.COMMENT: "A comment on your site's cycles",
    NotificationKind.FEEDBACK_REQUESTED: "Feedback is requested from you",
    NotificationKind.FEEDBACK_GIVEN: "Feedback on your site's cycles",
    NotificationKind.IDEA_ACTIVITY: "Activity on ideas you follow",
    NotificationKind.EVENT: "New learning events",
    NotificationKind.INVITE: "Invitations",
    NotificationKind.SUSTAIN_CHECK: "A check-in on an adopted change is due",
    NotificationKind.MEASURE_CONCERN: "A measure falls after your site adopted a change",
    NotificationKind.MEASURE_IMPORT: "A large import of measure data finished",
}


def preferences_form(current: dict[NotificationKind, EmailChoice], formdata=None) -> FlaskForm:
    """One email choice per kind of notification (in the app, every kind always shows)."""

    class PreferencesForm(FlaskForm):
        pass

    for kind in NotificationKind:
        setattr(PreferencesForm, kind.value, SelectField(
            KIND_LABELS.get(kind, kind.label), choices=enum_choices(EmailChoice),
            default=current[kind].value))
    return PreferencesForm(formdata=formdata)
