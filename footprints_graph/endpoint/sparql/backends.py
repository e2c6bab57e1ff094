"""Where the endpoint reads a release from: its Oxigraph store on disk (the default), a copy of it in memory
(`in_memory = true`), or a SPARQL 1.1 server the release was loaded into (`store_url`, see
`footprints-graph load`). All three answer the part of pyoxigraph's `Store` API the endpoint uses — `query`
(with `prefixes`, `use_default_graph_as_union`, `default_graph`, `named_graphs`), `quads_for_pattern`,
`named_graphs` and `len()` — with pyoxigraph's result objects, so every route, result format and limit works
the same whichever store serves; only query_process.evaluate_in_slot treats a server differently (no query
process: the server does the work, and the HTTP timeout is the deadline).

Only the release's graphs are asked: a query that names no dataset of its own runs over the release's named
graphs, as default graph (their union, as on the embedded store) and as named graphs (default-graph-uri and
named-graph-uri), so whatever else the server holds — Virtuoso's own DAV and virtrdf graphs, another dataset, the
release served before or after this one — never shows in an answer, a count or the VoID.

A server keeps each graph of a release under a name of that release (iris.release_graph); queries see the public
names of the dumps. The graphs a query names (FROM, FROM NAMED, GRAPH <g>, default-graph-uri, named-graph-uri)
are sent as the server's names, and a `GRAPH ?g` ranges over them through a VALUES table that binds ?g to the
public name each stands for, so ?g is the public name wherever the query compares, joins or returns it.
"""

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.sparql.evaluation import QueryFailed
from footprints_graph.endpoint.sparql.lexer import QuerySyntaxError, QueryText, Reference, Token
from footprints_graph.endpoint.sparql.protocol import cut_short_by_store, query_timeout, store_unavailable
from footprints_graph.releases.serving import release_store
from footprints_graph.store.loading import DUMP, store_graphs
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
        self.in_store = store_graphs(summary)  # public name -> the server's
        self.triples = summary["triples"]

    def query(self, query: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None,
              use_default_graph_as_union: bool = False, default_graph: Iterable[ox.NamedNode] | None = None,
              named_graphs: Iterable[ox.NamedNode] | None = None) -> Results:
        """`query` on the server, over the dataset `_dataset` gives. The base and prefixes go first on the
        query's first line, so the server's line numbers stay right."""
        declarations = "".join([f"BASE <{base_iri}> " if base_iri else "",
                                *(f"PREFIX {p}: <{iri}> " for p, iri in (prefixes or {}).items())])
        reading = _reading(declarations + query)
        text, hidden = in_store_graphs(reading, self.in_store) if reading is not None else (declarations + query, [])
        answer = self._answer(text, _accept(reading), *self._dataset(reading, default_graph, named_graphs))
        body = _without_variables(answer.body, hidden) if answer.media_type == SPARQL_JSON else answer.body
        return _results(answer.media_type, body)

    def _dataset(self, reading: QueryText | None, default_graph: Iterable[ox.NamedNode] | None,
                 named_graphs: Iterable[ox.NamedNode] | None) -> tuple[list[str], list[str]]:
        """The default and named graphs of a query: those the request names (the guard lets through only the
        release's), or none when the query has its own FROM (checked by the guard too), else the release's (as
        named graphs only when the query has a GRAPH, the one way to reach them)."""
        if default_graph or named_graphs:
            return [self._stored(g) for g in default_graph or ()], [self._stored(g) for g in named_graphs or ()]
        if reading is not None and "FROM" in reading.keywords:
            return [], []
        graphs = list(self.in_store.values())
        # named graphs only for a query that can reach them: each costs Virtuoso time to read (about 0.4 ms for 13)
        return graphs, graphs if reading is None or "GRAPH" in reading.keywords else []

    def _stored(self, graph: ox.NamedNode) -> str:
        """The server's name of a release graph (the guard lets no other through)."""
        return self.in_store[graph.value]

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


# The variable a rewritten `GRAPH ?g` ranges over the server's names with; a query's own never starts so.
STORE_GRAPH_VARIABLE = "fp_store_graph_of_"
GRAPH_KEYWORDS = (("FROM", "NAMED"), ("GRAPH", ""))


@dataclass(frozen=True)
class GraphEdit:
    """A span of a query's text (offsets in QueryText.text) and what the server is sent instead."""

    start: int
    end: int
    replacement: str
    hidden: str | None = None  # the variable a rewritten GRAPH ?g ranges over


def in_store_graphs(reading: QueryText, in_store: dict[str, str]) -> tuple[str, list[str]]:
    """`reading`'s text over the server's names of the release graphs (`in_store`: public -> server): a graph the
    query names by IRI is renamed, and `GRAPH ?g` becomes `VALUES (?g ?hidden) {(public server)…} GRAPH ?hidden`,
    a join that leaves ?g the public name. The text, and the hidden variables (a SELECT * returns them). A
    query whose graph clause cannot be read goes unchanged: the server says what is wrong with it."""
    edits: list[GraphEdit] = []
    try:
        for keyword, modifier in GRAPH_KEYWORDS:
            places = [i for i, token in enumerate(reading.tokens) if token.keyword == keyword]
            for index, reference in zip(places, reading.references(keyword, modifier), strict=True):
                target = reading.tokens[index + 1 + (reference.phrase != keyword)]
                edits += _graph_edit(reading.tokens[index], target, reference, in_store)
    except QuerySyntaxError:
        return reading.text, []
    text = reading.text
    for edit in sorted(edits, key=lambda edit: edit.start, reverse=True):
        text = text[:edit.start] + edit.replacement + text[edit.end:]
    return text, [edit.hidden for edit in edits if edit.hidden]


def _graph_edit(keyword: Token, target: Token, reference: Reference, in_store: dict[str, str]) -> list[GraphEdit]:
    """The edit of the graph `reference` names after `keyword`, if it needs one."""
    end = target.offset + len(target.text)
    if not reference.variable:
        return [GraphEdit(target.offset, end, f"<{in_store[reference.target]}>")] if reference.target in in_store else []
    if reference.phrase != "GRAPH":
        return []
    hidden = STORE_GRAPH_VARIABLE + target.text[1:]
    rows = " ".join(f"(<{public}> <{stored}>)" for public, stored in in_store.items())
    return [GraphEdit(keyword.offset, end, f"VALUES ({target.text} ?{hidden}) {{ {rows} }} GRAPH ?{hidden}", hidden)]


def _without_variables(body: bytes, hidden: list[str]) -> bytes:
    """SPARQL JSON results without the hidden variables (a SELECT * projects them); unchanged, unparsed, when
    none of them is there."""
    if not hidden or f'"{STORE_GRAPH_VARIABLE}'.encode() not in body:
        return body
    results = json.loads(body)
    results["head"]["vars"] = [name for name in results["head"].get("vars", []) if name not in hidden]
    for row in results.get("results", {}).get("bindings", []):
        for name in hidden:
            row.pop(name, None)
    return json.dumps(results).encode("utf-8")


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
