"""Inviting many people at once from a table with the columns name, email, role and site.

`read` turns pasted text or an uploaded CSV/XLSX file into rows (the measure import's reader);
`check` looks at every row as `by` would be allowed to invite, in a fixed number of queries,
and says what each row would do or why it cannot; `send` invites every row of a clean check,
all or none. The web page and `flask invite --csv` share all three.
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy.orm import selectinload

from ..auth import services as auth_services
from ..core import audit
from ..core.queries import sites_visible_to
from ..extensions import db
from ..measures.front import MAX_BYTES, FileProblem, find_nhs_number, read_table
from ..models import (
    Collaborative,
    CollaborativeRoleKind,
    Invitation,
    InvitationState,
    Site,
    SiteRole,
    User,
)
from ..models.people import normalise_email

COLUMNS = ("name", "email", "role", "site")
MAX_INVITATIONS = 200  # one team or one collaborative's faculty at a time
# What the role column may say, and what it means.
ROLE_WORDS = {
    "member": SiteRole.MEMBER, "team member": SiteRole.MEMBER,
    "site lead": SiteRole.SITE_LEAD,
    "faculty": CollaborativeRoleKind.FACULTY,
    "partner": CollaborativeRoleKind.PARTNER,
    "lived-experience partner": CollaborativeRoleKind.PARTNER,
}
ROLE_HELP = "member, site lead, faculty or partner"

__all__ = ["COLUMNS", "MAX_BYTES", "MAX_INVITATIONS", "Check", "FileProblem", "Row", "check",
           "read", "send"]


@dataclass
class Row:
    """One line of the table: what was typed, what it would do, what is wrong with it."""

    number: int  # as a spreadsheet numbers it (the header is row 1)
    name: str
    email: str
    role: str
    place: str
    role_key: str = ""  # "site:ID:ROLE" or "collab:ID:ROLE", as auth.services.invite takes
    role_label: str = ""
    errors: list[str] = field(default_factory=list)
    already: str = ""  # why nothing needs doing for this row

    @property
    def to_send(self) -> bool:
        return not self.errors and not self.already


@dataclass
class Check:
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the table as a whole

    @property
    def errors(self) -> list[Row]:
        return [row for row in self.rows if row.errors]

    @property
    def to_send(self) -> list[Row]:
        return [row for row in self.rows if row.to_send]

    @property
    def ok(self) -> bool:
        """Nothing wrong anywhere, and something to send."""
        return not self.problems and not self.errors and bool(self.to_send)


def read(content: bytes, filename: str) -> tuple[str, list[list[str]]]:
    """The table as CSV text (to show and correct) and as rows of stripped text; raises
    FileProblem for a file that cannot be read or holds what looks like an NHS number."""
    table = read_table(content, filename)
    where = find_nhs_number([table])
    if where:
        raise FileProblem(f"The table holds what looks like an NHS number ({where}). Remove "
                          "patient-identifiable data and try again.")
    rows = [[_text(cell) for cell in row] for row in table.rows]
    while rows and not any(rows[-1]):
        rows.pop()
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue(), rows


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def check(rows: list[list[str]], *, by: User) -> Check:
    """What inviting every row would do, as `by` may invite; nothing is written."""
    result = Check()
    columns = _columns(rows[0] if rows else [])
    if columns is None:
        result.problems.append("The first row must name the columns: name, email, role, site "
                               "(in any order).")
        return result
    result.rows = [Row(number, *(_at(cells, columns[c]) for c in COLUMNS))
                   for number, cells in enumerate(rows[1:], 2) if any(cells)]
    if not result.rows:
        result.problems.append("There is no one to invite below the header row.")
    elif len(result.rows) > MAX_INVITATIONS:
        result.problems.append(f"{len(result.rows)} rows: invite at most {MAX_INVITATIONS} "
                               "people at a time.")
    else:
        _Lookup(result.rows, by).check_all()
    return result


def _columns(header: list[str]) -> dict[str, int] | None:
    names = [h.strip().lower() for h in header]
    if not all(c in names for c in COLUMNS):
        return None
    return {c: names.index(c) for c in COLUMNS}


def _at(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


class _Lookup:
    """Everything the rows name, fetched once: places, accounts and open invitations."""

    def __init__(self, rows: list[Row], by: User) -> None:
        self.rows, self.by = rows, by
        names = {row.place.casefold() for row in rows if row.place}
        emails = {normalise_email(row.email) for row in rows}
        # Archived sites and collaboratives take no one new: they read as unknown.
        self.sites = _by_name(sites_visible_to(by).where(db.func.lower(Site.name).in_(names)))
        self.collaboratives = _by_name(db.select(Collaborative).where(
            Collaborative.archived_at.is_(None), db.func.lower(Collaborative.name).in_(names)))
        self.users = {u.email: u for u in db.session.scalars(
            db.select(User).where(User.email.in_(emails))
            .options(selectinload(User.memberships), selectinload(User.collaborative_roles)))}
        self.open = db.session.scalars(db.select(Invitation).where(
            Invitation.email.in_(emails), Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None))).all()

    def check_all(self) -> None:
        seen: dict[str, int] = {}
        for row in self.rows:
            row.email = normalise_email(row.email)
            self._check_fields(row)
            if row.email in seen:
                row.errors.append(f"Email: {row.email} is also in row {seen[row.email]} (one "
                                  "row per person).")
            elif row.email:
                seen[row.email] = row.number
            if not row.errors:
                self._check_person(row)

    def _check_fields(self, row: Row) -> None:
        if not row.name:
            row.errors.append("Name: enter the person's name.")
        elif len(row.name) > 120:
            row.errors.append("Name: longer than 120 characters.")
        try:
            validate_email(row.email, check_deliverability=False)
        except EmailNotValidError:
            row.errors.append(f"Email: “{row.email[:60]}” is not an email address."
                              if row.email else "Email: enter an email address.")
        # "Site lead", "site_lead" and "SITE  LEAD" are one role.
        role = ROLE_WORDS.get(" ".join(row.role.replace("_", " ").lower().split()))
        if role is None:
            row.errors.append(f"Role: “{row.role[:30]}” is not a role: use {ROLE_HELP}.")
        elif isinstance(role, SiteRole):
            self._site_role(row, role)
        else:
            self._collaborative_role(row, role)

    def _site_role(self, row: Row, role: SiteRole) -> None:
        site = self._one(row, self.sites, "site")
        if site is None:
            return
        if not site.can_manage(self.by):
            row.errors.append(f"Site: you do not manage the {site.name} team, so you cannot "
                              "invite people to it.")
        row.role_key, row.role_label = f"site:{site.id}:{role.value}", f"{role.label}, {site.name}"

    def _collaborative_role(self, row: Row, role: CollaborativeRoleKind) -> None:
        collaborative = self._one(row, self.collaboratives, "collaborative or network")
        if collaborative is None:
            return
        if not collaborative.can_manage(self.by):
            row.errors.append(f"Site: you do not manage {collaborative.name}, so you cannot "
                              f"invite its {role.label.lower()}.")
        row.role_key = f"collab:{collaborative.id}:{role.value}"
        row.role_label = f"{role.label}, {collaborative.name}"

    def _one(self, row: Row, places: dict, kind: str):
        found = places.get(row.place.casefold(), [])
        if not row.place:
            row.errors.append(f"Site: name the {kind}.")
        elif not found:
            row.errors.append(f"Site: “{row.place[:60]}” is not a {kind} taking part.")
        elif len(found) > 1:
            row.errors.append(f"Site: “{row.place[:60]}” names a site in more than one "
                              "collaborative; invite these people one at a time.")
        else:
            return found[0]
        return None

    def _check_person(self, row: Row) -> None:
        kind, place_id, role = row.role_key.split(":")
        user = self.users.get(row.email)
        if user is not None:
            held = ({(m.site_id, m.role.value) for m in user.memberships} if kind == "site"
                    else {(r.collaborative_id, r.role.value) for r in user.collaborative_roles})
            if (int(place_id), role) in held:
                row.already = "Already has this role: nothing to do."
            else:
                row.errors.append(f"Email: {row.email} already has an account. Invite them "
                                  "one at a time; they accept after signing in.")
            return
        pending = next((i for i in self.open if i.email == row.email
                        and _role_key(i) == row.role_key
                        and i.state(_max_age()) == InvitationState.PENDING), None)
        if pending is not None:
            row.already = (f"Already invited on {pending.sent_at:%-d %b %Y}: resend it from "
                           "the invitations list if it was lost.")


def _by_name(query) -> dict[str, list]:
    found: dict[str, list] = {}
    for thing in db.session.scalars(query):
        found.setdefault(thing.name.casefold(), []).append(thing)
    return found


def _role_key(invitation: Invitation) -> str:
    if invitation.site_id:
        return f"site:{invitation.site_id}:{invitation.site_role.value}"
    return f"collab:{invitation.collaborative_id}:{invitation.collaborative_role.value}"


def _max_age():
    return current_app.config["INVITE_MAX_AGE"]


def send(result: Check, *, by: User) -> list[tuple[Row, Invitation]]:
    """Create an invitation for every row that needs it (the check must be clean); flushes.
    The caller commits, then emails each with `auth.services.email_invitation`, so a failure
    part-way leaves neither invitations nor emails."""
    if not result.ok:
        raise ValueError("Only a clean check is sent.")
    sent = [(row, auth_services.invite(row.email, row.role_key, by=by, name=row.name,
                                       send=False))
            for row in result.to_send]
    roles = Counter(row.role_label for row, _ in sent)
    audit.record("auth.invitations_imported", actor=by,
                 detail="; ".join(f"{n} × {label}" for label, n in roles.items()))
    return sent
