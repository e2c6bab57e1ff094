"""The SPARQL 1.1 Protocol: the one table from media types to pyoxigraph formats, content negotiation over
it, reading a query operation out of an HTTP request, and the errors the protocol answers with.

https://www.w3.org/TR/sparql11-protocol/ — query via GET, via POST of an HTML form, or via POST of the
query itself (application/sparql-query); `default-graph-uri` and `named-graph-uri` name the dataset.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import pyoxigraph as ox
from flask import Response
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.http import parse_accept_header

from footprints_graph.endpoint.sparql.lexer import QuerySyntaxError, QueryText
from footprints_graph.errors import FootprintsError

SOLUTIONS = "solutions"  # what SELECT and ASK return
GRAPH = "graph"  # what CONSTRUCT and DESCRIBE return

QRF, RDF = ox.QueryResultsFormat, ox.RdfFormat
W3C_FORMAT_IRIS = {RDF.JSON_LD: "http://www.w3.org/ns/formats/JSON-LD"}  # pyoxigraph gives another IRI


@dataclass(frozen=True)
class ResultFormat:
    """One row of the table: a media type, the kind of result it carries, the pyoxigraph syntax that writes
    it, and the short names a client may give in the `format` parameter (the first is its short name)."""

    media_type: str
    kind: str
    syntax: ox.QueryResultsFormat | ox.RdfFormat
    names: tuple[str, ...]

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type

    @property
    def name(self) -> str:
        """The short name: the `format` value and, for RDF, the file extension."""
        return self.names[0]

    @property
    def label(self) -> str:
        return self.syntax.name

    @property
    def iri(self) -> str:
        """The format's IRI in http://www.w3.org/ns/formats/ (for sd:resultFormat)."""
        return W3C_FORMAT_IRIS.get(self.syntax, self.syntax.iri)

    def called(self, name: str) -> bool:
        return name.strip().lower() in (*self.names, self.media_type)

    def __reduce__(self):  # pyoxigraph's formats do not pickle; a row is known by its media type, one a row
        return (_row, (self.media_type,))


# The one table. Order matters: for each kind, the first row is the default (`Accept: */*`).
FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("application/sparql-results+json", SOLUTIONS, QRF.JSON, ("json", "srj")),
    ResultFormat("application/sparql-results+xml", SOLUTIONS, QRF.XML, ("xml", "srx")),
    ResultFormat("text/csv", SOLUTIONS, QRF.CSV, ("csv",)),
    ResultFormat("text/tab-separated-values", SOLUTIONS, QRF.TSV, ("tsv",)),
    ResultFormat("application/json", SOLUTIONS, QRF.JSON, ()),
    ResultFormat("text/turtle", GRAPH, RDF.TURTLE, ("ttl", "turtle")),
    ResultFormat("application/n-triples", GRAPH, RDF.N_TRIPLES, ("nt", "ntriples", "n-triples")),
    ResultFormat("application/rdf+xml", GRAPH, RDF.RDF_XML, ("rdf", "rdfxml", "rdf+xml", "xml", "owl")),
    ResultFormat("application/ld+json", GRAPH, RDF.JSON_LD, ("jsonld", "json-ld", "json")),
    ResultFormat("application/trig", GRAPH, RDF.TRIG, ("trig",)),
    ResultFormat("application/n-quads", GRAPH, RDF.N_QUADS, ("nq", "nquads", "n-quads")),
    ResultFormat("text/n3", GRAPH, RDF.N3, ("n3",)),
)


_ROWS = {f.media_type: f for f in FORMATS}


def _row(media_type: str) -> ResultFormat:
    return _ROWS[media_type]


KIND_NAMES = {SOLUTIONS: "SELECT and ASK results", GRAPH: "CONSTRUCT and DESCRIBE results (RDF graphs)"}


def formats_for(kind: str) -> list[ResultFormat]:
    return [f for f in FORMATS if f.kind == kind]


def format_named(name: str, kind: str) -> ResultFormat | None:
    """The row of `kind` that a `format` value (a short name or a media type) names, if any."""
    return next((f for f in formats_for(kind) if f.called(name)), None)


def format_by_extension(extension: str) -> ResultFormat | None:
    """The RDF format whose file extension is `extension` (`ttl`, `jsonld`, `nt`, `rdf`, …)."""
    return next((f for f in formats_for(GRAPH) if f.name == extension), None)


def format_of_media_type(media_type: str) -> ResultFormat | None:
    bare = media_type.split(";")[0].strip().lower()
    return next((f for f in FORMATS if f.media_type == bare), None)


def best_match(accept: MIMEAccept | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers (q-values, specificity), the first offered if the
    request has no Accept header at all, None if nothing offered is acceptable."""
    return accept.best_match(offered) if accept else offered[0]


def negotiate(accept: MIMEAccept | None, kind: str, names: Iterable[str] = ()) -> ResultFormat:
    """The format for a result of `kind`: named by the `format` parameter if the request has one, else
    the best match for the Accept header. Raises 406 when nothing fits."""
    names = [n for n in names if n]
    if names:
        chosen = next((f for n in names if (f := format_named(n, kind))), None)
    else:
        best = best_match(accept, [f.media_type for f in formats_for(kind)])
        chosen = format_of_media_type(best) if best else None
    if chosen is None:
        raise not_acceptable(kind, names)
    return chosen


class Negotiated:
    """What a request negotiated, once for both kinds of result (the kind is known only once the query has run): for
    each its format, or the error it is answered with if the result is of that kind (406). Called as a chooser
    (kind -> format); pickled as it is to the query process. Shared between requests (`negotiated` keeps them), so
    it holds an error's arguments and raises a new one each time, never one exception with another's traceback."""

    def __init__(self, choose: Callable[[str], ResultFormat]):
        self.formats: dict[str, ResultFormat | tuple] = {}
        for kind in (SOLUTIONS, GRAPH):
            try:
                self.formats[kind] = choose(kind)
            except SparqlProtocolError as error:
                self.formats[kind] = error.__reduce__()[1]

    def __reduce__(self):  # to the query process: the media types (or errors) alone, not an object's dict of rows
        return (_negotiated_as, tuple(f.media_type if isinstance(f, ResultFormat) else f for f in self.formats.values()))

    def __call__(self, kind: str) -> ResultFormat:
        chosen = self.formats[kind]
        if isinstance(chosen, tuple):
            raise SparqlProtocolError(*chosen)
        return chosen

    @property
    def media_types(self) -> tuple[str, ...]:
        """The media type for solutions and for graphs, "" for a kind the request accepts none of."""
        return tuple(f.media_type if isinstance(f, ResultFormat) else "" for f in self.formats.values())


def _negotiated_as(solutions: str | tuple, graph: str | tuple) -> Negotiated:
    """A Negotiated pickled as its media types, or the errors' arguments (Negotiated.__reduce__)."""
    chooser = Negotiated.__new__(Negotiated)
    chooser.formats = {kind: _ROWS[chosen] if isinstance(chosen, str) else chosen
                       for kind, chosen in ((SOLUTIONS, solutions), (GRAPH, graph))}
    return chooser


def negotiated(accept: str | None, names: tuple[str, ...] = ()) -> Negotiated:
    """`negotiate` for both kinds of result, from the Accept header as sent (None: none) and the `format` names.
    Kept by header: clients send a few Accept headers over and over, and reading one and matching it against the
    table each time was most of what the cache key and the query process's request cost (docs/performance.md).
    Long ones are not kept: a `format` value can be as long as a query."""
    if len(accept or "") + sum(map(len, names)) > KEPT_CHARACTERS:
        return _negotiated(accept, names)
    return _kept_negotiated(accept, names)


def _negotiated(accept: str | None, names: tuple[str, ...]) -> Negotiated:
    accept_types = parse_accept_header(accept, MIMEAccept) if accept else None
    return Negotiated(lambda kind: negotiate(accept_types, kind, names))


_kept_negotiated = lru_cache(maxsize=256)(_negotiated)
KEPT_CHARACTERS = 1000


# ----------------------------------------------------------------------------- errors


class SparqlProtocolError(FootprintsError):
    """An error the protocol answers with a status code and a message that says what failed and how to fix it."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}  # e.g. Retry-After with a 503

    def __reduce__(self):  # survives the pipe from the query process
        return (type(self), (self.status, self.message, self.headers))


PLAIN_TEXT = "text/plain; charset=utf-8"


def plain_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error as plain text, what SPARQL clients show their users, with its headers (Retry-After with a 503)."""
    response = Response(message + "\n", status=status, content_type=PLAIN_TEXT)
    response.headers.update(headers or {})
    return response


@lru_cache(maxsize=256)
def wants_html(accept: str | None) -> bool:
    """Whether an Accept header as sent prefers an error as an HTML page to plain text (kept by header, as
    `negotiated` keeps what a header negotiates)."""
    accept_types = parse_accept_header(accept, MIMEAccept)
    return bool(accept_types) and accept_types.best_match(["text/plain", "text/html"]) == "text/html"


def bad_request(message: str) -> SparqlProtocolError:
    return SparqlProtocolError(400, message)


def malformed_query(error: SyntaxError | QuerySyntaxError) -> SparqlProtocolError:
    return bad_request(f"The query is not valid SPARQL 1.1: {error} (line:column). Fix the query and send it again.")


def the_server_is_read_only() -> SparqlProtocolError:
    return SparqlProtocolError(403, "This is a read-only public endpoint: SPARQL Update (INSERT, DELETE, LOAD, "
                                    "CLEAR, DROP, CREATE, …) is refused. To change the graph, edit the records "
                                    "and rebuild (footprints-graph build).")


def not_acceptable(kind: str, names: Sequence[str] = ()) -> SparqlProtocolError:
    offered = ", ".join(f"{f.media_type} (format={f.name})" for f in formats_for(kind) if f.names)
    asked = f"format={', '.join(names)}" if names else "the Accept header"
    return SparqlProtocolError(406, f"No format that {asked} allows can carry {KIND_NAMES[kind]}. "
                                    f"Available: {offered}.")


def payload_too_large(size: int, limit: int) -> SparqlProtocolError:
    return SparqlProtocolError(413, f"The query is {size} bytes; this endpoint accepts at most {limit}. "
                                    "Shorten it, or load a dump (/dumps/) into your own store.")


def unsupported_media_type(content_type: str) -> SparqlProtocolError:
    return SparqlProtocolError(415, f"Cannot read a POST body of type {content_type or '(none)'!r}: send "
                                    "application/x-www-form-urlencoded (query=…) or application/sparql-query.")


def undecodable_query(charset: str, error: UnicodeDecodeError) -> SparqlProtocolError:
    return bad_request(f"The query is not valid {charset}, the charset its Content-Type declares: byte "
                       f"{error.object[error.start]:#04x} at offset {error.start} ({error.reason}). Send it in "
                       "UTF-8, or declare the charset it is written in.")


def unknown_charset(charset: str) -> SparqlProtocolError:
    return SparqlProtocolError(415, f"Cannot read a query in the charset {charset!r}: it is not one this server "
                                    "knows. Send it in UTF-8 (charset=utf-8).")


def query_timeout(seconds: float) -> SparqlProtocolError:
    return SparqlProtocolError(503, f"The query ran longer than this endpoint's limit of {seconds:g} s and was "
                                    "stopped. Add a LIMIT or narrow the patterns, or load a dump (/dumps/) into "
                                    "your own store.")


def store_unavailable(retry_after: int) -> SparqlProtocolError:
    """The SPARQL server behind the site is down: said without its address, which is internal."""
    return SparqlProtocolError(503, "The database this site reads from cannot be reached just now (it may be "
                                    f"restarting). Try again in {retry_after} s.", {"Retry-After": str(retry_after)})


def cut_short_by_store(limit: str) -> SparqlProtocolError:
    return bad_request(f"The answer has more than {limit} rows, the limit of the database behind this endpoint, so "
                       f"it was not sent: a truncated answer would look complete. Add LIMIT {limit} and page with "
                       "OFFSET, aggregate (COUNT, GROUP BY), or load a dump (/dumps/) into your own store.")


# ----------------------------------------------------------------------------- the operation

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"})


@dataclass(frozen=True)
class QueryOperation:
    """A query, the dataset the protocol names for it (empty: the service's default dataset) and the base IRI
    its relative IRIs resolve against (the endpoint's URL; None: only absolute IRIs)."""

    text: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base: str | None = None

    @cached_property
    def reading(self) -> QueryText:
        """The query's tokens and prologue, as the endpoint reads them before the engine does (lexer.py)."""
        return QueryText(self.text, self.base)

    def __reduce__(self):
        """Pickled (to the query process) as a tuple with its keywords but without its reading, which holds eight times
        the text in tokens: the worker has read and checked it, and the query process needs only the keywords (40 ms
        to read a 100 KB query again)."""
        return (_operation_with, (self.text, self.default_graphs, self.named_graphs, self.base, self.keywords))

    @cached_property
    def keywords(self) -> frozenset[str]:
        """The query's keywords (not its strings, IRIs, comments, names or variables), upper-cased."""
        return self.reading.keywords

    @property
    def looks_like_update(self) -> bool:
        return bool(self.keywords & UPDATE_KEYWORDS)

    def dataset_arguments(self) -> dict:
        """Keyword arguments of pyoxigraph's Store.query for this operation's dataset: the protocol's graphs
        if given, else the query's own FROM/FROM NAMED, else the union of all named graphs."""
        if self.default_graphs or self.named_graphs:
            return {"default_graph": [ox.NamedNode(g) for g in self.default_graphs],
                    "named_graphs": [ox.NamedNode(g) for g in self.named_graphs]}
        if "FROM" in self.keywords:
            return {}
        return {"use_default_graph_as_union": True}


def _operation_with(text: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...], base: str | None,
                    keywords: frozenset[str]) -> QueryOperation:
    """A QueryOperation pickled with its keywords (QueryOperation.__reduce__)."""
    operation = QueryOperation(text, default_graphs, named_graphs, base)
    operation.__dict__["keywords"] = keywords  # what cached_property would keep
    return operation


FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class ProtocolRequest:
    """What the protocol reads from an HTTP request: the operation (None for a bare GET) and the format names."""

    operation: QueryOperation | None
    format_names: tuple[str, ...]


def read_request(method: str, content_type: str, args: MultiDict, form: MultiDict, body: bytes,
                 limit: int, charset: str | None = None, base: str | None = None) -> ProtocolRequest:
    """Read a SPARQL protocol request. `content_type` is the bare media type of a POST body, `charset` the one
    its Content-Type declares (UTF-8 if none), `base` the URL the request was sent to."""
    params, text = _parameters(method, content_type, args, form, body, charset)
    if params.getlist("update"):
        raise the_server_is_read_only()
    queries = [text] if text is not None else params.getlist("query")
    if len(queries) > 1:
        raise bad_request("The request has more than one query; send exactly one.")
    names = tuple(params.getlist("format") + params.getlist("output"))
    if not queries:
        if method == "POST":
            raise bad_request("The POST has no query: send query=… (form) or an application/sparql-query body.")
        return ProtocolRequest(None, names)
    return ProtocolRequest(_operation(queries[0], params, limit, base), names)


def _parameters(method: str, content_type: str, args: MultiDict, form: MultiDict,
                body: bytes, charset: str | None) -> tuple[MultiDict, str | None]:
    """The request's parameters and, for a direct POST, the query text from the body."""
    if method != "POST":
        return args, None
    if content_type == FORM:
        return MultiDict([*args.items(multi=True), *form.items(multi=True)]), None
    if content_type == SPARQL_QUERY:
        return args, decoded(body, charset or "utf-8")
    if content_type == SPARQL_UPDATE:
        raise the_server_is_read_only()
    if not content_type and not body:  # POST /sparql?query=… with no body
        return args, None
    raise unsupported_media_type(content_type)


def decoded(body: bytes, charset: str) -> str:
    """A direct POST's query in the charset its Content-Type declares (SPARQL 1.1 Protocol §2.1.3 asks for UTF-8,
    but a client that says ISO-8859-1 and sends it means it)."""
    try:
        return body.decode(charset)
    except UnicodeDecodeError as error:
        raise undecodable_query(charset, error) from None
    except LookupError:  # no such codec, or one that is not a text encoding (rot13)
        raise unknown_charset(charset) from None


def _operation(text: str, params: MultiDict, limit: int, base: str | None) -> QueryOperation:
    size = len(text.encode("utf-8"))
    if size > limit:
        raise payload_too_large(size, limit)
    if not text.strip():
        raise bad_request("The query is empty.")
    default = tuple(_graph_iris(params.getlist("default-graph-uri"), "default-graph-uri"))
    named = tuple(_graph_iris(params.getlist("named-graph-uri"), "named-graph-uri"))
    return QueryOperation(text, default, named, base)


def _graph_iris(values: list[str], parameter: str) -> Iterable[str]:
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as error:
            raise bad_request(f"{parameter}={value!r} is not an absolute IRI: {error}") from error
        yield value
