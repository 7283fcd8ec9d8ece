"""Helpers for the API tests: a token for a world user, and a client that sends it."""

from tracker.api.tokens import create_token
from tracker.extensions import db
from tracker.models import TokenScope, User


def make_token(app, user_id: int, scope: str = "write", **kwargs) -> str:
    """A committed token's secret for the user."""
    with app.app_context():
        user = db.session.get(User, user_id)
        _token, secret = create_token(user, name=kwargs.pop("name", "test"),
                                      scope=TokenScope(scope),
                                      expires_days=kwargs.pop("expires_days", None))
        db.session.commit()
        return secret


class ApiClient:
    """A test client that sends `Authorization: Bearer <secret>` and JSON."""

    def __init__(self, app, secret: str | None):
        self.client = app.test_client()
        self.secret = secret

    def request(self, method: str, path: str, *, headers=None, **kwargs):
        headers = dict(headers or {})
        if self.secret is not None:
            headers.setdefault("Authorization", f"Bearer {self.secret}")
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)
