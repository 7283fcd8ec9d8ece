"""RFC 9457 problem details: every API error is `application/problem+json` with a status, a
title, a detail a person can read and, for bad input, the errors by field a client can show."""

import marshmallow as ma
from flask import Response, json, request
from werkzeug.exceptions import HTTPException

PROBLEM = "application/problem+json"


class ProblemSchema(ma.Schema):
    """The error body (documents the responses; the handlers build it)."""

    type = ma.fields.String(metadata={"description": "A URI naming the kind of problem"})
    title = ma.fields.String(metadata={"description": "The HTTP status in words"})
    status = ma.fields.Integer()
    detail = ma.fields.String(metadata={"description": "What went wrong, for a person"})
    instance = ma.fields.String(metadata={"description": "The path that was asked for"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Raw(),
        metadata={"description": "Messages by field (a row's by its number in a bulk upload)"})
    conflicts = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Raw(),
        metadata={"description": "409 on a cycle: each field changed by both, as base/mine/theirs"})
    similar = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "422 on a new idea: existing ideas like it (id, title)"})
    theirs = ma.fields.Dict(metadata={
        "description": "409 on an idea: the version saved since yours"})
    your_version = ma.fields.Raw(allow_none=True)
    current_version = ma.fields.Raw(allow_none=True, metadata={
        "description": "A cycle's version number; an idea's ETag"})


class ApiProblem(HTTPException):
    """An error to answer as a problem document, with extra members (errors, conflicts...)."""

    def __init__(self, status: int, detail: str, *, headers: dict | None = None, **extra):
        super().__init__(detail)
        self.code = status
        self.extra = extra
        self.extra_headers = headers or {}


def problem_response(status: int, title: str, detail: str, *, headers: dict | None = None,
                     **extra) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "instance": request.path, **{k: v for k, v in extra.items() if v is not None}}
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_exception(error: HTTPException) -> Response:
    """Any HTTP error (ours, a loader's abort(403), webargs' 422) as a problem document."""
    extra, headers = {}, {}
    if isinstance(error, ApiProblem):
        extra, headers = error.extra, error.extra_headers
    data = getattr(error, "data", None) or {}
    if "messages" in data:  # webargs: {"json": {"field": [...]}, "query": {...}}
        extra["errors"] = _flatten(data["messages"])
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    detail = error.description or ""
    if error.code == 422 and "errors" in extra and not isinstance(error, ApiProblem):
        detail = "Some fields are not valid: see `errors`."
    return problem_response(error.code or 500, error.name, detail, headers=headers, **extra)


def _flatten(messages: dict) -> dict:
    """webargs nests messages by location; a client wants them by field."""
    flat = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat
