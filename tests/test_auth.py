import re
import statistics
import threading
import time
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from config import ProductionConfig
from tests.concurrency.together import paused, run_together
from tests.factories import PASSWORD
from tracker import create_app
from tracker.auth import services as auth_services
from tracker.auth.routes import safe_next
from tracker.extensions import db
from tracker.models import AuditEvent, Invitation, Membership, User, utcnow


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra},
                       query_string=extra.pop("query", None))


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


def link_in(message) -> str:
    return re.search(r"http://localhost(/\S+)", message.get_content()).group(1)


def test_login_logout_through_the_real_form(app, client, world):
    response = sign_in(client, "Member.A@Example.org")  # emails ignore case
    assert response.status_code == 302 and response.location == "/dashboard"
    assert "Amy Nurse" in client.get("/dashboard").get_data(True)
    assert client.get("/auth/logout").status_code == 405  # GET cannot sign you out
    response = client.post("/auth/logout")
    assert response.location == "/auth/login"
    assert client.get("/dashboard").status_code == 302
    assert audit_actions(app) == ["auth.login"]


def test_wrong_password_is_refused_keeps_email_and_is_audited(app, client, world):
    response = sign_in(client, "member.a@example.org", "wrong password")
    html = response.get_data(True)
    assert response.status_code == 200
    assert "Email or password is not right." in html
    assert 'value="member.a@example.org"' in html
    assert client.get("/dashboard").status_code == 302
    assert audit_actions(app) == ["auth.login_failed"]


def test_inactive_user_cannot_sign_in(app, client, world):
    with app.app_context():
        db.session.get(User, world.member_a).active = False
        db.session.commit()
    assert "not right" in sign_in(client, "member.a@example.org").get_data(True)


def test_login_costs_the_same_whether_or_not_the_email_has_an_account(app, client, world):
    app.config.update(LOGIN_LIMITS_PER_ACCOUNT="1000 per minute",
                      LOGIN_LIMITS_PER_ADDRESS="1000 per minute")
    with app.app_context():
        # Test accounts get a cheap hash to keep the suite fast; time real ones here.
        for user_id in (world.member_a, world.member_b):
            db.session.get(User, user_id).set_password("the real password")
        db.session.get(User, world.member_b).active = False
        db.session.commit()

    def cost(email: str) -> float:
        start = time.perf_counter()
        assert "not right" in sign_in(client, email, "a wrong guess").get_data(True)
        return time.perf_counter() - start

    cost("warm.up@example.org")
    known, unknown, inactive = [], [], []
    for _ in range(7):  # interleaved, so a busy moment on the machine hits all three alike
        known.append(cost("member.a@example.org"))
        unknown.append(cost("nobody@example.org"))
        inactive.append(cost("member.b@example.org"))
    for other in (unknown, inactive):
        ratio = statistics.median(other) / statistics.median(known)
        assert 0.5 < ratio < 2, ratio


def test_logout_ends_the_session_on_the_server(app, client, world):
    sign_in(client, "member.a@example.org", remember="y")
    copies = {}
    for name in ("session", "remember_token"):
        copy = app.test_client()
        copy.set_cookie(name, client.get_cookie(name).value)
        assert copy.get("/dashboard").status_code == 200  # a stolen cookie works until...
        copies[name] = copy
    response = client.post("/auth/logout", follow_redirects=True)
    assert "You are signed out. Your other devices are signed out too." in response.get_data(True)
    for copy in copies.values():
        assert copy.get("/dashboard").status_code == 302  # ...the owner signs out
    assert sign_in(client, "member.a@example.org").location == "/dashboard"


def test_hsts_is_sent_in_production_only(app, client, database_url):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers
    production = create_app(type("Config", (ProductionConfig,), {
        "SECRET_KEY": "a-long-random-production-secret", "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://"}))
    headers = production.test_client().get("/auth/login").headers
    with production.app_context():
        db.engine.dispose()
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("target,expected", [
    ("/sites/", "/sites/"),
    ("https://evil.example/", "/dashboard"),
    ("//evil.example/", "/dashboard"),
    ("/\\evil.example", "/dashboard"),
    ("javascript:alert(1)", "/dashboard"),
])
def test_next_is_followed_only_within_the_site(client, world, target, expected):
    response = client.post("/auth/login", query_string={"next": target},
                           data={"email": "member.a@example.org", "password": PASSWORD})
    assert response.location == expected


def test_safe_next_rejects_other_hosts():
    assert safe_next("/a?b=c") == "/a?b=c"
    assert safe_next("http:/evil") is None
    assert safe_next(None) is None


def test_remember_me_sets_a_cookie_that_expires(app, client, world):
    sign_in(client, "member.a@example.org", remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.expires is not None
    assert timedelta(days=13) < cookie.expires.replace(tzinfo=None) - utcnow() < timedelta(days=15)


def test_anonymous_visitor_is_sent_to_login_with_next(client, world):
    response = client.get("/sites/")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")


def test_invitation_flow_creates_account_with_role(app, client, login, world, outbox):
    lead = login("lead_a")
    response = lead.post("/auth/invite", data={"email": "New.Person@example.org",
                                               "role": f"site:{world.site_a}:member"})
    assert response.status_code == 302
    assert len(outbox) == 1 and outbox[0]["To"] == "new.person@example.org"
    path = link_in(outbox[0])

    page = client.get(path).get_data(True)
    assert "new.person@example.org" in page and "Member at Alpha Hospital" in page
    response = client.post(path, data={"name": "Nia New", "profession": "healthcare_assistant",
                                       "password": "a long new password",
                                       "password2": "a long new password"})
    assert response.location == "/dashboard"
    assert "Nia New" in client.get("/dashboard").get_data(True)
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email="new.person@example.org")).one()
        assert user.profession.value == "healthcare_assistant"
        assert [(m.site_id, m.role.value) for m in user.memberships] == [(world.site_a, "member")]
    assert {"auth.invite", "auth.invite_accepted"} <= set(audit_actions(app))

    # The link works once.
    again = app.test_client().get(path)
    assert again.status_code == 302 and again.location == "/auth/login"


@pytest.mark.committed  # the form sent twice at once, each on a connection of its own
def test_an_invitation_accepted_twice_at_once_makes_one_account(app, login, world, outbox,
                                                                monkeypatch):
    """A double click on "Join": both requests find the link open and pause, before
    accepting, for each other. The invitation is held from its second read to the commit, so
    the second waits, finds it used and says so, where it failed on the account the first had
    made (a 409 telling a new member nothing was saved)."""
    login("lead_a").post("/auth/invite", data={"email": "twice@example.org",
                                               "role": f"site:{world.site_a}:member"})
    path = link_in(outbox[0])
    # Both past their checks together, unless one is made to wait for the other.
    monkeypatch.setattr(auth_services, "accept_invitation", paused(
        auth_services.accept_invitation, threading.Barrier(2, timeout=2), before=True))
    form = {"name": "Tess Twice", "profession": "nurse", "password": "a long new password",
            "password2": "a long new password"}
    clients = {n: app.test_client() for n in "ab"}
    sent = run_together({n: partial(lambda c: [c.post(path, data=form)], c)
                         for n, c in clients.items()})
    assert {r[0].location for r in sent.values()} == {"/auth/login", "/dashboard"}
    second = next(n for n in "ab" if sent[n][0].location == "/auth/login")
    assert ("Your account was made a moment ago (the form was sent twice): sign in as "
            "twice@example.org") in clients[second].get("/auth/login").get_data(True)
    with app.app_context():
        assert db.session.scalar(db.select(sa.func.count(User.id)).filter_by(
            email="twice@example.org")) == 1
        assert audit_actions(app).count("auth.invite_accepted") == 1


def test_invitation_form_errors_keep_what_was_typed(app, client, login, world, outbox):
    login("lead_a").post("/auth/invite", data={"email": "x@example.org",
                                               "role": f"site:{world.site_a}:member"})
    path = link_in(outbox[0])
    html = client.post(path, data={"name": "Xavier", "profession": "nurse",
                                   "password": "short", "password2": "short"}).get_data(True)
    assert "Use at least 10 characters." in html
    assert 'value="Xavier"' in html
    with app.app_context():
        assert db.session.scalars(db.select(User).filter_by(email="x@example.org")).first() is None


def test_expired_invitation_is_refused(app, client, login, world, outbox):
    login("lead_a").post("/auth/invite", data={"email": "late@example.org",
                                               "role": f"site:{world.site_a}:member"})
    app.config["INVITE_MAX_AGE"] = timedelta(seconds=-1)
    response = client.get(link_in(outbox[0]))
    assert response.status_code == 302 and response.location == "/auth/login"


def test_tampered_invitation_is_refused(client, world):
    assert client.get("/auth/join/not-a-real-token").location == "/auth/login"


def test_existing_user_accepts_invitation_to_another_site(app, login, world, outbox):
    login("faculty").post("/auth/invite", data={"email": "member.a@example.org",
                                                "role": f"site:{world.site_b}:site_lead"})
    path = link_in(outbox[0])
    member = login("member_a")
    assert "Accept" in member.get(path).get_data(True)
    assert member.post(path).location == "/dashboard"
    with app.app_context():
        roles = {(m.site_id, m.role.value) for m in
                 db.session.scalars(db.select(Membership).filter_by(user_id=world.member_a))}
    assert roles == {(world.site_a, "member"), (world.site_b, "site_lead")}


@pytest.mark.parametrize("who,role_key,allowed", [
    ("member_a", "site:{site_a}:member", False),
    ("partner", "site:{site_a}:member", False),
    ("lead_a", "site:{site_a}:site_lead", True),
    ("lead_a", "site:{site_b}:member", False),  # leads invite to their own site only
    ("lead_a", "collab:{collaborative}:faculty", False),
    ("faculty", "site:{site_b}:member", True),
    ("faculty", "collab:{collaborative}:partner", True),
    ("admin", "collab:{collaborative}:faculty", True),
])
def test_who_may_invite_to_what(app, login, world, outbox, who, role_key, allowed):
    key = role_key.format(site_a=world.site_a, site_b=world.site_b,
                          collaborative=world.collaborative)
    response = login(who).post("/auth/invite", data={"email": "z@example.org", "role": key})
    assert bool(outbox) is allowed
    if not allowed:
        assert response.status_code in (200, 403)
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 0


def test_password_reset_flow_is_one_time_and_ends_other_sessions(app, client, login, world,
                                                                 outbox):
    other_device = login("member_a")
    assert other_device.get("/dashboard").status_code == 200
    response = client.post("/auth/forgot", data={"email": "member.a@example.org"})
    assert response.location == "/auth/login"
    path = link_in(outbox[0])
    client.post(path, data={"password": "a brand new password", "password2":
                            "a brand new password"})
    assert sign_in(client, "member.a@example.org", "a brand new password").location == "/dashboard"
    assert other_device.get("/dashboard").status_code == 302  # signed out everywhere else
    assert app.test_client().get(path).location == "/auth/forgot"  # used link is dead


def test_password_reset_for_unknown_email_says_the_same_and_sends_nothing(client, world, outbox):
    response = client.post("/auth/forgot", data={"email": "nobody@example.org"},
                           follow_redirects=True)
    assert "If that address has an account" in response.get_data(True)
    assert outbox == []


def test_profile_updates_name_and_profession(app, login, world):
    client = login("member_a")
    response = client.post("/auth/profile", data={"name": "Amy Senior", "profession":
                                                  "physiotherapist", "submit": "y"})
    assert response.location == "/auth/profile"
    with app.app_context():
        user = db.session.get(User, world.member_a)
        assert (user.name, user.profession.value) == ("Amy Senior", "physiotherapist")


def test_password_change_needs_the_current_password(app, login, world):
    client = login("member_a")
    html = client.post("/auth/profile", data={
        "pw-current_password": "wrong", "pw-password": "another long password",
        "pw-password2": "another long password", "pw-submit": "y"}).get_data(True)
    assert "That is not your current password." in html
    response = client.post("/auth/profile", data={
        "pw-current_password": PASSWORD, "pw-password": "another long password",
        "pw-password2": "another long password", "pw-submit": "y"})
    assert response.location == "/auth/profile"
    assert client.get("/dashboard").status_code == 200  # this session stays signed in
    with app.app_context():
        assert db.session.get(User, world.member_a).check_password("another long password")
