"""Error pages in the app's style."""

from flask import Flask, render_template
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest

from ..extensions import db


def init_app(app: Flask) -> None:
    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(400)
    def bad_request(error):
        # Every refusal of a malformed request (an expired form's CSRF token, a NUL, a field
        # no form sends) says why when it was given a reason.
        reason = error.description
        if reason == BadRequest.description:
            reason = "The page sent something this app could not use."
        return render_template("errors/400.html", reason=reason), 400

    @app.errorhandler(IntegrityError)
    def conflict(error):
        # A unique constraint that lost a race the verbs did not foresee (e.g. a double
        # submit): nothing was saved, which is a conflict to retry. Any other integrity error
        # is a bug, and stays a server error.
        db.session.rollback()
        if not unique_violation(error):
            raise error
        app.logger.warning("Unique-constraint conflict: %s", error.orig)
        return render_template("errors/409.html"), 409

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_template("errors/500.html"), 500


def unique_violation(error: IntegrityError) -> bool:
    """PostgreSQL's unique_violation (SQLSTATE 23505), or SQLite's "UNIQUE constraint failed"."""
    return (getattr(error.orig, "sqlstate", None) == "23505"
            or "UNIQUE constraint failed" in str(error.orig))
