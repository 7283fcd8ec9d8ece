"""Plain factory functions for tests: each adds to the session and flushes, never commits."""

import functools
import itertools
from datetime import date

from werkzeug.security import generate_password_hash

from tracker.extensions import db
from tracker.models import (
    ChangeIdea,
    Collaborative,
    CollaborativeRole,
    CollaborativeRoleKind,
    Cycle,
    LearningEvent,
    Membership,
    Profession,
    Site,
    SiteRole,
    User,
)

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@functools.cache
def _hash(password: str) -> str:
    # Hashing is slow by design (scrypt, about 0.15 s of CPU here), and so is checking it at
    # every sign-in through the form. Test accounts need no protection: a cheap method the app
    # checks the same way (the stored hash names its method). Passwords the app sets itself
    # still use its default.
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


def make_collaborative(name: str | None = None, **overrides) -> Collaborative:
    collaborative = Collaborative(name=name or f"Collaborative {next(_seq)}",
                                  aim="Improve things", **overrides)
    db.session.add(collaborative)
    db.session.flush()
    return collaborative


def make_site(collaborative: Collaborative, name: str | None = None, **overrides) -> Site:
    site = Site(name=name or f"Site {next(_seq)}", organisation="Test Trust",
                collaborative_id=collaborative.id, **overrides)
    db.session.add(site)
    db.session.flush()
    return site


def make_user(
    *, site: Site | None = None, role: str = "member", collaborative: Collaborative | None = None,
    email: str | None = None, name: str | None = None, profession: Profession = Profession.NURSE,
    password: str = PASSWORD, flush: bool = True,
) -> User:
    """A user with `role`: member/site_lead at `site`, faculty/partner of `collaborative`, admin.

    flush=False leaves the flush to the caller, so many users go in one batch of INSERTs.
    """
    n = next(_seq)
    user = User(email=email or f"user{n}@example.org", name=name or f"User {n}",
                profession=profession)
    user.password_hash = _hash(password)
    db.session.add(user)
    if role in ("member", "site_lead"):
        db.session.add(Membership(user=user, site=site, role=SiteRole(role)))
    elif role in ("faculty", "partner"):
        db.session.add(CollaborativeRole(user=user, collaborative=collaborative,
                                         role=CollaborativeRoleKind(role)))
    elif role == "admin":
        user.is_admin = True
    if flush:
        db.session.flush()
    return user


def make_idea(site: Site, **overrides) -> ChangeIdea:
    idea = ChangeIdea(collaborative_id=site.collaborative_id, origin_site_id=site.id,
                      title=overrides.pop("title", f"Idea {next(_seq)}"), **overrides)
    db.session.add(idea)
    db.session.flush()
    return idea


def make_cycle(site: Site, **overrides) -> Cycle:
    cycle = Cycle(site_id=site.id, title=overrides.pop("title", f"Cycle {next(_seq)}"),
                  **overrides)
    db.session.add(cycle)
    db.session.flush()
    return cycle


def make_event(collaborative: Collaborative, starts_at, **overrides) -> LearningEvent:
    event = LearningEvent(collaborative_id=collaborative.id, kind=overrides.pop("kind", "webinar"),
                          title=overrides.pop("title", f"Event {next(_seq)}"),
                          starts_at=starts_at, **overrides)
    db.session.add(event)
    db.session.flush()
    return event


__all__ = ["PASSWORD", "date", "make_collaborative", "make_cycle", "make_event", "make_idea",
           "make_site", "make_user"]


def make_measure(collaborative_id: int, **overrides):
    from tracker.models import DataKind, Measure, MeasureKind

    measure = Measure(collaborative_id=collaborative_id,
                      name=overrides.pop("name", f"Measure {next(_seq)}"),
                      kind=overrides.pop("kind", MeasureKind.OUTCOME),
                      data_kind=overrides.pop("data_kind", DataKind.PROPORTION), **overrides)
    db.session.add(measure)
    db.session.flush()
    return measure


def make_values(measure, site, series, *, start=None, **overrides) -> list:
    """One stored value per period of `series` for a measure at a site, None leaving a gap.

    Items are (numerator, denominator) pairs for proportions, plain numbers otherwise. The
    periods run to the current one unless `start` (a period start) says where they begin.
    """
    from tracker.measures import periods
    from tracker.models import MeasureValue

    if start is None:
        start = periods.recent_periods(measure.frequency, len(series))[-1]
    rows, period = [], start
    for item in series:
        if item is not None:
            pair = isinstance(item, tuple)
            rows.append(MeasureValue(
                measure_id=measure.id, site_id=site.id, period_start=period,
                numerator=item[0] if pair else None, denominator=item[1] if pair else None,
                value=None if pair else float(item), **overrides))
        period = periods.next_period(period, measure.frequency)
    db.session.add_all(rows)
    db.session.flush()
    return rows


def make_comment(target, author, body="A comment", **overrides):
    """A comment on a cycle or an idea (no notifications: use the services for those)."""
    from tracker.models import Comment, Cycle

    comment = Comment(cycle_id=target.id if isinstance(target, Cycle) else None,
                      idea_id=None if isinstance(target, Cycle) else target.id,
                      author_id=author if isinstance(author, int) else author.id, body=body,
                      **overrides)
    db.session.add(comment)
    db.session.flush()
    return comment


def make_feedback(cycle, author, body="Good test", **overrides):
    from tracker.models import Feedback

    feedback = Feedback(cycle_id=cycle.id, body=body,
                        author_id=author if isinstance(author, int) else author.id, **overrides)
    db.session.add(feedback)
    db.session.flush()
    return feedback


def make_feedback_request(cycle, requested_by, **overrides):
    from tracker.models import FeedbackRequest

    request = FeedbackRequest(
        cycle_id=cycle.id,
        requested_by_id=requested_by if isinstance(requested_by, int) else requested_by.id,
        **overrides)
    db.session.add(request)
    db.session.flush()
    return request
