"""What a query may reach and how much it may return, checked by the endpoint around evaluation.

pyoxigraph evaluates SERVICE by calling the endpoint it names and cannot be told not to. So before a query runs:

- a query whose text holds the letters `service` or `from` anywhere (after \\u escapes are expanded) is parsed
  with rdflib's SPARQL parser and its algebra walked: SERVICE to an endpoint that is not on the `federation`
  allowlist (empty by default) is refused with 403, and FROM / FROM NAMED of a graph the store does not have
  with 400. A query the checker cannot read is refused with 400 rather than run unchecked. Other queries skip
  the parser, which costs 30–150 ms a query; a keyword test alone is not enough (`ex:a\\#` in a prefixed name
  hides the rest of its line from a tokenizer that takes `#` for a comment, and Oxigraph does not);
- `default-graph-uri` and `named-graph-uri` must name graphs of the store (400), so nothing is ever fetched;
- behind both, the query process runs without network (hardening.drop_network).

After evaluation, a result of more than `max_result_rows` rows (or triples) is refused with 400 and a message
that says how to page through it: never a truncated answer that a client could take for the whole.
"""

import fcntl
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from .config import EndpointConfig
from .protocol import QueryOperation, SparqlProtocolError, bad_request

MENTIONS_REACH = re.compile(r"service|from", re.IGNORECASE)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
LISTED_GRAPHS = 20  # graphs named in an error message; the VoID description lists them all
RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True)
class QueryPolicy:
    """What the endpoint lets a query do: the SERVICE endpoints it may call (none by default) and the most rows
    (SELECT) or triples (CONSTRUCT, DESCRIBE) its result may have (0: no cap)."""

    services: frozenset[str] = frozenset()
    max_rows: int = 0

    @property
    def offline(self) -> bool:
        """True when the query process needs no network at all."""
        return not self.services


def policy_for(config: EndpointConfig) -> QueryPolicy:
    return QueryPolicy(frozenset(config.federation), config.max_result_rows)


def slots_for(config: EndpointConfig) -> "QuerySlots":
    return QuerySlots(config.home, config.max_concurrent_queries)


# ----------------------------------------------------------------------------- errors


def service_refused(endpoint: str, allowed: frozenset[str]) -> SparqlProtocolError:
    allowlist = f" It may call only: {', '.join(sorted(allowed))}." if allowed else ""
    return SparqlProtocolError(403, f"This endpoint does not call other endpoints: SERVICE {endpoint} is refused."
                                    f"{allowlist} Run the federated query in your own engine (Comunica, Oxigraph, "
                                    "Jena) and use this endpoint as one of its services.")


def unknown_graph(where: str, graph: str, graphs: frozenset[str]) -> SparqlProtocolError:
    listed = ", ".join(f"<{g}>" for g in sorted(graphs)[:LISTED_GRAPHS])
    more = f" and {len(graphs) - LISTED_GRAPHS} more" if len(graphs) > LISTED_GRAPHS else ""
    return bad_request(f"{where} <{graph}> is not a graph of this dataset, and this endpoint fetches nothing from "
                       f"elsewhere. Its graphs are {listed}{more} (see /.well-known/void).")


def unchecked_query(error: Exception) -> SparqlProtocolError:
    return bad_request(f"The query uses SERVICE or FROM (or the words appear in it), which this endpoint checks "
                       f"before running a query, and the checker could not read it: {error}. Fix the query, or "
                       "write it without those words.")


def result_too_large(limit: int) -> SparqlProtocolError:
    return bad_request(f"The result has more than {limit} rows (or triples), this endpoint's limit, so it was not "
                       f"sent: a truncated answer would look complete. Add LIMIT {limit} and page with OFFSET, "
                       "aggregate (COUNT, GROUP BY), or load a dump (/dumps/) into your own store.")


def server_busy(retry_after: int) -> SparqlProtocolError:
    return SparqlProtocolError(503, f"This endpoint is answering as many queries as it can at once. Try again in "
                                    f"{retry_after} s.", {"Retry-After": str(retry_after)})


# ----------------------------------------------------------------------------- before evaluation


def store_graphs(store: ox.Store) -> frozenset[str]:
    return frozenset(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def check_query(operation: QueryOperation, graphs: frozenset[str], policy: QueryPolicy) -> None:
    """Raise a protocol error if `operation` would reach outside `graphs` or call a SERVICE `policy` does not allow."""
    for parameter, named in (("default-graph-uri", operation.default_graphs),
                             ("named-graph-uri", operation.named_graphs)):
        _check_graphs(parameter, named, graphs)
    if MENTIONS_REACH.search(_unescaped(operation.text)):
        algebra = _parsed(operation.text).algebra
        _check_services(algebra, policy)
        for clause in algebra.get("datasetClause", None) or ():
            named = "named" in clause  # CompValue.get answers a missing key with the key itself
            _check_graphs("FROM NAMED" if named else "FROM", [str(clause["named" if named else "default"])], graphs)


def _check_services(algebra: CompValue, policy: QueryPolicy) -> None:
    for endpoint in _services(algebra):
        if isinstance(endpoint, Variable):  # could be bound to any endpoint
            raise service_refused(endpoint.n3(), policy.services)
        if str(endpoint) not in policy.services:  # str(): an rdflib term does not hash as its string does
            raise service_refused(f"<{endpoint}>", policy.services)


def _check_graphs(where: str, named: Iterable[str], graphs: frozenset[str]) -> None:
    for graph in named:
        if graph not in graphs:
            raise unknown_graph(where, graph, graphs)


def _unescaped(text: str) -> str:
    """SPARQL lets \\uXXXX and \\UXXXXXXXX stand for any character anywhere in a query."""
    def character(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code < 0x110000 else match.group(0)
    return _UNICODE_ESCAPE.sub(character, text)


def _parsed(text: str):
    try:
        return translateQuery(parseQuery(text))
    except Exception as error:  # noqa: BLE001 — rdflib raises bare Exception (an unknown prefix), RecursionError (deep nesting), …
        raise unchecked_query(error) from None


def _services(node: object) -> Iterator[URIRef | Variable]:
    """The endpoint (an IRI or a variable) of every SERVICE in the algebra."""
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            yield node.term
        for value in node.values():
            yield from _services(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _services(value)


# ----------------------------------------------------------------------------- after evaluation


class _RowCounter:
    """A file that pyoxigraph writes SELECT results into as TSV (a header line, then one line a row: TSV escapes
    line breaks in literals), which stops the writing as soon as there are more than `limit` rows."""

    def __init__(self, limit: int):
        self.limit, self.lines, self.chunks = limit + 1, 0, []  # + the header line

    def write(self, data: bytes) -> int:
        data = bytes(data)
        self.lines += data.count(b"\n")
        if self.lines > self.limit:
            raise OverflowError("the result is over the row limit")
        self.chunks.append(data)
        return len(data)

    def flush(self) -> None:
        """pyoxigraph flushes what it wrote; everything is in memory already."""


def capped(results, limit: int):
    """`results` as a result of the same kind holding at most `limit` rows or triples; raises 400 if it has more."""
    if not limit or isinstance(results, ox.QueryBoolean):
        return results
    if isinstance(results, ox.QueryTriples):
        triples = list(islice(results, limit + 1))
        if len(triples) > limit:
            raise result_too_large(limit)
        return triples
    counter = _RowCounter(limit)
    try:
        results.serialize(counter, format=ox.QueryResultsFormat.TSV)
    except OverflowError:
        raise result_too_large(limit) from None
    return ox.parse_query_results(b"".join(counter.chunks), ox.QueryResultsFormat.TSV)


# ----------------------------------------------------------------------------- how many at once


class QuerySlots:
    """At most `count` queries at once across all the worker processes serving one home folder (0: no cap but
    the number of workers). A slot is an exclusive lock on one of `count` files in <home>/.query-slots; the
    kernel releases it if its holder dies, so a killed worker never leaks one."""

    def __init__(self, home: Path, count: int):
        self.folder = home / ".query-slots"
        self.count = count

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold a free slot while the block runs; raise 503 with Retry-After if every slot is taken."""
        if not self.count:
            yield
            return
        descriptor = self._take()
        try:
            yield
        finally:
            os.close(descriptor)

    def _take(self) -> int:
        self.folder.mkdir(mode=0o700, exist_ok=True)
        for slot in range(self.count):
            descriptor = os.open(self.folder / f"slot-{slot}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return descriptor
            except BlockingIOError:
                os.close(descriptor)
        raise server_busy(RETRY_AFTER_SECONDS)
