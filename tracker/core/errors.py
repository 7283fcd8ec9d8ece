"""Error pages in the app's style."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from ..extensions import db


def init_app(app: Flask) -> None:
    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/400.html", reason=error.description), 400

    @app.errorhandler(IntegrityError)
    def conflict(error):
        # A unique constraint lost a race the verbs did not foresee (e.g. a double submit):
        # nothing was saved, which is a conflict to retry, not a server error.
        db.session.rollback()
        app.logger.warning("Integrity conflict: %s", error.orig)
        return render_template("errors/409.html"), 409

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_template("errors/500.html"), 500
