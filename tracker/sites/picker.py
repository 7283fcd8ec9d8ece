"""Choosing one site from many: a list while it is short, a box to type in once it is long.

A collaborative of a few dozen sites is best chosen from a <select>. A national one of 1,500
would put 1,500 options (80 KB) in every page that filters by site, and nobody scrolls them:
past LISTED sites the page shows a text box instead, which suggests names as one types (from
`sites.lookup`, by static/site-picker.js) and takes a site's name, or its id from a link.
Without scripts, typing the whole name works the same.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask import url_for
from sqlalchemy import Select
from wtforms import StringField
from wtforms.validators import StopValidation

from ..core.args import parse_id
from ..extensions import db
from ..models import Site

LISTED = 100  # up to this many sites are listed; more are typed
SUGGESTED = 20  # names one lookup returns


class Choice(NamedTuple):
    """What the picker shows of a site: read as plain columns, not as Site objects (a
    national collaborative's page would otherwise build 101 of them to learn it has more)."""

    id: int
    name: str
    archived_at: datetime | None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


@dataclass
class SitePick:
    """A site field as the page shows it: every site to list (or None: typed), the site
    chosen, what was typed (kept when it matched no site) and why it was refused."""

    sites: list[Choice] | None
    chosen: Choice | None
    text: str
    error: str = ""
    lookup: str = ""  # where the box asks for suggestions

    @property
    def chosen_id(self) -> int | None:
        return self.chosen.id if self.chosen is not None else None

    @property
    def filter_id(self) -> int | None:
        """The site id to filter by: the chosen site's, or an id typed (or in a link) that
        names no site one may pick, which then matches nothing, as any unseen id would."""
        return self.chosen_id if self.chosen is not None else parse_id(self.text)


def pick_site(allowed: Select, raw: object, *, collaborative_id: int | None = None,
              strict: bool = False) -> SitePick:
    """The site `raw` names (an id, or a name, any case) among `allowed` (a select of Site,
    ordered by name). One query while the sites are few enough to list, two past that.
    A name that matches none is refused; so is an id, when `strict` (a choice to act on,
    not a filter)."""
    text = str(raw or "").strip()[:200]
    allowed = allowed.with_only_columns(Site.id, Site.name, Site.archived_at)
    listed = [Choice(*row) for row in db.session.execute(allowed.limit(LISTED + 1))]
    if len(listed) <= LISTED:
        chosen = _match(listed, text)
        sites = listed
    else:
        sites = None
        found = db.session.execute(allowed.where(_named(text)).limit(1)).first() if text else None
        chosen = Choice(*found) if found else None
    if chosen is not None or not text or (parse_id(text) is not None and not strict):
        error = ""
    elif parse_id(text) is not None:
        error = "Choose one of the sites offered."
    else:
        error = f"No site called “{text}” here: type part of its name and choose from the list."
    lookup = url_for("sites.lookup", collaborative=collaborative_id) if sites is None else ""
    return SitePick(sites, chosen, "" if chosen is not None else text, error, lookup)


def _match(sites: list[Choice], text: str) -> Choice | None:
    number = parse_id(text)
    name = _plain(text)
    return next((s for s in sites if s.id == number or s.name.casefold() == name), None)


def _named(text: str):
    number = parse_id(text)
    if number is not None:
        return Site.id == number
    return sa.func.lower(Site.name) == _plain(text)


def _plain(text: str) -> str:
    """A typed name as it is compared: no case, no "(left)" that the list shows on a site
    that has left."""
    name = text.casefold().strip()
    return name.removesuffix("(left)").strip()


def suggestions(allowed: Select, typed: str) -> list[dict]:
    """Up to SUGGESTED sites among `allowed` whose name holds `typed`, names starting with it
    first."""
    typed = typed.strip()[:100]
    if not typed:
        return []
    escaped = typed.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    name = sa.func.lower(Site.name)
    rows = db.session.scalars(
        allowed.where(name.like(f"%{escaped}%", escape="\\")).order_by(None)
        .order_by(sa.case((name.like(f"{escaped}%", escape="\\"), 0), else_=1), Site.name)
        .limit(SUGGESTED)).all()
    return [{"id": s.id, "name": f"{s.name} (left)" if s.is_archived else s.name} for s in rows]


class SiteField(StringField):
    """A form's site, by id or by name: `offer` (after the form reads its data, before it
    validates) finds it among the allowed sites; then `data` is its id (or None) and `pick`
    what the page shows. A name that matches no site is refused with a message."""

    pick: SitePick | None = None

    def offer(self, allowed: Select, *, collaborative_id: int | None = None,
              strict: bool = False) -> None:
        self.pick = pick_site(allowed, self.data, collaborative_id=collaborative_id,
                              strict=strict)
        self.data = self.pick.filter_id

    def pre_validate(self, form) -> None:
        if self.pick is not None and self.pick.error:
            raise StopValidation(self.pick.error)
