"""Two app servers behind no load balancer at all: the test alternates between them itself.

Two gunicorn processes on different ports share one database (the suite's engine: PostgreSQL
in CI, a SQLite file otherwise) and one Redis, with the production configuration. A separate
`flask worker` process runs the queued jobs. Nothing may depend on which server a request
reaches: a session started on one is good on the other, a conflict between them is caught, the
sign-in throttle counts across both, a job queued by one runs once in the worker, and a report
one has kept shows a change made on the other at once.
"""

import json
import re
import urllib.request

import redis as redis_lib

from tests import factories as f
from tests.concurrency.browser import Browser, form_fields, form_pairs
from tracker.core import jobs
from tracker.extensions import db
from tracker.models import Cycle, Notification
from tracker.notifications import delivery

from .servers import REDIS_URL, run_worker


def _via(browser: Browser, server: str) -> Browser:
    """The same browser (same cookie jar) talking to another server."""
    browser.base = server
    return browser


def test_a_session_started_on_one_server_is_good_on_the_other(servers, people):
    a, b = servers.urls
    browser = Browser(a)
    browser.sign_in(people["nurse"], f.PASSWORD)
    page = _via(browser, b).get("/dashboard")
    assert page.status == 200, (page.status, page.location)
    assert "Nia Nurse" in page.html
    # Signing out on B ends the session on A too (the cookie is cleared, and so is the login).
    token = form_fields(page.html, having="csrf_token")["csrf_token"]
    assert _via(browser, b).post("/auth/logout", {"csrf_token": token}).status == 302
    after = _via(browser, a).get("/dashboard")
    assert (after.status, after.location.split("?")[0]) == (302, "/auth/login")


def test_two_people_editing_one_cycle_on_different_servers_conflict_visibly(servers, people):
    a, b = servers.urls
    nurse, hca = Browser(a), Browser(b)
    nurse.sign_in(people["nurse"], f.PASSWORD)
    hca.sign_in(people["hca"], f.PASSWORD)
    url = f"/cycles/{people['cycle']}/edit"
    nurse_form, hca_form = form_pairs(nurse.get(url).html, "version"), \
        form_pairs(hca.get(url).html, "version")

    def typed(pairs, field, text):
        return [(n, text if n == field else v) for n, v in pairs]

    # Different fields: the second save is merged with the first, both kept.
    assert nurse.post(url, typed(nurse_form, "do_what_happened", "Nurse on A")).status == 302
    assert hca.post(url, typed(hca_form, "study_learning", "Assistant on B")).status == 302
    # The same field from the same starting version: the second is refused, shown with both.
    nurse_form, hca_form = form_pairs(nurse.get(url).html, "version"), \
        form_pairs(hca.get(url).html, "version")
    assert nurse.post(url, typed(nurse_form, "objective", "Objective from A")).status == 302
    second = hca.post(url, typed(hca_form, "objective", "Objective from B"))
    assert second.status == 409  # a conflict, not a silent overwrite
    assert "Objective from B" in second.html and "Objective from A" in second.html

    with servers.app.app_context():
        cycle = db.session.get(Cycle, people["cycle"])
        assert (cycle.do_what_happened, cycle.study_learning, cycle.objective) == (
            "Nurse on A", "Assistant on B", "Objective from A")


def test_failed_sign_ins_are_counted_across_both_servers(servers, people):
    """Five failures per account per minute in all: alternating servers does not double it."""
    a, b = servers.urls
    statuses = []
    for attempt in range(6):
        browser = Browser(a if attempt % 2 == 0 else b)
        fields = form_fields(browser.get("/auth/login").html, having="email")
        fields.update(email=people["lead"], password="not the password")
        statuses.append(browser.post("/auth/login", fields).status)
    assert statuses == [200] * 5 + [429]
    # The right password waits too, on either server, until the minute has passed.
    browser = Browser(a)
    fields = form_fields(browser.get("/auth/login").html, having="email")
    fields.update(email=people["lead"], password=f.PASSWORD)
    assert browser.post("/auth/login", fields).status == 429


def test_a_job_queued_by_one_server_runs_once_in_a_separate_worker(servers, people):
    a, b = servers.urls
    nurse = Browser(b)
    nurse.sign_in(people["nurse"], f.PASSWORD)
    cycle_page = nurse.get(f"/cycles/{people['cycle']}")
    token = form_fields(cycle_page.html, having="body")["csrf_token"]
    posted = nurse.post(f"/cycles/{people['cycle']}/comments",
                        {"csrf_token": token, "body": "@[Leo Lead] could you look at this?"})
    assert posted.status == 302

    # The web process only queued the email: it is waiting in Redis, not sent.
    store = redis_lib.Redis.from_url(REDIS_URL)
    assert store.llen("rq:queue:tracker") == 1
    with servers.app.app_context():
        mention = db.session.scalars(db.select(Notification).where(
            Notification.user_id == people["lead_id"])).one()
        assert mention.emailed_at is None

    first = run_worker(servers.env)
    assert _emails_to(people["lead"], first) == 1
    assert store.llen("rq:queue:tracker") == 0
    with servers.app.app_context():
        db.session.expire_all()
        assert db.session.get(Notification, mention.id).emailed_at is not None

    # The same job queued again (a retry, or a duplicate from the other server) sends
    # nothing more: the rows were claimed before the first email went.
    jobs.queue(REDIS_URL).enqueue(jobs.run, jobs.job_name(delivery.deliver_immediately),
                                  [[people["lead_id"]], a + "/"], {})
    again = run_worker(servers.env)
    assert _emails_to(people["lead"], again) == 0
    assert "Job OK" in again or "Successfully completed" in again, again[-2000:]


def test_both_servers_report_ready_on_the_shared_database_and_redis(servers):
    for url in servers.urls:
        with urllib.request.urlopen(url + "/readyz", timeout=30) as response:
            body = json.load(response)
        assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def _emails_to(address: str, worker_output: str) -> int:
    return len(re.findall(r"Email not sent \(no MAIL_SERVER configured\)\. To: "
                          + re.escape(address), worker_output))


def test_a_report_kept_by_one_server_follows_a_change_made_on_the_other(servers, people):
    a, b = servers.urls
    # (Not the lead: the sign-in throttle's test has them waiting out the minute.)
    reader, nurse = Browser(a), Browser(b)
    reader.sign_in(people["hca"], f.PASSWORD)
    nurse.sign_in(people["nurse"], f.PASSWORD)
    storyboard = f"/reports/sites/{people['site']}/storyboard"
    for _ in range(3):  # kept by A's worker (core.versions): the same page each time
        page = reader.get(storyboard)
        assert page.status == 200 and "Breakfast in the day room" in page.html
    url = f"/cycles/{people['cycle']}/edit"
    pairs = [(n, "Breakfast at the table" if n == "title" else v)
             for n, v in form_pairs(nurse.get(url).html, "version")]
    assert nurse.post(url, pairs).status == 302  # saved on B
    page = reader.get(storyboard)  # A sees it at once: the data's version moved
    assert "Breakfast at the table" in page.html
    assert "Breakfast in the day room" not in page.html
