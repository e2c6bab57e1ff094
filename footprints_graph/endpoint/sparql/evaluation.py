"""Evaluating a query on the store and writing its results in a format from the protocol's table.

pyoxigraph evaluates a query in Rust and cannot be interrupted from Python, so a query with a deadline runs
in a forked child process that the caller kills when the deadline passes (the store is opened read-only,
so the child only reads). The same `evaluate` serves the HTTP endpoint and the `query` command.
"""

import os
import pickle
import select
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from footprints_graph.hardening import drop_network, network_sandbox_supported
from footprints_graph.iris import PREFIXES
from footprints_graph.endpoint.sparql.guard import QueryPolicy, capped, check_nesting, check_query, store_graphs
from footprints_graph.endpoint.sparql.protocol import GRAPH, SOLUTIONS, QueryOperation, ResultFormat, SparqlProtocolError, bad_request, malformed_query, query_timeout, the_server_is_read_only

Chooser = Callable[[str], ResultFormat]  # the kind of result -> the format to write it in
PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3, ox.RdfFormat.RDF_XML)
# pyoxigraph raises RuntimeError both for a function the query calls that Oxigraph does not have (the client's
# doing) and for faults of its own; this is how the first begins.
UNKNOWN_FUNCTION = "The custom function "


@dataclass(frozen=True)
class Answer:
    format: ResultFormat
    body: bytes


class QueryFailed(RuntimeError):
    """The store failed while evaluating a query (a server fault, not the client's)."""


def evaluate(store: ox.Store, operation: QueryOperation, choose: Chooser, policy: QueryPolicy | None = None) -> Answer:
    """Run `operation` on `store` and serialise its results in the format `choose` picks for their kind. With a
    `policy`, the query is checked before it runs and its result capped (guard.py)."""
    check_nesting(operation)
    if policy:
        check_query(operation, store_graphs(store), policy)
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


# ----------------------------------------------------------------------------- the deadline


def evaluate_with_deadline(store: ox.Store, operation: QueryOperation, choose: Chooser, seconds: float,
                           policy: QueryPolicy | None = None) -> Answer:
    """`evaluate` in a child process that is killed after `seconds` (503); inline when `seconds` is 0. The child
    has no network when `policy` allows no SERVICE."""
    if not seconds:
        return evaluate(store, operation, choose, policy)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(reader)
        _child(writer, lambda: evaluate(store, operation, choose, policy), seconds, bool(policy and policy.offline))
    os.close(writer)
    try:
        payload = _read_before(reader, time.monotonic() + seconds)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        raise query_timeout(seconds) from None
    finally:
        os.close(reader)
        os.waitpid(pid, 0)
    return _outcome(payload)


def _child(writer: int, work: Callable[[], Answer], seconds: float, offline: bool) -> None:
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # a second, independent deadline: the kernel's
    signal.alarm(int(seconds) + 2)
    try:
        try:
            if offline and network_sandbox_supported():
                drop_network()  # so that a SERVICE the guard did not see cannot connect anywhere
            outcome = work()
        except SparqlProtocolError as error:
            outcome = error
        except Exception as error:  # noqa: BLE001 — carried to the parent, which raises it as a server fault
            outcome = QueryFailed(f"{type(error).__name__}: {error}")
        data = pickle.dumps(outcome)
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(data)
    finally:
        os._exit(0)


def _read_before(fd: int, deadline: float) -> bytes:
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _outcome(payload: bytes) -> Answer:
    if not payload:
        raise QueryFailed("the query process ended without an answer")
    outcome = pickle.loads(payload)  # noqa: S301 — our own child wrote it
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
