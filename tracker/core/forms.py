"""Forms every feature shares: the patient-safe base form, a bare confirm form, enum choices."""

import enum

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    PasswordField,
    SelectChoice,
    StringField,
    TextAreaField,
)

from .pid import scan


class PatientSafeForm(FlaskForm):
    """A form whose free-text fields are checked for patient-identifiable data on validate.

    An NHS number puts an error on its field (the rest of the form keeps what was typed). A
    likely date of birth or hospital number puts a warning there that the user overrides by
    ticking `confirm_no_pid`; the template shows that box only when a warning was raised.
    Every free-text field is checked, however deeply nested, unless named in `pid_exempt`;
    fields in `pid_own_name` hold the user's own name, so a title (Mr, Mrs) is no warning there.
    """

    confirm_no_pid = BooleanField("I have checked: this contains no patient-identifiable data")
    pid_exempt: tuple[str, ...] = ()
    pid_own_name: tuple[str, ...] = ()
    pid_warning_raised = False

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in _leaf_fields(self):
            if not self._is_free_text(field):
                continue
            findings = scan(field.data if isinstance(field.data, str) else None,
                            names=field.name not in self.pid_own_name)
            if findings.refused:
                field.errors = [*field.errors, _refusal(field.label.text)]
                ok = False
            elif findings.warnings and not self.confirm_no_pid.data:
                what = " and ".join(findings.warnings)
                field.errors = [
                    *field.errors,
                    f"This looks like {what}. Remove it, or tick the confirmation below "
                    "if it is not patient data.",
                ]
                self.pid_warning_raised = True
                ok = False
        return ok

    def _is_free_text(self, field) -> bool:
        # Hidden fields carry what the app wrote (versions, stamps, ids), never what a person
        # typed: a stamp's hex digits can look like an NHS number.
        return (
            isinstance(field, StringField | TextAreaField)
            and not isinstance(field, PasswordField | EmailField | HiddenField)
            and field.name not in self.pid_exempt
            and field.name != "csrf_token"
        )


def _leaf_fields(form):
    """Every field of the form, looking inside lists of sub-forms (e.g. a cycle's questions)."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                yield from _leaf_fields(entry.form) if isinstance(entry, FormField) else [entry]
        elif isinstance(field, FormField):
            yield from _leaf_fields(field.form)
        else:
            yield field


def _refusal(label: str) -> str:
    return (
        f"{label} contains what looks like an NHS number. Patient-identifiable data must not be "
        "entered here: remove the number and save again."
    )


class ConfirmForm(FlaskForm):
    """A bare POST (CSRF only): mark read, withdraw, delete, restore."""


def enum_choices(enum_cls: type[enum.Enum]) -> list[SelectChoice]:
    """Select choices for a closed vocabulary: each member's value, shown as its label."""
    return [SelectChoice(m.value, getattr(m, "label", m.value)) for m in enum_cls]
