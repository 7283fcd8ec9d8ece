"""With CSRF protection on (as in production), a POST without a token is refused."""

import re

import pytest

from tests.conftest import make_config
from tests.factories import PASSWORD
from tracker import create_app
from tracker.extensions import db


@pytest.fixture
def csrf_app(app, _schema):
    csrf_app = create_app(make_config(_schema, WTF_CSRF_ENABLED=True))
    yield csrf_app
    with csrf_app.app_context():
        db.session.remove()
        db.engine.dispose()  # close its pooled connections before the tables are emptied


def test_login_without_token_is_refused(csrf_app, world):
    response = csrf_app.test_client().post(
        "/auth/login", data={"email": "member.a@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "could not be accepted" in response.get_data(True)


def test_login_with_token_from_the_form_works(csrf_app, world):
    client = csrf_app.test_client()
    html = client.get("/auth/login").get_data(True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post("/auth/login", data={"email": "member.a@example.org",
                                                "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.location == "/dashboard"


def test_logout_without_token_is_refused(csrf_app, world):
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = world.tokens["member_a"]
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200
