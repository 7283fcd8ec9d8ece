"""No patient-identifiable data: NHS numbers refused, other identifiers warned."""

import pytest

from tracker.core.pid import is_valid_nhs_number, normalise, scan
from tracker.models import User


@pytest.mark.parametrize("digits,valid", [
    ("9434765919", True),   # the NHS Digital example number
    ("9434765918", False),  # wrong check digit
    ("4010232137", True),
    ("4010232138", False),
    ("1234567881", True),   # check digit 1
    ("0000000000", True),   # total 0 -> check digit 11 -> 0
    ("1000000010", False),  # remainder 1 -> check digit 10: never valid
    ("1000000019", False),
    ("943476591", False),   # nine digits
    ("94347659190", False),
])
def test_modulus_11_check_digit(digits, valid):
    assert is_valid_nhs_number(digits) is valid


# The seven ways of writing 943 476 5919 that once slipped past the check.
SEVEN_FORMS = {
    "dots": "943.476.5919",
    "slashes": "943 / 476 / 5919",
    "no-break spaces": "943\u00a0476\u00a05919",
    "zero-width spaces": "943\u200b476\u200b5919",
    "digit by digit": "9 4 3 4 7 6 5 9 1 9",
    "double spaces": "943  476  5919",
    "phone style": "(943) 476-5919",
}


@pytest.mark.parametrize("form", SEVEN_FORMS.values(), ids=SEVEN_FORMS)
def test_the_seven_forms_are_refused(form):
    assert scan(form).nhs_numbers == ("9434765919",)
    assert scan(f"Patient {form} sat out by 18:00.").refused


@pytest.mark.parametrize("text", [
    "Patient 943 476 5919 sat out",
    "nhs no 943-476-5919.",
    "9434765919",
    "(9434765919)",
    "NHS9434765919",
    "943 4765919",                               # partly grouped
    "943476 5919",
    "943\u2013476\u20145919",                    # en and em dashes
    "943\u202f476\u20095919",                    # narrow no-break and thin spaces
    "943\u3000476\u30005919",                    # ideographic spaces
    "943\t476\t5919",                            # pasted from three spreadsheet cells
    "\uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19",  # full-width digits
    "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",  # Arabic-Indic digits
    "9\u00ad4\u00ad3\u20604765919",              # soft hyphens, word joiner
    "9\ufeff4\u200c3\u200d4765919",              # BOM and zero-width (non-)joiners
    "943 . 476 . 5919",
    "[943] 476 5919",
    "943\\476\\5919",
    "943\u00b7476\u00b75919",                    # middle dots
    "9-4-3-4-7-6-5-9-1-9",
    "9\u00a04\u00a03\u00a04\u00a07\u00a06\u00a05\u00a09\u00a01\u00a09",
    "NHS 943 476 5919 12/03/1950",              # a date straight after it
    "seen 12/03/2026 943 476 5919",             # a date straight before it
])
def test_valid_nhs_numbers_are_refused_however_written(text):
    assert scan(text).nhs_numbers == ("9434765919",)


def joined_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


# Ordinary text whose digits, read naively as one run, would hold a valid NHS number: each
# case names that run, and the test first proves it really is valid, so it shows that the
# check keeps separate numbers apart rather than passing by luck.
NOT_ONE_NUMBER = [
    ("On 12/10/2026 11 patients were offered a drink", "1210202611"),   # date, then a count
    ("Huddle 19.10.2026 14.00", "1910202614"),                          # date and time
    ("Sat out: 14/20 15/20 4/10", "1420152041"),                        # counts
    ("Rose from 44.8% to 99.2% then 17.99%", "4489921799"),            # percentages, 3-3-4
    ("Free beds: ward 9, bay 4, 5, 7, 3, 9, 9, 8, 6, 2", "9457399862"),  # a list with commas
    ("Mean scores 3.9 4.4 4.5 1.7 3.2", "3944451732"),                  # decimals, mixed marks
    ("Pain scores 2 4 4 5 3 2 4 5 3 4 3 4", "4453245343"),              # 12 scores, not 10
    ("9 1 9 7 9 2 8 2 3 2 9", "9197928232"),                            # 11 single digits
    ("Call +44 161 676 1768", "1616761768"),                            # international phone
    ("Call 0161 115 6718 (bleep 2933)", "1611156718"),                  # UK phone, 4-3-4
    ("Audits\n564\n111\n6556", "5641116556"),                           # one number a line
    ("Test ran 18/03/2026-14/04/2026", "0261404202"),                   # a date range
    ("Audits on 9/4, 5/2 and 25/10/26", "9452251026"),                  # several dates
    ("943 476 59190", "9434765919"),                                    # eleven digits
    ("1943 476 5919", "9434765919"),
]


@pytest.mark.parametrize("text,run", NOT_ONE_NUMBER)
def test_separate_numbers_are_not_joined_into_one(text, run):
    assert is_valid_nhs_number(run) and run in joined_digits(text)
    assert not scan(text).refused


@pytest.mark.parametrize("text", [
    "943 476 5918",                 # invalid check digit: not an NHS number
    "943.476.5918",
    "9 4 3 4 7 6 5 9 1 8",
    "6 of 8 patients sat out by 18:00",
    "Phone 01632 960 001",           # 11 digits, a phone number
    "ward budget 12345678901",
    "ward 9, bay 4",
    "12.5% of 14/20 at 10:30 on 12/03/2026",
    "",
])
def test_other_numbers_pass(text):
    assert not scan(text).refused


def test_the_text_is_normalised_before_checking():
    assert normalise("\uff19\u00a0\u200b4\u2013\u0663") == "9 4-3"
    assert normalise("plain\ttext") == "plain text"


@pytest.mark.parametrize("text,warning", [
    ("DOB 12/03/1950 on the board", "a date of birth"),
    ("d.o.b: 1.2.50", "a date of birth"),
    ("date of birth 3 March 1948", "a date of birth"),
    ("MRN 12345678", "a hospital number"),
    ("hospital number: K1234567", "a hospital number"),
    ("Mr Smith sat out", "a person's name"),
    ("Mrs J Brown went home", "a person's name"),
    ("asked Mrs J. Brown", "a person's name"),
    ("Ms Patel", "a person's name"),
    ("Miss O'Neill", "a person's name"),
    ("MR SMITH", "a person's name"),
    ("Mr\u00a0McDonald", "a person's name"),
    ("Mx Taylor", "a person's name"),
])
def test_likely_identifiers_give_warnings(text, warning):
    findings = scan(text)
    assert not findings.refused
    assert warning in findings.warnings


@pytest.mark.parametrize("text", [
    "Dr Patel agreed to lead the test",   # clinicians are named in QI notes
    "Prof Jones and Sister Khan",
    "Patient Mr X sat out",                # already anonymised
    "MS clinic",                           # multiple sclerosis
    "we miss Tuesdays",
    "Mrs",
])
def test_titles_without_a_patient_name_give_no_warning(text):
    assert "a person's name" not in scan(text).warnings


def test_own_name_fields_may_carry_a_title():
    assert scan("Mrs Amy Nurse", names=False).warnings == ()
    assert scan("Mrs Amy Nurse 943 476 5919", names=False).refused


def test_ordinary_qi_text_gives_no_warning():
    text = ("Offered a drink in recovery to 8 patients on 12/03/2026; 6 drank by 18:00. "
            "Next: 1 bay for 1 week (week of 16 March).")
    assert scan(text).warnings == ()


def test_profile_form_refuses_nhs_number_and_keeps_other_fields(app, login, world):
    client = login("member_a")
    html = client.post("/auth/profile", data={"name": "Amy 943 476 5919", "profession":
                                              "physiotherapist", "submit": "y"}).get_data(True)
    assert "Name contains what looks like an NHS number" in html
    assert 'value="physiotherapist" selected' in html or 'selected value="physiotherapist"' in html
    with app.app_context():
        from tracker.extensions import db
        assert db.session.get(User, world.member_a).name == "Amy Nurse"


def test_warning_can_be_overridden_after_confirming(app, login, world):
    client = login("member_a")
    html = client.post("/auth/profile", data={"name": "Amy MRN 1234567", "profession": "nurse",
                                              "submit": "y"}).get_data(True)
    assert "This looks like a hospital number" in html
    assert "I have checked: this contains no patient-identifiable data" in html
    response = client.post("/auth/profile", data={"name": "Amy MRN 1234567", "profession": "nurse",
                                                  "confirm_no_pid": "y", "submit": "y"})
    assert response.status_code == 302


def test_profile_name_may_have_a_title(app, login, world):
    response = login("member_a").post("/auth/profile", data={
        "name": "Mrs Amy Nurse", "profession": "nurse", "submit": "y"})
    assert response.status_code == 302
    with app.app_context():
        from tracker.extensions import db
        assert db.session.get(User, world.member_a).name == "Mrs Amy Nurse"


def test_hidden_fields_hold_what_the_app_wrote_and_are_not_scanned(app):
    """A grid row's stamp is hex; some stamps carry ten digits with a valid check digit."""
    from wtforms import HiddenField, StringField

    from tracker.core.forms import PatientSafeForm

    stamp = "d9fc0190410930a1"
    assert scan(stamp).refused  # read as free text, it would be refused

    class RowForm(PatientSafeForm):
        base = HiddenField()
        note = StringField("Note")

    with app.test_request_context(method="POST", data={"base": stamp, "note": "Bay 2"}):
        assert RowForm().validate()
    with app.test_request_context(method="POST", data={"base": stamp, "note": stamp}):
        assert not RowForm().validate()  # the note still is
