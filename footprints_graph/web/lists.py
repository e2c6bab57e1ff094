"""Lists people can take away: the current list of a page (/browse's victims, /search's hits) as CSV or JSON,
asked for by extension (/browse.csv, /search.json) or by Accept on the page's own address, and streamed — written
row by row as it is read, so that 100,000 victims are never held in one answer."""

import csv
import io
import json
from collections.abc import Iterable, Iterator

from flask import Response, abort, request

from footprints_graph.endpoint.sparql.protocol import best_match

LISTS = {"text/csv": "csv", "application/json": "json"}  # media type → extension
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def wanted_list(extension: str | None) -> str | None:
    """csv or json when the request asks for a list (by extension, else by Accept), None for the HTML page."""
    if extension is not None:
        return extension if extension in LISTS.values() else abort(404, description=(
            f"No list as .{extension}: the list is offered as .csv and .json."))
    return LISTS.get(best_match(request.accept_mimetypes, ["text/html", *LISTS]) or "text/html")


def csv_lines(columns: Iterable[str], rows: Iterable[dict]) -> Iterator[str]:
    """A header, then one CSV line per row (a list of values written space-separated), as the rows come."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: inert(" ".join(v) if isinstance(v, list | tuple) else v) for k, v in row.items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def inert(value):
    """A text cell a spreadsheet would run as a formula (it starts with = + - @, a tab or a return: a name
    contributed as `=HYPERLINK(…)`) with a `'` before it, which spreadsheets show as text (OWASP's advice on CSV
    injection); numbers and other cells as they are. The JSON list keeps every value as stored."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def json_lines(head: dict, rows: Iterable[dict]) -> Iterator[str]:
    """One JSON object: `head`'s members, then "rows" holding the rows, written one row at a time."""
    yield json.dumps(head, ensure_ascii=False)[:-1] + (', "rows": [' if head else '{"rows": [')
    for i, row in enumerate(rows):
        yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


def list_response(kind: str, name: str, head: dict, rows: Iterable[dict]) -> Response:
    """The list as `name`.csv or `name`.json: `head` (what was asked, how many rows, the columns) and the rows."""
    if kind == "csv":
        body, media_type = csv_lines(head["columns"], rows), "text/csv; charset=utf-8"
    else:
        body, media_type = json_lines(head, rows), "application/json"
    return Response(body, content_type=media_type,
                    headers={"Content-Disposition": f'inline; filename="{name}.{kind}"', "Vary": "Accept"})
