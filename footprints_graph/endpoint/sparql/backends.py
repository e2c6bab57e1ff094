"""Where the endpoint reads a release from: its Oxigraph store on disk (the default), a copy of it in memory
(`in_memory = true`), or a SPARQL 1.1 server the release was loaded into (`store_url`, see
`footprints-graph load`). All three answer the part of pyoxigraph's `Store` API the endpoint uses — `query`
(with `prefixes`, `use_default_graph_as_union`, `default_graph`, `named_graphs`), `quads_for_pattern`,
`named_graphs` and `len()` — with pyoxigraph's result objects, so every route, result format and limit works
the same whichever store serves; only query_process.evaluate_in_slot treats a server differently (no query
process: the server does the work, and the HTTP timeout is the deadline).

Only the release's graphs are asked: a query that names no dataset of its own runs over the release's named
graphs, as default graph (their union, as on the embedded store) and as named graphs (default-graph-uri and
named-graph-uri), so whatever else the server holds — Virtuoso's own DAV and virtrdf graphs, another dataset —
never shows in an answer, a count or the VoID.
"""

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.sparql.evaluation import QueryFailed
from footprints_graph.endpoint.sparql.lexer import QuerySyntaxError, QueryText
from footprints_graph.endpoint.sparql.protocol import cut_short_by_store, query_timeout, store_unavailable
from footprints_graph.releases.serving import release_store
from footprints_graph.store.loading import DUMP
from footprints_graph.store.remote import (
    N_TRIPLES,
    SPARQL_JSON,
    QueryRefused,
    RemoteAnswer,
    RemoteStore,
    RemoteStoreError,
    ServerRefused,
    ServerTimeout,
    ServerUnreachable,
    TruncatedResults,
    read_solutions,
)

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30  # a restarting server: Virtuoso replays its transaction log before it answers
UNAVAILABLE = (502, 503, 504)  # what a server, or a proxy in front of it, answers while it is down
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
    return in_memory_store if config.in_memory else release_store


def in_memory_store(release: Path) -> ox.Store:
    """A copy of the release in this process's memory, loaded from its N-Quads dump. Oxigraph answers joins
    from memory several times faster than from RocksDB on disk; docs/performance.md has the figures."""
    store = ox.Store()
    store.bulk_load(path=str(release / DUMP), format=ox.RdfFormat.N_QUADS)
    return store


# ----------------------------------------------------------------------------- a SPARQL server

# What to ask a server for, by query form: given a choice, Virtuoso writes a CONSTRUCT result as SPARQL JSON.
SOLUTIONS_ACCEPT, GRAPH_ACCEPT = SPARQL_JSON, N_TRIPLES


class ServerStore:
    """A release as loaded into a SPARQL 1.1 server, asked through the one SPARQL client (store/remote.py). The
    release's own summary says which graphs and how many triples the server holds for it (`load` checked
    that), so a server's system graphs never show up in the graph list."""

    def __init__(self, url: str, release: Path, timeout: float):
        self.url = url
        self.timeout = timeout
        self.client = RemoteStore(url, timeout=timeout or None)  # 0: wait as long as the server takes
        summary = json.loads((release / "summary.json").read_text(encoding="utf-8"))
        self.graphs = [ox.NamedNode(graph) for graph in summary["graphs"]]
        self.triples = summary["triples"]

    def query(self, query: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None,
              use_default_graph_as_union: bool = False, default_graph: Iterable[ox.NamedNode] | None = None,
              named_graphs: Iterable[ox.NamedNode] | None = None) -> Results:
        """`query` on the server, over the dataset `_dataset` gives. The base and prefixes go first on the
        query's first line, so the server's line numbers stay right."""
        declarations = "".join([f"BASE <{base_iri}> " if base_iri else "",
                                *(f"PREFIX {p}: <{iri}> " for p, iri in (prefixes or {}).items())])
        text = declarations + query
        reading = _reading(text)
        answer = self._answer(text, _accept(reading), *self._dataset(reading, default_graph, named_graphs))
        return _results(answer.media_type, answer.body)

    def _dataset(self, reading: QueryText | None, default_graph: Iterable[ox.NamedNode] | None,
                 named_graphs: Iterable[ox.NamedNode] | None) -> tuple[list[str], list[str]]:
        """The default and named graphs of a query: those the request names (the guard lets through only the
        release's), or none when the query has its own FROM (checked by the guard too), else the release's."""
        if default_graph or named_graphs:
            return [g.value for g in default_graph or ()], [g.value for g in named_graphs or ()]
        if reading is not None and "FROM" in reading.keywords:
            return [], []
        graphs = [g.value for g in self.graphs]
        return graphs, graphs

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

    def _answer(self, query: str, accept: str, default_graphs: list[str], named_graphs: list[str]) -> RemoteAnswer:
        """The server's answer; a query it calls malformed is a SyntaxError, as pyoxigraph raises (the endpoint
        answers 400 with the server's reason), a timeout the protocol's 503, a server down or restarting a 503
        with Retry-After, a result cut at the server's row limit a 400 naming it, any other failure a server
        fault."""
        try:
            return self.client.answer(query, accept, default_graphs, named_graphs)
        except QueryRefused as error:
            raise SyntaxError(f"{self.url} refused the query: {error.reason}") from None
        except ServerTimeout:
            raise query_timeout(self.timeout) from None
        except TruncatedResults as error:
            raise cut_short_by_store(error.limit) from None
        except ServerUnreachable as error:
            raise _unavailable(error) from None
        except ServerRefused as error:
            raise (_unavailable(error) if error.status in UNAVAILABLE else QueryFailed(str(error))) from None
        except RemoteStoreError as error:
            raise QueryFailed(str(error)) from None


def _unavailable(error: RemoteStoreError) -> Exception:
    """The client's 503: the server's address and reason go to the log, not to the public."""
    log.error("the SPARQL server is unavailable: %s", error)
    return store_unavailable(RETRY_AFTER_SECONDS)


def _reading(query: str) -> QueryText | None:
    """The query as the lexer reads it; None when it cannot (the server then says what is wrong with it)."""
    try:
        return QueryText(query)
    except QuerySyntaxError:
        return None


def _accept(reading: QueryText | None) -> str:
    """The result format to ask for: the query's form names the kind of result (a query that cannot be read is
    asked for as solutions)."""
    return GRAPH_ACCEPT if reading is not None and reading.form in ("CONSTRUCT", "DESCRIBE") else SOLUTIONS_ACCEPT


def _pattern_term(term: Term | None, variable: str) -> str:
    return variable if term is None else str(term)


def _results(media_type: str, body: bytes) -> Results:
    if media_type == SPARQL_JSON:
        return read_solutions(body)
    syntax = ox.RdfFormat.from_media_type(media_type)
    if syntax is None or syntax.supports_datasets:
        raise QueryFailed(f"the server answered in {media_type!r}, not as asked")
    return _graph_result(body, syntax)


def _graph_result(body: bytes, syntax: ox.RdfFormat) -> ox.QueryTriples:
    """A graph as pyoxigraph's CONSTRUCT result (which has no public constructor): through a scratch store."""
    scratch = ox.Store()
    scratch.load(body, syntax)
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
