"""Request plumbing shared by every page: the login loader, navigation, security headers."""

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import joinedload, with_expression
from werkzeug.middleware.proxy_fix import ProxyFix

from ..extensions import db, login_manager
from ..models import CollaborativeRole, Membership, Notification, User
from ..models.cycles import describe_scale
from . import versions

# (endpoint, label): the main navigation.
NAVIGATION = (
    ("main.dashboard", "Dashboard"),
    ("cycles.index", "Cycles"),
    ("ideas.index", "Ideas"),
    ("measures.index", "Measures"),
    ("events.index", "Events"),
    ("sites.index", "Sites"),
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


# The login loader's statement, built once: it runs on every request, and building it (two
# chains of joined loads, a correlated count) cost more than running it (0.5 of 0.8 ms).
# One query: a person has a few memberships and roles, so joining both (their product in
# rows) costs less than a round trip for each. The navbar's unread count comes with it, and the
# data's versions, the shared one and the user's sites' (core.versions.read_with): the pages
# that keep things need them first.
_SIGNED_IN = (
    db.select(User, versions.VERSION, versions.SHARED)
    .where(User.session_token == sa.bindparam("token", type_=sa.String),
           User.active.is_(True))
    .options(
        joinedload(User.memberships).joinedload(Membership.site),
        joinedload(User.memberships).with_expression(
            Membership.site_version_when_loaded, versions.site_version(Membership.site_id)),
        joinedload(User.collaborative_roles).joinedload(CollaborativeRole.collaborative),
        with_expression(User.unread_when_loaded,
                        db.select(sa.func.count())
                        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
                        .correlate(User).scalar_subquery()),
    )
)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The signed-in user with their roles, loaded up front: every permission check reads them."""
    row = db.session.execute(_SIGNED_IN, {"token": session_token}).unique().one_or_none()
    if row is None:
        return None
    user = row[0]
    # The data's versions, read with the user: the same snapshot.
    versions.read_with(row[1], row[2], {m.site_id: m.site_version_when_loaded
                                        for m in user.memberships})
    return user


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    # "basic" marks a session from a new address non-fresh; "strong" would sign ward staff out
    # whenever hospital Wi-Fi moves them between addresses.
    login_manager.session_protection = "basic"

    # Behind reverse proxies, read the client's address and scheme from their headers.
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    hsts = app.config.get("STRICT_TRANSPORT_SECURITY")

    @app.context_processor
    def constants() -> dict:
        return {"navigation": NAVIGATION}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response

    @app.template_filter("scale")
    def format_scale(amount, unit: str) -> str:
        return describe_scale(amount, unit)

    @app.template_filter("date")
    def format_date(value, fmt: str = "%-d %b %Y") -> str:
        return value.strftime(fmt) if value else ""
