"""Checks free text for patient-identifiable data. Standard library only, no Flask.

The app holds no patient-identifiable data. An NHS number (ten digits whose modulus-11 check
digit is valid, with or without spaces or dashes) is refused; a date of birth next to "DOB" or
"date of birth", or something shaped like a hospital number, is a warning the user may override.
"""

import re
from dataclasses import dataclass

# Ten digits, optionally grouped 3-3-4 by spaces or dashes, not inside a longer number.
_NHS_NUMBER = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
_DATE = r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:\d{4}|\d{2})"
_MONTH_DATE = r"\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?,?\s+\d{2,4}"
_DOB = re.compile(
    rf"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?)\s*[:\-]?\s*(?:{_DATE}|{_MONTH_DATE})",
    re.IGNORECASE,
)
_HOSPITAL_NUMBER = re.compile(
    r"\b(?:MRN|hosp(?:ital)?\.?\s*(?:no|num|number)|unit\s+(?:no|number)|RTX|K\s?number)"
    r"\.?\s*[:#]?\s*[A-Z]{0,3}\d{5,9}\b"
    r"|\b[A-Z]{1,2}\d{6,8}\b",
    re.IGNORECASE,
)


def is_valid_nhs_number(digits: str) -> bool:
    """True when ten digits carry a valid modulus-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


@dataclass(frozen=True)
class PidFindings:
    nhs_numbers: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.nhs_numbers)


def scan(text: str | None) -> PidFindings:
    """Find NHS numbers (refused) and other likely identifiers (warnings) in free text."""
    if not text:
        return PidFindings()
    nhs = tuple(
        m.group(0) for m in _NHS_NUMBER.finditer(text) if is_valid_nhs_number("".join(m.groups()))
    )
    warnings = []
    if _DOB.search(text):
        warnings.append("a date of birth")
    if _HOSPITAL_NUMBER.search(text):
        warnings.append("a hospital number")
    return PidFindings(nhs_numbers=nhs, warnings=tuple(warnings))
