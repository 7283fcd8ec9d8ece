"""What a request's address may hold: the `id` URL converter (`<id:cycle_id>` matches only a
database id, so `/cycles/0` or `/cycles/99999999999999999999` is a plain 404 before any view
runs), and no NUL character anywhere in the path, the query or a posted form."""

from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.routing import BaseConverter, ValidationError

from .args import MAX_ID, parse_id


class IdConverter(BaseConverter):
    """A database id in a path: ASCII digits, 1 to MAX_ID."""

    # At most as many digits as MAX_ID: a longer run is not even parsed.
    regex = rf"[0-9]{{1,{len(str(MAX_ID))}}}"
    weight = 50  # as werkzeug's int: static parts of a rule win over it

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def refuse_nul() -> None:
    """A 400 for a NUL in the path, the query or a form (the error page says why).

    Nobody types a NUL; PostgreSQL cannot store or even compare one (the query fails), so
    letting it through would turn a hostile address into a 500."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method == "POST":
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400, "The address or the form held a NUL character, which nothing here can use.")


def init_app(app: Flask) -> None:
    """Register the converter and the NUL guard; call before the blueprints (their rules look
    the converter up when they are added)."""
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_nul)
