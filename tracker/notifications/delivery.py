"""Emailing notifications: immediately after the action, or in a daily digest.

Never twice. Each user's pending rows are claimed in one UPDATE ... WHERE email_claimed_at IS
NULL, committed before anything is sent: of two runs at once only one claim can match a row
(SQLite serialises writers; PostgreSQL re-checks the WHERE after the other's lock), and a run
killed between its claim and its send leaves the rows claimed and unsent. That loses at most
one email's worth, still readable in the app, rather than ever sending one twice. The unit of
work is one user: claim, commit, send, mark sent, commit.
"""

import secrets
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context, request, url_for

from ..core import jobs
from ..core.mail import send_mail
from ..core.notify import link_for
from ..core.versions import unshown
from ..extensions import db
from ..models import (
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
    User,
    utcnow,
)

DEFAULT_EMAIL = {
    NotificationKind.MENTION: EmailChoice.IMMEDIATELY,
    NotificationKind.FEEDBACK_REQUESTED: EmailChoice.IMMEDIATELY,
    NotificationKind.FEEDBACK_GIVEN: EmailChoice.IMMEDIATELY,
    NotificationKind.REPLY: EmailChoice.DAILY,
    NotificationKind.COMMENT: EmailChoice.DAILY,
    NotificationKind.IDEA_ACTIVITY: EmailChoice.DAILY,
    NotificationKind.EVENT: EmailChoice.DAILY,
    NotificationKind.INVITE: EmailChoice.NEVER,  # invitations are emailed by auth itself
    NotificationKind.SUSTAIN_CHECK: EmailChoice.DAILY,
    NotificationKind.MEASURE_CONCERN: EmailChoice.DAILY,
    # The user who confirmed the import waits for it in the app; an email the next day is
    # news to nobody.
    NotificationKind.MEASURE_IMPORT: EmailChoice.NEVER,
}
# Notifications older than this are not emailed any more (e.g. after switching email on).
EMAIL_WITHIN = timedelta(days=7)
# Errors that mean the server did not take the message: the claim is released for a retry.
NOT_ACCEPTED = (ConnectionRefusedError, smtplib.SMTPConnectError, smtplib.SMTPRecipientsRefused,
                smtplib.SMTPSenderRefused, smtplib.SMTPDataError, smtplib.SMTPHeloError)


def preferences(user_ids: Iterable[int]) -> dict[int, dict[NotificationKind, EmailChoice]]:
    """Each user's email choice per kind, defaults filled in (one query)."""
    ids = set(user_ids)
    chosen = {uid: dict(DEFAULT_EMAIL) for uid in ids}
    if ids:
        for pref in db.session.scalars(
                db.select(NotificationPreference).where(NotificationPreference.user_id.in_(ids))):
            chosen[pref.user_id][pref.kind] = pref.email
    return chosen


def email_immediately() -> None:
    """At the end of a request: email the people notify() told who want it straight away,
    as a background job (at once, in this process, without Redis).

    The request's uncommitted work is rolled back first (as the request's end would do), so
    only notifications the view committed are claimed and sent."""
    ids = g.pop("notified_user_ids", set()) if has_app_context() else set()
    if not ids:
        return
    db.session.rollback()
    jobs.enqueue(deliver_immediately, sorted(ids), request.host_url)


@jobs.job
def deliver_immediately(user_ids: list[int], base_url: str) -> int:
    """Email each of these users their pending notifications of the kinds they want at once.
    Safe to run again (a retry): rows already claimed are never sent twice."""
    sent = 0
    for user_id, choices in preferences(user_ids).items():
        kinds = [k for k, c in choices.items() if c == EmailChoice.IMMEDIATELY]
        sent += _deliver(user_id, kinds, base_url=base_url, digest=False)
    return sent


@jobs.periodic("0 7 * * *", "PUBLIC_URL")  # every day at 07:00 UTC
def send_daily_digests(public_url: str) -> None:
    """The daily digest as a periodic job (the `send-digests` command does the same)."""
    result = send_digests(base_url=public_url)
    current_app.logger.info("Digests: %s emails with %s notifications (%s stranded)",
                            result.emails, result.notifications, result.stranded)


@dataclass
class DigestResult:
    emails: int = 0
    notifications: int = 0
    stranded: int = 0  # claimed by a run that stopped before sending: never sent again


def send_digests(*, base_url: str, now: datetime | None = None) -> DigestResult:
    """Email every user their pending notifications (daily digest, and any immediate ones
    the request could not send), one user at a time. Safe to run twice at once."""
    now = now or utcnow()
    db.session.commit()
    pending = db.session.scalars(
        db.select(Notification.user_id).distinct().join(User, User.id == Notification.user_id)
        .where(Notification.email_claimed_at.is_(None), Notification.read_at.is_(None),
               Notification.created_at >= now - EMAIL_WITHIN, User.active.is_(True))
        .order_by(Notification.user_id)).all()
    result = DigestResult()
    for user_id, choices in preferences(pending).items():
        kinds = [k for k, c in choices.items() if c != EmailChoice.NEVER]
        count = _deliver(user_id, kinds, base_url=base_url, digest=True, now=now)
        result.emails += bool(count)
        result.notifications += count
    result.stranded = db.session.scalar(
        db.select(sa.func.count()).where(
            Notification.email_claimed_at.is_not(None), Notification.emailed_at.is_(None),
            Notification.email_claimed_at < now - timedelta(hours=1))) or 0
    db.session.commit()
    return result


def _deliver(user_id: int, kinds: list[NotificationKind], *, base_url: str, digest: bool,
             now: datetime | None = None) -> int:
    """Claim, commit, send one email, mark sent. Returns how many notifications it carried."""
    if not kinds:
        return 0
    now = now or utcnow()
    token = secrets.token_hex(16)
    # End any open transaction first: on SQLite the UPDATE must open its own transaction to
    # take the write lock (waiting out the other writer) rather than fail on a stale read.
    db.session.commit()
    with unshown():  # an email's claim and sending: no kept page shows them (nor below)
        claimed = db.session.execute(
            sa.update(Notification)
            .where(Notification.user_id == user_id, Notification.email_claimed_at.is_(None),
                   Notification.read_at.is_(None), Notification.kind.in_(kinds),
                   Notification.created_at >= now - EMAIL_WITHIN)
            .values(email_claim=token, email_claimed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    db.session.commit()
    if not claimed:
        return 0
    user = db.session.get(User, user_id)
    rows = db.session.scalars(
        db.select(Notification).where(Notification.email_claim == token)
        .order_by(Notification.created_at, Notification.id)).all()
    try:
        send_mail(user.email, _subject(rows, digest), _body(user, rows, base_url))
    except NOT_ACCEPTED:
        current_app.logger.exception("Email to user %s not accepted; it will be retried.", user_id)
        with unshown():
            db.session.execute(sa.update(Notification).where(Notification.email_claim == token)
                               .values(email_claim=None, email_claimed_at=None))
        db.session.commit()
        return 0
    with unshown():
        db.session.execute(sa.update(Notification).where(Notification.email_claim == token)
                           .values(emailed_at=utcnow()))
    db.session.commit()
    return len(rows)


def _subject(rows: list[Notification], digest: bool) -> str:
    if len(rows) == 1 and not digest:
        return rows[0].text[:120]
    return f"PDSA Tracker: {len(rows)} new notification{'s' if len(rows) != 1 else ''}"


def _body(user: User, rows: list[Notification], base_url: str) -> str:
    lines = [f"Hello {user.name},", ""]
    with current_app.test_request_context(base_url=base_url):
        for n in rows:
            link = link_for(n)
            lines.append(f"- {n.text}")
            if link:
                lines.append(f"  {base_url.rstrip('/')}{link}")
        prefs = url_for("notifications.preferences", _external=True)
    lines += ["", f"Choose which emails you get: {prefs}",
              "Please never reply with patient-identifiable data."]
    return "\n".join(lines)
