"""Checks free text for patient-identifiable data. Standard library only, no Flask.

The app holds no patient-identifiable data. An NHS number (ten digits whose modulus-11 check
digit is valid) is refused however it is typed: in one piece, grouped 3-3-4 or digit by digit,
with any run of spaces (no-break, thin, zero-width...), dots, slashes, dashes or brackets
between the groups. A date of birth next to "DOB", something shaped like a hospital number, or
a surname after a title (Mr, Mrs, Ms, Miss, Mx) is a warning the user may override.
"""

import re
import unicodedata
from dataclasses import dataclass

# Separators that may sit between the digit groups of one number. Line breaks and commas are
# not among them: they separate one number from the next in lists.
_SEPARATOR = r"[ ./\\()\[\]-]"
# A run of digit groups joined only by separators: the unit an NHS number is looked for in.
_CHAIN = re.compile(rf"[0-9]+(?:{_SEPARATOR}+[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")
# How the ten digits of one number may be grouped: in one piece or 3-3-4 (fully or partly).
# Other splits (2-2-4-2 is a date and a count, 4-3-3 a phone number) are where digits of
# separate numbers would join, so they are not read as one number.
_NHS_SHAPES = {(10,), (3, 7), (6, 4), (3, 3, 4)}
_SINGLES = (1,) * 10  # "9 4 3 4 7 6 5 9 1 9", read only with one separator used throughout

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
# A title, optional initials, then a surname of two letters or more ("Mrs J Brown",
# "MR O'NEILL"). Case matters: "MS" is multiple sclerosis and "miss" a verb. "Dr", "Prof" and
# "Sister" are left out: QI notes name the clinicians who run a change.
_TITLED_NAME = re.compile(
    r"\b(?:Mrs|Mr|Ms|Miss|Mx|MRS|MR|MISS)\b\.?[ \t]+(?:[A-Z](?:\.[ \t]*|[ \t]+)){0,3}"
    r"(?:[A-Z][a-z]+|[A-Z]['’]?[A-Z]+[a-z]*)"
)


def is_valid_nhs_number(digits: str) -> bool:
    """True when ten digits carry a valid modulus-11 check digit."""
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def normalise(text: str) -> str:
    """The text as the checks read it: NFKC, invisible format characters and combining marks
    dropped, any space or tab as " ", any dash as "-", any decimal digit as 0-9."""
    if text.isascii():
        return text.replace("\t", " ")
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(ch)
        if category in ("Cf", "Mn", "Me"):  # zero-width spaces, joiners, soft hyphens...
            continue
        if category == "Zs" or ch == "\t":
            ch = " "
        elif category == "Pd" or ch == "\u2212":  # en/em dashes, the minus sign
            ch = "-"
        elif ch == "\u00b7":  # a middle dot between groups reads as a dot
            ch = "."
        elif category == "Nd":
            ch = str(unicodedata.decimal(ch))
        out.append(ch)
    return "".join(out)


def nhs_numbers(text: str) -> tuple[str, ...]:
    """The valid NHS numbers in (normalised) text, as ten digits each."""
    found = []
    for chain in _CHAIN.finditer(text):
        if chain.start() and text[chain.start() - 1] == "+":
            continue  # +44 161 496 0000 is an international phone number
        groups = _GROUP.findall(chain.group())
        separators = _GROUP.split(chain.group())[1:-1]
        found += [number for number in _candidates(groups, separators)
                  if is_valid_nhs_number(number)]
    return tuple(found)


def _candidates(groups: list[str], separators: list[str]):
    """Each run of whole digit groups that adds up to ten digits in an NHS number's shape."""
    for first in range(len(groups)):
        length, last = 0, first
        while last < len(groups) and length < 10:
            length += len(groups[last])
            last += 1
        window = groups[first:last]
        if length != 10:
            continue
        shape = tuple(len(g) for g in window)
        if shape in _NHS_SHAPES:
            yield "".join(window)
        elif shape == _SINGLES and len(set(separators[first:last - 1])) == 1 and not any(
                0 <= i < len(groups) and len(groups[i]) == 1 for i in (first - 1, last)):
            # Exactly ten single digits: in a longer list of scores they are not one number.
            yield "".join(window)


@dataclass(frozen=True)
class PidFindings:
    nhs_numbers: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.nhs_numbers)


def scan(text: str | None, *, names: bool = True) -> PidFindings:
    """Find NHS numbers (refused) and other likely identifiers (warnings) in free text;
    `names=False` for a field meant to hold the user's own name."""
    if not text:
        return PidFindings()
    text = normalise(text)
    warnings = []
    if _DOB.search(text):
        warnings.append("a date of birth")
    if _HOSPITAL_NUMBER.search(text):
        warnings.append("a hospital number")
    if names and _TITLED_NAME.search(text):
        warnings.append("a person's name")
    return PidFindings(nhs_numbers=nhs_numbers(text), warnings=tuple(warnings))
