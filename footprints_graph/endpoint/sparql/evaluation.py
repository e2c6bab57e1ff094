"""Evaluating a query on the store and writing its results in a format from the protocol's table.

The same `evaluate` serves the HTTP endpoint and the `query` command. pyoxigraph evaluates a query in Rust and
cannot be interrupted from Python, so the endpoint calls it in a query process it can kill when the deadline
passes (query_process.py).
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from footprints_graph.endpoint.sparql.guard import QueryPolicy, capped, check_nesting, check_query
from footprints_graph.endpoint.sparql.protocol import (
    GRAPH,
    SOLUTIONS,
    QueryOperation,
    ResultFormat,
    SparqlProtocolError,
    bad_request,
    malformed_query,
    the_server_is_read_only,
)
from footprints_graph.iris import PREFIXES

log = logging.getLogger(__name__)

Chooser = Callable[[str], ResultFormat]  # the kind of result -> the format to write it in
PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3, ox.RdfFormat.RDF_XML)
# pyoxigraph raises RuntimeError both for a function the query calls that Oxigraph does not have (the client's
# doing) and for faults of its own; this is how the first begins.
UNKNOWN_FUNCTION = "The custom function "


@dataclass(frozen=True)
class Answer:
    format: ResultFormat
    body: bytes

    def __reduce__(self):  # pickled as a tuple (from the query process): a dataclass's dict took twice as long
        return (Answer, (self.format, self.body))


class QueryFailed(RuntimeError):
    """The store failed while evaluating a query (a server fault, not the client's)."""


def server_fault(error: QueryFailed) -> SparqlProtocolError:
    """What a client is told of a QueryFailed (500); the failure itself goes to the log."""
    log.error("query failed: %s", error)
    return SparqlProtocolError(500, "The server failed while answering; this is a fault of the server, not of the "
                                    "request. Try again later.")


def evaluate(store: ox.Store, operation: QueryOperation, choose: Chooser, policy: QueryPolicy | None = None) -> Answer:
    """Run `operation` on `store` and serialise its results in the format `choose` picks for their kind. With a
    `policy`, the query is checked before it runs and its result capped (guard.py)."""
    check(store, operation, policy)
    return evaluate_checked(store, operation, choose, policy)


def check(store: ox.Store, operation: QueryOperation, policy: QueryPolicy | None) -> None:
    """The guard's refusals (400/403), which need no engine: the nesting always, and with a `policy` what the
    query may reach."""
    check_nesting(operation)
    if policy:
        check_query(operation, store, policy)


def evaluate_checked(store: ox.Store, operation: QueryOperation, choose: Chooser,
                     policy: QueryPolicy | None = None) -> Answer:
    """`evaluate` of an operation `check` has passed already (the worker checks before it takes a query slot)."""
    results = _run(store, operation)
    kind = GRAPH if isinstance(results, ox.QueryTriples) else SOLUTIONS
    chosen = choose(kind)
    if policy:
        results = capped(results, policy.max_rows)
    return Answer(chosen, serialize(results, chosen))


def _run(store: ox.Store, operation: QueryOperation):
    try:
        return store.query(operation.text, base_iri=operation.base, **operation.dataset_arguments())
    except SyntaxError as error:
        raise (the_server_is_read_only() if operation.looks_like_update else malformed_query(error)) from error
    except RuntimeError as error:
        if str(error).startswith(UNKNOWN_FUNCTION):
            raise unknown_function(error) from None
        raise


def unknown_function(error: RuntimeError) -> SparqlProtocolError:
    return bad_request(f"{error}: the query calls a function this endpoint does not have. It has SPARQL 1.1's "
                       "functions and the XSD casts (xsd:integer(…), …); check the function's IRI and prefix.")


def serialize(results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, chosen: ResultFormat,
              prefixes: dict[str, str] = PREFIXES) -> bytes:
    if chosen.kind == SOLUTIONS:
        return results.serialize(format=chosen.syntax)
    return ox.serialize(results, format=chosen.syntax, prefixes=prefixes if chosen.syntax in PREFIXED else None)


def serialize_triples(triples: Iterable[ox.Triple], chosen: ResultFormat,
                      prefixes: dict[str, str] = PREFIXES) -> bytes:
    """RDF the server builds itself (descriptions, VoID) written through the same table, grouped by subject."""
    return serialize(iter(sorted(triples, key=lambda t: str(t.subject))), chosen, prefixes)
