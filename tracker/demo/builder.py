"""Build the demo in phases, in a fixed order: each phase draws from the one seeded RNG."""

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import Collaborative, User
from . import bulk, conversation, cycles, photos, reporting, sustain, values, world
from .context import Context
from .tables import ACCOUNTS, COLLABORATIVE, SCALES

# Reordering these, or the draws inside one, changes every row after it.
PHASES: tuple[Callable[[Context], str], ...] = (
    world.collaborative, world.sites, world.users, world.drivers_and_ideas, world.measures,
    values.values, cycles.cycles, conversation.comments, conversation.feedback,
    conversation.events, reporting.reporting, bulk.finish, sustain.sustain, photos.snack_box,
    bulk.statistics)


def build_demo(scale: str = "demo", *, echo: Callable[[str], object] = print,
               today: date | None = None) -> None:
    """Add the demo collaborative to the session and flush (never commit) unless it exists."""
    if db.session.scalar(sa.select(Collaborative.id).where(Collaborative.name == COLLABORATIVE)):
        echo("Demo already present: nothing changed.")
        return
    ctx = Context(SCALES[scale], today or date.today())
    for phase in PHASES:
        echo(phase(ctx))


def demo_accounts() -> list[tuple[str, str]]:
    """The well-known demo logins that exist in the database now, with what each one is."""
    emails = [email for email, _ in ACCOUNTS]
    found = set(db.session.scalars(sa.select(User.email).where(User.email.in_(emails))))
    return [(email, label) for email, label in ACCOUNTS if email in found]
