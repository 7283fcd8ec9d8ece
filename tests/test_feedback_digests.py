"""`flask send-digests` against a local SMTP server (aiosmtpd on 127.0.0.1): every pending
notification is emailed once, never twice, even with two runs at once or a run killed
half-way."""

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from tests import factories as f
from tests.conftest import make_config
from tracker import create_app
from tracker.core.notify import notify
from tracker.extensions import db
from tracker.models import (
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
    Site,
    User,
    utcnow,
)
from tracker.notifications import delivery

# Other threads, processes and apps read what these tests write: it must be truly committed.
pytestmark = pytest.mark.committed


class Inbox:
    """An aiosmtpd handler keeping what it receives; it can refuse some recipients."""

    def __init__(self, delay: float = 0.0):
        self.messages: list = []
        self.refuse: set[str] = set()
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # a slow server, so concurrent runs overlap
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox(delay=0.01)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


MAIL = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None}


@pytest.fixture
def smtp_app(app, _schema, smtp):
    port, _ = smtp
    smtp_app = create_app(make_config(_schema, MAIL_PORT=port, **MAIL))
    yield smtp_app
    with smtp_app.app_context():
        db.session.remove()
        db.engine.dispose()


def pending_world(app, world, users: int = 0, per_user: int = 2) -> list[int]:
    """Daily-digest notifications for the world's people and `users` more; their ids."""
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        extra = [f.make_user(site=site, email=f"digest{i}@example.org").id
                 for i in range(users)]
        ids = [world.member_a, world.lead_a, world.faculty, *extra]
        for i in range(per_user):
            notify(ids, NotificationKind.COMMENT, f"Comment {i} on your cycle")
        db.session.commit()
        return ids


def emailed(app) -> tuple[int, int]:
    with app.app_context():
        total = db.session.scalar(db.select(db.func.count(Notification.id)))
        sent = db.session.scalar(db.select(db.func.count(Notification.id))
                                 .where(Notification.emailed_at.is_not(None)))
        return sent, total


def test_digest_sends_one_email_per_user_and_a_second_run_sends_nothing(smtp_app, world,
                                                                        smtp):
    _, inbox = smtp
    pending_world(smtp_app, world)
    runner = smtp_app.test_cli_runner()
    result = runner.invoke(args=["send-digests", "--base-url", "https://qi.example.org"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Sent 3 emails with 6 notifications."
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        ["member.a@example.org", "lead.a@example.org", "faculty@example.org"])
    body = inbox.to("member.a@example.org")[0].get_payload(decode=True).decode()
    assert "Comment 0 on your cycle" in body and "Comment 1 on your cycle" in body
    assert "https://qi.example.org/notifications/preferences" in body
    assert emailed(smtp_app) == (6, 6)
    again = runner.invoke(args=["send-digests"])
    assert again.output.strip() == "Sent 0 emails with 0 notifications."
    assert len(inbox.messages) == 3


def test_read_never_and_old_notifications_are_not_emailed(smtp_app, world, smtp):
    _, inbox = smtp
    pending_world(smtp_app, world, per_user=1)
    with smtp_app.app_context():
        db.session.add(NotificationPreference(user_id=world.lead_a, kind=NotificationKind.COMMENT,
                                              email=EmailChoice.NEVER))
        row = db.session.scalars(db.select(Notification).filter_by(user_id=world.faculty)).one()
        row.read_at = utcnow()
        old = notify([world.member_b], NotificationKind.COMMENT, "Long ago")[0]
        old.created_at = utcnow() - timedelta(days=8)
        db.session.commit()
        delivery.send_digests(base_url="http://x")
    assert [m["To"] for m in inbox.messages] == ["member.a@example.org"]


def test_two_runs_at_once_never_send_twice(smtp_app, world, smtp):
    """Two threads, each its own app and connection, race through the same users."""
    _, inbox = smtp
    ids = pending_world(smtp_app, world, users=25)
    start = threading.Barrier(2)
    results, errors = [], []
    # Built here, one after the other: CPython 3.11.7 can fail compiling code in two threads
    # at once ("AST constructor recursion depth mismatch"), and building apps is not the race.
    workers = [create_app(make_config(smtp_app.config["SQLALCHEMY_DATABASE_URI"],
                                      MAIL_PORT=smtp_app.config["MAIL_PORT"], **MAIL))
               for _ in range(2)]

    def run(worker):
        try:
            with worker.app_context():
                start.wait()
                results.append(delivery.send_digests(base_url="http://x"))
                db.session.remove()
                db.engine.dispose()
        except Exception as error:  # reported below, with the thread's traceback lost
            errors.append(error)

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    recipients = [m["To"] for m in inbox.messages]
    assert len(recipients) == len(ids) == len(set(recipients))
    assert sum(r.emails for r in results) == len(ids)
    assert emailed(smtp_app) == (2 * len(ids), 2 * len(ids))


def test_two_cron_processes_at_once_never_send_twice(smtp_app, world, smtp, tmp_path):
    """The real cron case: two `flask send-digests` processes started together."""
    port, inbox = smtp
    ids = pending_world(smtp_app, world, users=12)
    env = {**os.environ, "DATABASE_URL": smtp_app.config["SQLALCHEMY_DATABASE_URI"],
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "MAIL_USE_TLS": "0",
           "MAIL_BACKEND": "smtp", "PUBLIC_URL": "https://qi.example.org"}
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    runs = [subprocess.Popen([flask, "--app", "wsgi", "send-digests"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    sent = [int(out.split()[1]) for out, _ in outputs]
    assert sum(sent) == len(ids)
    recipients = [m["To"] for m in inbox.messages]
    assert sorted(recipients) == sorted(set(recipients)) and len(recipients) == len(ids)


def test_a_run_killed_between_claim_and_send_never_sends_those_later(smtp_app, world, smtp,
                                                                     monkeypatch):
    _, inbox = smtp
    pending_world(smtp_app, world)
    calls = []

    def killed(to, subject, body):
        calls.append(to)
        raise KeyboardInterrupt  # the process dies with the first user's rows claimed

    with smtp_app.app_context():
        monkeypatch.setattr(delivery, "send_mail", killed)
        with pytest.raises(KeyboardInterrupt):
            delivery.send_digests(base_url="http://x")
        db.session.rollback()
        monkeypatch.undo()
        later = utcnow() + timedelta(hours=2)
        result = delivery.send_digests(base_url="http://x", now=later)
    assert result.emails == 2 and result.stranded == 2
    assert calls[0] not in [m["To"] for m in inbox.messages]
    assert len(inbox.messages) == 2
    again = smtp_app.test_cli_runner().invoke(args=["send-digests"])
    assert "Sent 0 emails" in again.output
    assert len(inbox.messages) == 2


def test_a_refused_recipient_is_retried_on_the_next_run(smtp_app, world, smtp):
    _, inbox = smtp
    pending_world(smtp_app, world, per_user=1)
    inbox.refuse.add("lead.a@example.org")
    with smtp_app.app_context():
        first = delivery.send_digests(base_url="http://x")
        assert first.emails == 2
        inbox.refuse.clear()
        second = delivery.send_digests(base_url="http://x")
    assert second.emails == 1
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        ["member.a@example.org", "faculty@example.org", "lead.a@example.org"])
    with smtp_app.app_context():
        assert db.session.get(User, world.lead_a) is not None
    assert emailed(smtp_app) == (3, 3)
