"""Where the endpoint reads a release from: its Oxigraph store on disk (the default), a copy of it in memory
(`in_memory = true`), or a SPARQL 1.1 server the release was loaded into (`store_url`, see
`footprints-graph load`). All three answer the part of pyoxigraph's `Store` API the endpoint uses — `query`
(with `prefixes`, `use_default_graph_as_union`, `default_graph`, `named_graphs`), `quads_for_pattern`,
`named_graphs` and `len()` — with pyoxigraph's result objects, so every route, result format and limit works
the same whichever store serves; only `evaluation.py` treats a server differently (no query process: the
server does the work, and the HTTP timeout is the deadline).

A server's default graph must be the union of its named graphs, as in Virtuoso and in `oxigraph serve
--union-default-graph`: queries without GRAPH then see the release as they do on the embedded store.
"""

import http.client
import json
import socket
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from footprints_graph.store.remote import DUMP
from footprints_graph.store.embedded import open_store
from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.sparql.evaluation import QueryFailed
from footprints_graph.endpoint.sparql.lexer import QuerySyntaxError, QueryText
from footprints_graph.endpoint.sparql.protocol import query_timeout

Results = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
Term = ox.NamedNode | ox.BlankNode | ox.Literal


class ReadableStore(Protocol):
    """What the endpoint reads from a store (pyoxigraph's `Store` has it all)."""

    def query(self, query: str, **dataset) -> Results: ...

    def quads_for_pattern(self, subject, predicate, object, graph_name=None) -> Iterator[ox.Quad]: ...

    def named_graphs(self) -> Iterator[ox.NamedNode | ox.BlankNode]: ...

    def __len__(self) -> int: ...


StoreOpener = Callable[[Path], ReadableStore]  # a release folder -> its store


def store_opener(config: EndpointConfig) -> StoreOpener:
    if config.store_url:
        return lambda release: ServerStore(config.store_url, release, config.query_timeout)
    return in_memory_store if config.in_memory else embedded_store


def embedded_store(release: Path) -> ox.Store:
    return open_store(release / "store")


def in_memory_store(release: Path) -> ox.Store:
    """A copy of the release in this process's memory, loaded from its N-Quads dump. Oxigraph answers joins
    from memory several times faster than from RocksDB on disk; docs/performance.md has the figures."""
    store = ox.Store()
    store.bulk_load(path=str(release / DUMP), format=ox.RdfFormat.N_QUADS)
    return store


# ----------------------------------------------------------------------------- a SPARQL server

# What to ask a server for, by query form: given a choice, Virtuoso writes a CONSTRUCT result as SPARQL JSON.
SOLUTIONS_ACCEPT, GRAPH_ACCEPT = "application/sparql-results+json", "application/n-triples"


class ServerStore:
    """A release as loaded into a SPARQL 1.1 server, read over one kept-alive HTTP connection per process.
    The release's own summary says which graphs and how many triples the server holds for it (`load` checked
    that), so a server's system graphs never show up in the graph list."""

    def __init__(self, url: str, release: Path, timeout: float):
        self.url = url
        self.address = urllib.parse.urlsplit(url)
        summary = json.loads((release / "summary.json").read_text(encoding="utf-8"))
        self.graphs = [ox.NamedNode(graph) for graph in summary["graphs"]]
        self.triples = summary["triples"]
        self.timeout = timeout or None  # 0: wait as long as the server takes
        self._connection: http.client.HTTPConnection | None = None

    def query(self, query: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None,
              use_default_graph_as_union: bool = False, default_graph: Iterable[ox.NamedNode] | None = None,
              named_graphs: Iterable[ox.NamedNode] | None = None) -> Results:
        """`query` on the server; with no graphs named, on its default graph (the union: see the module's note).
        The base and prefixes go first on the query's first line, so the server's line numbers stay right."""
        declarations = "".join([f"BASE <{base_iri}> " if base_iri else "",
                                *(f"PREFIX {p}: <{iri}> " for p, iri in (prefixes or {}).items())])
        fields = [("query", declarations + query), *(("default-graph-uri", g.value) for g in default_graph or ()),
                  *(("named-graph-uri", g.value) for g in named_graphs or ())]
        return _results(*self._post(urllib.parse.urlencode(fields), _accept(declarations + query)))

    def quads_for_pattern(self, subject: Term | None, predicate: ox.NamedNode | None, object: Term | None,
                          graph_name: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        if any(isinstance(t, ox.BlankNode) for t in (subject, object)):
            return iter(())  # a server's blank nodes cannot be named in a query: labels are local to each answer
        terms = [_pattern_term(t, v) for t, v in ((subject, "?s"), (predicate, "?p"), (object, "?o"))]
        graphs = " ".join(str(g) for g in ([graph_name] if graph_name else self.graphs))
        solutions = self.query(f"SELECT * WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ {' '.join(terms)} }} }}")
        given = {"s": subject, "p": predicate, "o": object, "g": graph_name}
        return (ox.Quad(*(row[v] if given[v] is None else given[v] for v in "spog")) for row in solutions)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return iter(self.graphs)

    def __len__(self) -> int:
        return self.triples

    def _post(self, form: str, accept: str) -> tuple[str, bytes]:
        started = time.monotonic()
        try:
            response = self._send(form, accept)
        except (TimeoutError, socket.timeout):
            self._close()
            raise query_timeout(self.timeout) from None
        except (OSError, http.client.HTTPException) as error:
            self._close()
            raise QueryFailed(f"cannot reach {self.url}: {error}") from None
        return _checked(self.url, response, response.read(), time.monotonic() - started)

    def _send(self, form: str, accept: str) -> http.client.HTTPResponse:
        """POST the form on the kept-alive connection; once more on a new one if the server had closed it."""
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request("POST", self.address.path or "/", form, headers)
                return connection.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            kind = http.client.HTTPSConnection if self.address.scheme == "https" else http.client.HTTPConnection
            self._connection = kind(self.address.netloc, timeout=self.timeout)
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _accept(query: str) -> str:
    """The result format to ask for: the query's form names the kind of result (a query that cannot be read is
    asked for as solutions, and the server says what is wrong with it)."""
    try:
        form = QueryText(query).form
    except QuerySyntaxError:
        form = None
    return GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else SOLUTIONS_ACCEPT


def _pattern_term(term: Term | None, variable: str) -> str:
    return variable if term is None else str(term)


def _checked(url: str, response: http.client.HTTPResponse, body: bytes, seconds: float) -> tuple[str, bytes]:
    """The answer's media type and body; a query the server calls malformed is a SyntaxError, as pyoxigraph
    raises (the endpoint answers 400 with the server's message), any other refusal a server fault (500)."""
    message = body.decode("utf-8", "replace").strip()[:500]
    if response.status == 400:
        raise SyntaxError(f"{url} refused the query: {message}")
    if response.status != 200:
        raise QueryFailed(f"{url} answered HTTP {response.status} after {seconds:.1f} s: {message}")
    if response.getheader("X-SPARQL-MaxRows") is not None:  # Virtuoso's ResultSetMaxRows cut the answer short
        raise QueryFailed(f"{url} cut the answer at its ResultSetMaxRows ({response.getheader('X-SPARQL-MaxRows')}"
                               " rows); raise it in the [SPARQL] section of virtuoso.ini above max_result_rows")
    return response.getheader("Content-Type", "").split(";")[0].strip().lower(), body


def _results(media_type: str, body: bytes) -> Results:
    if media_type == "application/sparql-results+json":
        return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    syntax = ox.RdfFormat.from_media_type(media_type)
    if syntax is None or syntax.supports_datasets:
        raise QueryFailed(f"the server answered in {media_type!r}, not as asked")
    return _graph_result(body, syntax)


def _graph_result(body: bytes, syntax: ox.RdfFormat) -> ox.QueryTriples:
    """A graph as pyoxigraph's CONSTRUCT result (which has no public constructor): through a scratch store."""
    scratch = ox.Store()
    scratch.load(body, syntax)
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
