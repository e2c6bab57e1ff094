"""A query's answer as /sparql gives it, for the route (routes.py) and before Flask (endpoint/stored.py), which
answers the plain case with the route's own functions, bytes and headers, without Flask's machinery (0.3–0.5 ms of
a worker's CPU a request, docs/performance.md): the answer the release carries for a library query
(releases/views/library.py), else the engine's (`evaluated`: the guard, a query slot, the query process, the answer
cache), or the route's error answer.

The plain case: a GET whose only parameter is `query`, or a POST of a form whose only field is `query` and that
has no query string, naming no format, within the size limit, from a client that does not prefer the editor's page
(HTML). A stored answer is sent when the Accept negotiates a format of SPARQL results; a query the engine answers
only when its errors would be plain text (`wants_html`: an error page is Flask's to render). Anything else goes on
to Flask, which answers it as the route always did: other parameters (a dataset, `format`), the editor, a stored
answer's 406, a query over the limit, an error page.
"""

import os
from collections.abc import Iterable
from functools import lru_cache, partial
from urllib.parse import unquote_plus

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import SecurityError
from werkzeug.http import parse_options_header
from werkzeug.wsgi import wrap_file

from footprints_graph.endpoint.site import Site
from footprints_graph.endpoint.sparql import editor
from footprints_graph.endpoint.sparql.cache import AnswerCache, cache_key, read_body
from footprints_graph.endpoint.sparql.evaluation import Answer, QueryFailed, server_fault
from footprints_graph.endpoint.sparql.protocol import (
    FORM,
    SOLUTIONS,
    Negotiated,
    QueryOperation,
    ResultFormat,
    SparqlProtocolError,
    negotiated,
    plain_error,
    read_request,
    wants_html,
)
from footprints_graph.endpoint.sparql.query_process import evaluate_in_slot
from footprints_graph.releases.serving import Release
from footprints_graph.releases.views.library import StoredAnswer

WsgiAnswer = tuple[str, list[tuple[str, str]], Iterable[bytes]]  # status line, headers and body
OK = "200 OK"


def stored_answer(release: Release, operation: QueryOperation) -> StoredAnswer | None:
    """The answer the release carries for a library query (releases/views/library.py) when the engine would give
    the same: the exact text, the dataset the build ran it on (no dataset parameters, no FROM), a store that holds
    the release (a server being loaded answers for what it holds so far). Before the cache and without a query
    slot. Sent whole, whatever its rows: `max_result_rows` bounds what the engine evaluates and holds for a request,
    and a stored answer is a file the build wrote, sent a block at a time, or kept in memory when at most 64 KiB
    (docs/security.md)."""
    if operation.default_graphs or operation.named_graphs or not release.holds_release():
        return None
    stored = release.library_answers().find(operation.text)
    return None if stored is None or names_its_dataset(operation.text) else stored


@lru_cache(maxsize=256)
def names_its_dataset(text: str) -> bool:
    """Whether a query names its own dataset (FROM, FROM NAMED). Kept by text: asked only of texts a release carries
    an answer to, and reading one (lexer.py) took about a third of what the route spent on a stored answer."""
    return "FROM" in QueryOperation(text).keywords


def evaluated(site: Site, release: Release, operation: QueryOperation, choose: Negotiated,
              cache: AnswerCache) -> Answer:
    """The engine's answer to `operation` on `release`: checked by the guard, in a query slot and one of the worker's
    query processes, stopped at the deadline (query_process.evaluate_in_slot); kept in the answer cache when it is on
    and the store holds the release (a server being loaded answers for what it holds so far)."""
    config = site.config
    evaluate = partial(evaluate_in_slot, release.store, operation, choose, config.query_timeout, config)
    if not cache.max_bytes or not release.holds_release():
        return evaluate()
    return cache.answer(cache_key(release.build_id, operation, choose), evaluate)


def stored_body(environ: dict, stored: StoredAnswer, chosen: ResultFormat) -> tuple[Iterable[bytes], int]:
    """The stored answer in the chosen syntax and its length: a small one's bytes, a larger one's file, sent as the
    WSGI server sends a file (sendfile under gunicorn)."""
    small = stored.bytes_if_small(chosen.syntax)
    if small is not None:
        return [small], len(small)
    file = stored.file(chosen.syntax).open("rb")
    return wrap_file(environ, file), os.fstat(file.fileno()).st_size


def answered_headers(chosen: ResultFormat, size: int) -> list[tuple[str, str]]:
    """The headers of the route's answer, stored or evaluated, before CORS's."""
    return [("Content-Type", chosen.content_type), ("Content-Length", str(size)), ("Vary", "Accept")]


def plain_answer(environ: dict, site: Site, cache: AnswerCache) -> WsgiAnswer | None:
    """The route's answer to a request in the plain case (see the module); None otherwise (Flask answers it)."""
    accept = environ.get("HTTP_ACCEPT")
    operation = _plain_operation(environ, site, accept)
    if operation is None:
        return None
    release = site.release()
    stored = stored_answer(release, operation)
    if stored is not None:
        return _stored(environ, stored, accept)
    if wants_html(accept):  # its errors are pages, which Flask renders
        return None
    try:
        answer = evaluated(site, release, operation, negotiated(accept), cache)
    except SparqlProtocolError as error:
        return _error(environ, error)
    except QueryFailed as error:
        return _error(environ, server_fault(error))
    return OK, answered_headers(answer.format, len(answer.body)), [answer.body]


def _plain_operation(environ: dict, site: Site, accept: str | None) -> QueryOperation | None:
    """The query of a plain request, read as the route reads it (`read_request`: its limit, its base); None when the
    request is not plain, or when reading it fails (Flask says why)."""
    method, limit = environ["REQUEST_METHOD"], site.config.max_query_bytes
    text = _only_a_query(environ, limit + 4096)  # the form's limit (endpoint.install)
    if text is None or editor.prefers_page(accept):
        return None
    parameters, none = MultiDict([("query", text)]), MultiDict()
    args, form = (none, parameters) if method == "POST" else (parameters, none)
    try:
        base = site.root(environ) + environ["PATH_INFO"]  # relative IRIs resolve against the URL asked
        return read_request(method, FORM if method == "POST" else "", args, form, b"", limit, base=base).operation
    except (SparqlProtocolError, SecurityError):  # a text over the limit, a Host that is not a host name
        return None


def _stored(environ: dict, stored: StoredAnswer, accept: str | None) -> WsgiAnswer | None:
    """A stored answer in the format the Accept header negotiates; None on a 406, which Flask says."""
    try:
        chosen = negotiated(accept)(SOLUTIONS)
    except SparqlProtocolError:
        return None
    body, size = stored_body(environ, stored, chosen)
    return OK, answered_headers(chosen, size), body


def _error(environ: dict, error: SparqlProtocolError) -> WsgiAnswer:
    """The route's error answer as plain text (the client's Accept does not prefer an HTML page)."""
    body, status, headers = plain_error(error.status, error.message, error.headers).get_wsgi_response(environ)
    return status, headers, body


def _only_a_query(environ: dict, largest_body: int) -> str | None:
    """The query, if it is the request's only parameter: of a GET, or of a POSTed form without a query string (whose
    body is read here and put back for Flask). Read as werkzeug reads them for Flask (`Request.args`, `.form`:
    parse_qsl, UTF-8), on a text without `&` (one parameter): the text as Flask reads it wherever it is valid
    UTF-8, None (Flask reads it) wherever it is not. Not werkzeug's own request object: making one and parsing
    its form would cost every query about 0.05 ms more."""
    if environ["REQUEST_METHOD"] == "GET":
        sent = environ.get("QUERY_STRING", "").encode("latin-1")  # WSGI's strings are the bytes as sent
    elif environ["REQUEST_METHOD"] == "POST" and not environ.get("QUERY_STRING") and _is_form(environ):
        sent = read_body(environ, largest_body)
    else:
        return None
    if not sent or not sent.startswith(b"query=") or b"&" in sent:
        return None
    value = sent[len(b"query="):]
    return _kept_value(value) if len(value) <= KEPT_BYTES else _value(value)


def _value(sent: bytes) -> str | None:
    """A parameter's value as Flask reads it, or None where it is not UTF-8."""
    try:
        return unquote_plus(sent.decode(), errors="strict")
    except UnicodeDecodeError:
        return None


# Kept by the bytes sent: clients send the same queries over and over (the library's first), and decoding one of the
# library's texts took 19 µs (urllib unquotes each of its 150-odd escapes in Python), 0.3 µs kept
_kept_value = lru_cache(maxsize=256)(_value)
KEPT_BYTES = 4096


@lru_cache(maxsize=64)
def _is_form_type(content_type: str | None) -> bool:
    return parse_options_header(content_type)[0].lower() == FORM


def _is_form(environ: dict) -> bool:
    return _is_form_type(environ.get("CONTENT_TYPE"))
