"""CSV for spreadsheets and BI tools (Excel, Power BI, pandas): a list asked for with
`Accept: text/csv` or `?format=csv` comes as the pages' own CSV download (formula-safe cells, a
BOM so Excel reads UTF-8), the next page's URL in a `Link: <...>; rel="next"` header."""

from flask import Response, request, url_for

from ..measures.transfer import csv_response

CSV = "text/csv"


def wants_csv(fmt: str | None) -> bool:
    """CSV when ?format=csv, or when Accept prefers text/csv to JSON (not for */*)."""
    if fmt:
        return fmt == "csv"
    return request.accept_mimetypes.best_match(["application/json", CSV]) == CSV


def csv_doc(columns: str) -> dict:
    """The CSV alternative of a list's 200 answer, for the spec (merged with its JSON one)."""
    return {"responses": {200: {
        "content": {CSV: {"schema": {"type": "string"}}},
        "headers": {"Link": {"description": "CSV only: the next page, as "
                             '`<url>; rel="next"`', "schema": {"type": "string"}}},
        "description": f"JSON, or with `Accept: text/csv` / `?format=csv` a CSV table of "
                       f"{columns}",
    }}}


def csv_table(header: list[str], rows: list[list], filename: str,
              next_cursor: str | None) -> Response:
    response = csv_response(header, rows, filename)
    if next_cursor:
        args = {k: v for k, v in request.args.items(multi=True) if k != "cursor"}
        url = url_for(request.endpoint, **(request.view_args or {}), **args,
                      cursor=next_cursor, _external=True)
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response
