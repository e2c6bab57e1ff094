"""A library query's answer carried by the release (releases/views/library.py): which one a request gets, for the
route (routes.py) and before Flask (endpoint/stored.py), which answers the plain case with the route's bytes and
headers, without Flask's machinery (0.3–0.5 ms of a worker's CPU a request, docs/performance.md).

The plain case: a GET whose only parameter is `query`, or a POST of a form whose only field is `query` and that
has no query string, naming no format, from a client that does not prefer the editor's page (HTML), whose Accept
negotiates a format of SPARQL results, and whose text is one the release carries an answer to. Anything else
goes on to Flask, which answers it as the route always did: other parameters (a dataset, `format`), the editor,
a 406, a text the release has no answer to.
"""

import os
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import unquote_plus

from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_options_header
from werkzeug.wsgi import wrap_file

from footprints_graph.endpoint.site import Site
from footprints_graph.endpoint.sparql import editor
from footprints_graph.endpoint.sparql.cache import read_body
from footprints_graph.endpoint.sparql.protocol import (
    FORM,
    SOLUTIONS,
    QueryOperation,
    ResultFormat,
    SparqlProtocolError,
    negotiated,
    read_request,
)
from footprints_graph.releases.serving import Release
from footprints_graph.releases.views import FOLDER as VIEWS
from footprints_graph.releases.views.library import LibraryAnswers, StoredAnswer

Answer = tuple[list[tuple[str, str]], Iterable[bytes]]  # headers and body of a 200


def stored_answer(release: Release, operation: QueryOperation) -> StoredAnswer | None:
    """The answer the release carries for a library query (releases/views/library.py) when the engine would give
    the same: the exact text, the dataset the build ran it on (no dataset parameters, no FROM), a store that holds
    the release (a server being loaded answers for what it holds so far). Before the cache and without a query
    slot. Sent whole, whatever its rows: `max_result_rows` bounds what the engine evaluates and holds for a request,
    and a stored answer is a file the build wrote, sent a block at a time (docs/security.md)."""
    if operation.default_graphs or operation.named_graphs or not release.holds_release():
        return None
    stored = release.memo("library answers", lambda: LibraryAnswers(release.path / VIEWS)).find(operation.text)
    return None if stored is None or names_its_dataset(operation.text) else stored


@lru_cache(maxsize=256)
def names_its_dataset(text: str) -> bool:
    """Whether a query names its own dataset (FROM, FROM NAMED). Kept by text: asked only of texts a release carries
    an answer to, and reading one (lexer.py) took about a third of what the route spent on a stored answer."""
    return "FROM" in QueryOperation(text).keywords


def stored_body(environ: dict, stored: StoredAnswer, chosen: ResultFormat) -> tuple[Iterable[bytes], int]:
    """The stored answer's file in the chosen syntax, sent as the WSGI server sends a file (sendfile under gunicorn),
    and its length."""
    file = stored.file(chosen.syntax).open("rb")
    return wrap_file(environ, file), os.fstat(file.fileno()).st_size


def answered_headers(chosen: ResultFormat, size: int) -> list[tuple[str, str]]:
    """The headers of the route's answer (routes._send_stored), before CORS's."""
    return [("Content-Type", chosen.content_type), ("Content-Length", str(size)), ("Vary", "Accept")]


def library_answer(environ: dict, site: Site) -> Answer | None:
    """The route's answer to a request in the plain case (see the module), read from the release; None otherwise.
    What costs a query that is not a library query (most) is only reading its text and hashing it."""
    method, limit = environ["REQUEST_METHOD"], site.config.max_query_bytes
    text = _only_a_query(environ, limit + 4096)  # the form's limit (endpoint.install)
    if text is None:
        return None
    stored = stored_answer(site.release(), QueryOperation(text))  # no dataset: `query` is the only parameter
    accept = environ.get("HTTP_ACCEPT")
    if stored is None or editor.prefers_page(accept):
        return None
    parameters, none = MultiDict([("query", text)]), MultiDict()
    args, form = (none, parameters) if method == "POST" else (parameters, none)
    try:  # what the route reads and negotiates: a text over the limit, a 406, are Flask's to say
        read_request(method, FORM if method == "POST" else "", args, form, b"", limit)
        chosen = negotiated(accept)(SOLUTIONS)
    except SparqlProtocolError:
        return None
    body, size = stored_body(environ, stored, chosen)
    return answered_headers(chosen, size), body


def _only_a_query(environ: dict, largest_body: int) -> str | None:
    """The query, if it is the request's only parameter: of a GET, or of a POSTed form without a query string (whose
    body is read here and put back for Flask). Read as werkzeug reads them for Flask (`Request.args`, `.form`:
    parse_qsl, UTF-8), on a text without `&` (one parameter): the text as Flask reads it wherever it is valid
    UTF-8, None (Flask reads it) wherever it is not. Not werkzeug's own request object: making one and parsing
    its form would cost every query that is not a library query about 0.05 ms more."""
    if environ["REQUEST_METHOD"] == "GET":
        sent = environ.get("QUERY_STRING", "").encode("latin-1")  # WSGI's strings are the bytes as sent
    elif environ["REQUEST_METHOD"] == "POST" and not environ.get("QUERY_STRING") and _is_form(environ):
        sent = read_body(environ, largest_body)
    else:
        return None
    if not sent or not sent.startswith(b"query=") or b"&" in sent:
        return None
    try:
        return unquote_plus(sent[len(b"query="):].decode(), errors="strict")
    except UnicodeDecodeError:
        return None


def _is_form(environ: dict) -> bool:
    return parse_options_header(environ.get("CONTENT_TYPE"))[0].lower() == FORM
