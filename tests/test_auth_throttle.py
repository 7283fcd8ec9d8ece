"""Sign-in and account-email throttles: growing waits per account, address and device."""

import itertools
import os
import re
import time

import pytest
import redis

from tests.conftest import make_config
from tests.factories import PASSWORD
from tracker import create_app
from tracker.auth import throttle
from tracker.extensions import db, limiter
from tracker.models import Invitation

MEMBER = "member.a@example.org"
# Only this test database number is ever flushed.
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/5")
_addresses = (f"10.1.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def sign_in(client, email, password="a wrong guess", address=None):
    """POST the real form from `address` (a fresh one per attempt unless given)."""
    return client.post("/auth/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address or next(_addresses)})


def refusal(response, field="password") -> int | None:
    """The wait in seconds shown under `field`, or None if the attempt was not refused."""
    match = re.search(rf'id="{field}-error"[^>]*>Too many attempts, try again in (\d+) '
                      r"(seconds|minutes)\.<", response.get_data(True))
    if match is None:
        return None
    assert response.status_code == 429
    return int(match[1]) * (60 if match[2] == "minutes" else 1)


SMALL_LIMITS = {"LOGIN_LIMITS_PER_ACCOUNT": "2 per minute; 4 per 10 minutes",
                "LOGIN_LIMITS_PER_DEVICE": "2 per minute; 4 per 10 minutes",
                "LOGIN_LIMITS_PER_ADDRESS": "3 per minute; 6 per hour"}


@pytest.fixture
def small_limits(app):
    """The default tiers scaled down, so a test needs fewer (slow, hashed) failures."""
    app.config.update(SMALL_LIMITS)


@pytest.fixture
def new_app():
    """new_app(config) -> another app instance, its connections closed after the test."""
    apps = []
    # The limiter is one object per process: another app's init_app points it at that app's
    # storage, so the session app's storage is put back afterwards.
    storage, strategy = limiter._storage, limiter._limiter

    def _new_app(config):
        apps.append(create_app(config))
        return apps[-1]

    yield _new_app
    limiter._storage, limiter._limiter = storage, strategy
    for other in apps:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def clock(monkeypatch):
    """clock.advance(seconds) moves time.time() on, for the throttle storage and everything else."""
    real_time = time.time

    class Clock:
        offset = 0.0

        def advance(self, seconds: float) -> None:
            self.offset += seconds

    clock = Clock()
    monkeypatch.setattr(time, "time", lambda: real_time() + clock.offset)
    return clock


def test_failures_for_one_account_make_its_next_attempt_wait(app, client, world):
    for _ in range(5):  # from five addresses: only the account's count fills
        assert refusal(sign_in(client, MEMBER)) is None
    response = sign_in(client, MEMBER, PASSWORD)
    wait = refusal(response)
    assert wait is not None and 0 < wait <= 60
    assert 'value="member.a@example.org"' in response.get_data(True)  # what was typed is kept
    assert client.get("/dashboard").status_code == 302  # even the right password waits
    other = app.test_client()
    assert sign_in(other, "member.b@example.org", PASSWORD).location == "/dashboard"


def test_the_wait_grows_with_more_failures_and_is_capped(app, client, world, clock,
                                                         small_limits):
    for _ in range(2):
        sign_in(client, MEMBER)
    first = refusal(sign_in(client, MEMBER))
    assert 0 < first <= 60
    clock.advance(first + 30)  # past the first tier, well inside the second
    for _ in range(2):
        assert refusal(sign_in(client, MEMBER)) is None
    second = refusal(sign_in(client, MEMBER))
    assert first < second <= 10 * 60


def test_an_outsider_cannot_keep_the_owner_out(app, client, world, clock, small_limits):
    for _ in range(4):
        sign_in(app.test_client(), MEMBER)
    wait = refusal(sign_in(client, MEMBER, PASSWORD))
    assert wait is not None
    clock.advance(wait + 1)
    assert sign_in(client, MEMBER, PASSWORD).location == "/dashboard"


def test_a_browser_that_signed_in_before_keeps_its_own_allowance(app, world, small_limits):
    owner = app.test_client()
    assert sign_in(owner, MEMBER, PASSWORD).location == "/dashboard"
    owner.post("/auth/logout")
    for _ in range(4):
        sign_in(app.test_client(), MEMBER)
    assert refusal(sign_in(app.test_client(), MEMBER, PASSWORD)) is not None
    assert sign_in(owner, MEMBER, PASSWORD).location == "/dashboard"
    owner.post("/auth/logout")
    # Its own failures still count: the cookie is no free pass for whoever holds the browser.
    for _ in range(2):
        sign_in(owner, MEMBER)
    assert refusal(sign_in(owner, MEMBER, PASSWORD)) is not None


def test_one_address_trying_many_accounts_is_refused(app, client, world, small_limits):
    for n in range(3):
        assert refusal(sign_in(client, f"someone{n}@example.org", address="192.0.2.7")) is None
    response = sign_in(client, MEMBER, PASSWORD, address="192.0.2.7")
    assert refusal(response) is not None
    assert sign_in(client, MEMBER, PASSWORD, address="192.0.2.8").location == "/dashboard"


@pytest.mark.parametrize("storage,shared", [("memory://", False), (REDIS_TEST_URL, True)])
def test_two_app_instances_share_the_count_through_redis(app, world, database_url, new_app,
                                                         storage, shared):
    store = redis.Redis.from_url(REDIS_TEST_URL)
    store.flushdb()
    try:
        config = make_config(database_url, RATELIMIT_STORAGE_URI=storage, **SMALL_LIMITS)
        first = new_app(config)
        for _ in range(2):
            sign_in(first.test_client(), MEMBER)
        assert refusal(sign_in(first.test_client(), MEMBER)) is not None
        # A second instance (another worker or server) has its own connection to the storage.
        second = new_app(config)
        assert (refusal(sign_in(second.test_client(), MEMBER, PASSWORD)) is not None) is shared
        assert bool(store.dbsize()) is shared
    finally:
        store.flushdb()
        store.close()


def test_sign_in_works_and_stays_throttled_when_the_shared_storage_is_down(
        app, world, database_url, new_app, caplog, monkeypatch):
    monkeypatch.setattr(throttle, "_fallback", throttle.MovingWindowRateLimiter(
        throttle.MemoryStorage()))
    # Nothing listens on port 1: every call to the shared storage fails.
    config = make_config(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
                         **SMALL_LIMITS)
    down = new_app(config)
    assert sign_in(down.test_client(), MEMBER, PASSWORD).status_code == 302
    for _ in range(2):
        assert refusal(sign_in(down.test_client(), MEMBER)) is None
    assert refusal(sign_in(down.test_client(), MEMBER)) is not None  # counted in memory
    assert "Throttle storage unavailable" in caplog.text


def test_password_reset_requests_are_limited_per_mailbox(app, client, world, outbox):
    for n in range(3):
        response = client.post("/auth/forgot", data={"email": MEMBER},
                               environ_base={"REMOTE_ADDR": f"10.2.0.{n + 1}"})
        assert response.status_code == 302
    response = client.post("/auth/forgot", data={"email": MEMBER},
                           environ_base={"REMOTE_ADDR": "10.2.0.9"})
    assert refusal(response, "email") is not None
    assert 'value="member.a@example.org"' in response.get_data(True)
    assert len(outbox) == 3


def test_password_reset_requests_are_limited_per_address(app, client, world, outbox):
    for n in range(5):
        client.post("/auth/forgot", data={"email": f"x{n}@example.org"})
    assert refusal(client.post("/auth/forgot", data={"email": MEMBER}), "email") is not None
    assert outbox == []  # none of the five had an account, and the sixth was refused


def test_invitations_are_limited_per_inviter(app, login, world, outbox):
    app.config["INVITE_LIMITS_PER_USER"] = "2 per hour"
    lead = login("lead_a")
    role = f"site:{world.site_a}:member"
    for n in range(2):
        lead.post("/auth/invite", data={"email": f"new{n}@example.org", "role": role})
    response = lead.post("/auth/invite", data={"email": "new9@example.org", "role": role})
    assert refusal(response, "email") is not None
    assert 'value="new9@example.org"' in response.get_data(True)
    assert len(outbox) == 2
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 2
