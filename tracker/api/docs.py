"""Interactive API docs (Swagger UI 5, which reads OpenAPI 3.1) at /api/docs, its files served
by this server from the pinned swagger-ui-py package: nothing loads from the internet."""

from importlib.resources import files

from flask import Blueprint, abort, render_template, send_from_directory

bp = Blueprint("api_ui", __name__, url_prefix="/api/docs")

# Only the files the page uses; the package holds an editor and source maps we do not serve.
ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}


@bp.get("/")
def index():
    """The API's reference, to read and to try with a token (public: it holds no data)."""
    return render_template("api/docs.html")


@bp.get("/assets/<filename>")
def asset(filename: str):
    """A Swagger UI file, from the installed package."""
    if filename not in ASSETS:
        abort(404)
    return send_from_directory(str(files("swagger_ui") / "static"), filename, max_age=86400)
