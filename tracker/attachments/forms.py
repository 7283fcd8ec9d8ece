from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Length

from ..core.forms import PatientSafeForm

CONFIRMATION = ("This shows no patient, no person who could be identified without their "
                "consent, and no patient documents (notes, labels, wristbands, screens)")

# Field names and ids start with this, so they cannot clash with other forms on a page.
PREFIX = "attachment"


class UploadForm(PatientSafeForm):
    """A photo from the camera or a file, its caption, and the patient-safety confirmation."""

    photo = FileField("Take a photo", render_kw={"accept": "image/*", "capture": "environment"},
                      description="Opens the camera on a phone.")
    document = FileField("Or choose a file",
                         description="A photo, a PDF, or a Word, Excel or PowerPoint file, up "
                                     "to 10 MB.")
    caption = StringField("Caption", validators=[Length(max=300)],
                          render_kw={"autocomplete": "off"},
                          description="What it shows, e.g. \"The evening snack box\": read out "
                                      "to people who cannot see the picture.")
    confirm = BooleanField(CONFIRMATION)
    submit = SubmitField("Upload")

    def chosen(self):
        """The one file chosen (camera or file), or None."""
        for field in (self.photo, self.document):
            if field.data and getattr(field.data, "filename", ""):
                return field
        return None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.chosen() is None:
            self.document.errors = [*self.document.errors,
                                    "Choose a photo or a file to upload."]
            ok = False
        if not self.confirm.data:
            self.confirm.errors = [*self.confirm.errors,
                                   "Tick this to confirm the photo or file is safe to share. "
                                   "If it shows a patient or patient documents, do not "
                                   "upload it."]
            ok = False
        return ok
