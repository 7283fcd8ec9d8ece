"""No patient-identifiable data: NHS numbers refused, other identifiers warned."""

import pytest

from tracker.core.pid import is_valid_nhs_number, scan
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


@pytest.mark.parametrize("text", [
    "Patient 943 476 5919 sat out",
    "nhs no 943-476-5919.",
    "9434765919",
    "(9434765919)",
])
def test_valid_nhs_numbers_are_refused_with_or_without_spaces_or_dashes(text):
    assert scan(text).refused


@pytest.mark.parametrize("text", [
    "943 476 5918",                 # invalid check digit: not an NHS number
    "6 of 8 patients sat out by 18:00",
    "Phone 01632 960 001",           # 11 digits, a phone number
    "ward budget 12345678901",
    "",
])
def test_other_numbers_pass(text):
    assert not scan(text).refused


@pytest.mark.parametrize("text,warning", [
    ("DOB 12/03/1950 on the board", "a date of birth"),
    ("d.o.b: 1.2.50", "a date of birth"),
    ("date of birth 3 March 1948", "a date of birth"),
    ("MRN 12345678", "a hospital number"),
    ("hospital number: K1234567", "a hospital number"),
])
def test_likely_identifiers_give_warnings(text, warning):
    findings = scan(text)
    assert not findings.refused
    assert warning in findings.warnings


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
