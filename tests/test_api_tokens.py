"""Personal access tokens on the profile page and from the command line."""

import re

from tests.api_helpers import ApiClient
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent, TokenScope


def _create(browser, **fields):
    data = {"token-name": "Warehouse", "token-scope": "write", "token-expires_days": "30",
            "token-submit": "Create token", **fields}
    return browser.post("/auth/profile", data=data)


def _secret(page: str) -> str:
    return re.search(r'id="new-token"[^>]*value="(pdsa_[^"]+)"', page).group(1)


def test_a_token_is_created_shown_once_listed_and_revoked(app, login):
    browser = login("member_a")
    response = _create(browser)
    assert response.status_code == 200
    secret = _secret(response.get_data(as_text=True))
    with app.app_context():
        token = db.session.scalars(db.select(ApiToken)).one()
        assert (token.name, token.scope) == ("Warehouse", TokenScope.WRITE)
        assert token.expires_at is not None and secret not in token.digest
        assert db.session.scalars(db.select(AuditEvent.action)).all() == ["api.token_created"]
        token_id = token.id
    assert ApiClient(app, secret).get("/api/v1/sites").status_code == 200
    listed = browser.get("/auth/profile").get_data(as_text=True)
    assert "Warehouse" in listed and secret not in listed  # shown once only
    assert "Never used" not in listed  # its use was recorded and is shown
    revoked = browser.post("/auth/profile", data={"revoke-token_id": str(token_id),
                                                  "revoke-submit": "Revoke"})
    assert revoked.status_code == 302
    assert ApiClient(app, secret).get("/api/v1/sites").status_code == 401


def test_someone_elses_token_cannot_be_revoked(app, login):
    secret = _secret(_create(login("member_a")).get_data(as_text=True))
    with app.app_context():
        token_id = db.session.scalars(db.select(ApiToken.id)).one()
    response = login("member_b").post("/auth/profile", data={
        "revoke-token_id": str(token_id), "revoke-submit": "Revoke"})
    assert response.status_code == 404
    assert ApiClient(app, secret).get("/api/v1/sites").status_code == 200


def test_a_bad_token_form_keeps_what_was_typed_and_creates_nothing(app, login):
    response = _create(login("member_a"), **{"token-expires_days": "0",
                                             "token-name": "NHS 943 476 5919"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="new-token"' not in page
    assert "Enter 1 to 366 days." in page and "NHS number" in page
    with app.app_context():
        assert db.session.scalars(db.select(ApiToken)).all() == []


def test_create_token_prints_a_working_token_once(app, world, runner):
    result = runner.invoke(args=["create-token", "--email", "MEMBER.A@example.org",
                                 "--name", "Nightly load", "--scope", "read",
                                 "--expires-days", "7"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("pdsa_")
    client = ApiClient(app, secret)
    assert client.get("/api/v1/sites").status_code == 200
    assert client.post("/api/v1/cycles", json={}).status_code == 403  # read only
    with app.app_context():
        token = db.session.scalars(db.select(ApiToken)).one()
        assert token.user_id == world.member_a and token.expires_at is not None


def test_create_token_refuses_an_unknown_user(app, world, runner):
    result = runner.invoke(args=["create-token", "--email", "nobody@example.org",
                                 "--name", "x", "--scope", "write"])
    assert result.exit_code != 0 and "No active user" in result.output
    with app.app_context():
        assert db.session.scalars(db.select(ApiToken)).all() == []
