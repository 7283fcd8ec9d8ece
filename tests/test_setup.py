"""First run: the /setup page and `create-admin`, on a database without an admin."""

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.models import AuditEvent, User

FORM = {"name": "Ana Admin", "email": "Ana@Example.org", "password": "a long password",
        "password2": "a long password"}


def users(app):
    with app.app_context():
        return [(u.email, u.is_admin) for u in db.session.scalars(db.select(User))]


def test_an_empty_database_sends_visitors_to_setup(client):
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/setup"
    assert b"Create the admin account" in client.get("/setup").data


def test_setup_creates_the_first_admin_signs_them_in_and_then_closes(app, client):
    response = client.post("/setup", data=FORM)
    assert response.status_code == 302 and response.location == "/admin/"
    assert users(app) == [("ana@example.org", True)]
    assert client.get("/admin/").status_code == 200
    assert client.get("/setup").status_code == 404
    assert client.post("/setup", data={**FORM, "email": "b@example.org"}).status_code == 404
    assert client.get("/").location == "/dashboard"
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent.action)) == "admin.admin_created"


@pytest.mark.parametrize("field,value,message", [
    ("email", "not-an-email", b"Invalid email"),
    ("password", "short", b"Use at least 10 characters"),
    ("password2", "something else", b"The two passwords differ"),
    ("name", "", b"This field is required"),
])
def test_setup_refuses_bad_input_and_keeps_what_was_typed(app, client, field, value, message):
    response = client.post("/setup", data={**FORM, field: value})
    assert response.status_code == 200
    assert message in response.data
    if field != "name":
        assert b'value="Ana Admin"' in response.data
    assert users(app) == []


def test_setup_needs_a_csrf_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post("/setup", data=FORM)
    assert response.status_code == 400
    assert users(app) == []


def test_setup_is_gone_once_an_admin_exists(app, client, world):
    assert client.get("/setup").status_code == 404


def test_setup_stays_closed_when_the_only_admin_is_deactivated(app, client):
    with app.app_context():
        f.make_user(role="admin").active = False
        db.session.commit()
    assert client.get("/setup").status_code == 404


def admin_cli(runner, *args):
    return runner.invoke(args=["create-admin", *args])


def test_create_admin_is_idempotent(app, runner):
    args = ["--email", "Ana@example.org", "--name", "Ana", "--password", "a long password"]
    first = admin_cli(runner, *args)
    assert first.exit_code == 0, first.output
    assert first.output == "Created admin ana@example.org.\n"
    again = admin_cli(runner, *args[:-1], "another long password")
    assert again.exit_code == 0
    assert again.output == "ana@example.org is already an admin: nothing changed.\n"
    with app.app_context():
        user = db.session.scalars(db.select(User)).one()
        assert user.is_admin and user.check_password("a long password")


@pytest.mark.parametrize("args,message", [
    (["--email", "nope", "--name", "Ana", "--password", "a long password"], "is not valid"),
    (["--email", "a@example.org", "--name", " ", "--password", "a long password"],
     "name is required"),
    (["--email", "a@example.org", "--name", "Ana", "--password", "short"],
     "at least 10 characters"),
])
def test_create_admin_refuses_bad_input(app, runner, args, message):
    result = admin_cli(runner, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert users(app) == []


def test_create_admin_does_not_promote_an_existing_member(app, runner):
    with app.app_context():
        f.make_user(email="m@example.org", site=f.make_site(f.make_collaborative()))
        db.session.commit()
    result = admin_cli(runner, "--email", "m@example.org", "--name", "M", "--password",
                       "a long password")
    assert result.exit_code != 0 and "create-user --role admin" in result.output
    assert users(app) == [("m@example.org", False)]
