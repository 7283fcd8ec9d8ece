"""Wiring the API into the app: the OpenAPI generator, problem+json errors, conditional GETs,
no CSRF (no cookies either), and the interactive docs served from this server."""

import http

from flask import Flask, Response, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, default_exceptions

from ..core.args import MAX_ID
from ..core.errors import unique_violation
from ..core.urls import IdConverter
from ..extensions import csrf, db
from . import bp, docs
from .auth import authenticate, limit_body
from .problems import PROBLEM, ProblemSchema, from_http_exception, problem_response

SPEC = {
    "API_TITLE": "PDSA Tracker API",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "v1/openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {"description": (
            "The same rules as the pages: a personal access token (your profile page) acts as "
            "you. Errors are RFC 9457 problem details; reads carry an ETag; a cycle is changed "
            "with its ETag in If-Match. See the README's API section for examples.")},
        "components": {"securitySchemes": {"token": {
            "type": "http", "scheme": "bearer",
            "description": "A personal access token from your profile page."}}},
        "security": [{"token": []}],
    },
}


class ProblemApi(Api):
    """flask-smorest, with errors documented as problem+json and handled by the API's own
    blueprint only: the pages keep their HTML error pages."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass  # see bp.errorhandler below

    def _register_responses(self):
        # As flask-smorest's own, with the problem+json media type.
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as RFC 9457 problem details",
                    "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_app(app: Flask) -> None:
    for key, value in SPEC.items():
        app.config.setdefault(key, value)
    api = ProblemApi(app)
    api.register_converter(IdConverter, lambda _: {"type": "integer", "minimum": 1,
                                                   "maximum": MAX_ID})
    api.register_blueprint(bp)
    csrf.exempt(bp)  # no cookie authenticates the API, so there is no session to forge
    app.register_blueprint(docs.bp)
    _answer_unrouted_api_paths(app)
    app.before_request_funcs.setdefault(None, []).insert(0, limit_body)


bp.before_request(authenticate)


@bp.after_request
def conditional(response: Response) -> Response:
    """Reads carry an ETag and answer If-None-Match with 304; nothing is cached for others."""
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        if "ETag" not in response.headers:
            response.add_etag()
        response.headers["Cache-Control"] = "private, no-cache"
        response.make_conditional(request)
    return response


def http_problem(error: HTTPException):
    if error.code and error.code >= 500:
        db.session.rollback()
    return from_http_exception(error)


# By class, and by every code: Flask looks for the app's handler of a code (the HTML 403 and
# 404 pages) before a blueprint's handler of a class, so a loader's abort(403) needs this.
bp.register_error_handler(HTTPException, http_problem)
for _code in default_exceptions:
    bp.register_error_handler(_code, http_problem)


@bp.errorhandler(IntegrityError)
def integrity_problem(error: IntegrityError):
    db.session.rollback()
    if not unique_violation(error):
        raise error
    return problem_response(409, "Conflict", "Someone changed this at the same moment: "
                            "nothing was saved, try again.")


def _answer_unrouted_api_paths(app: Flask) -> None:
    """A path under /api/ that matches no route (404, 405) still answers in problem+json."""
    for code in (404, 405):
        page_handler = app.error_handler_spec[None][code].get(default_exceptions[code])

        def handler(error, page_handler=page_handler):
            if request.path.startswith("/api/"):
                return from_http_exception(error)
            return page_handler(error) if page_handler else error

        app.register_error_handler(code, handler)
