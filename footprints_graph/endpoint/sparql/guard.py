"""What a query may reach, how deep it may nest and how much it may return, checked by the endpoint around
evaluation.

pyoxigraph evaluates SERVICE by calling the endpoint it names and cannot be told not to, and its parser and
evaluator recurse as deep as a query nests, so before a query runs its tokens (lexer.py: SPARQL's terminals, read
as Oxigraph reads them, IRIs resolved by Oxigraph's resolver) are checked:

- a query nested more than MAX_NESTING levels deep (brackets, and chains of operators or of UNION, OPTIONAL, …,
  counted as lexer.nesting does) is refused with 400: 2,000 nested `{` or 10,000 chained `+1` overflow the
  engine's stack and kill the process that runs it;
- SERVICE to an endpoint that is not on the `federation` allowlist (empty by default), or to a variable, is
  refused with 403; FROM / FROM NAMED of a graph the store does not have with 400;
- `default-graph-uri` and `named-graph-uri` must name graphs of the store (400), so nothing is ever fetched;
- behind all of it, the query process runs without network (hardening.drop_network).

After evaluation, a result of more than `max_result_rows` rows (or triples) is refused with 400 and a message
that says how to page through it: never a truncated answer that a client could take for the whole.
"""

import fcntl
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.sparql.lexer import QuerySyntaxError, nesting
from footprints_graph.endpoint.sparql.protocol import QueryOperation, SparqlProtocolError, bad_request, malformed_query

# Levels of nesting a query may have. The engine overflows its 8 MB stack between 2,000 and 3,000 nested `{` and
# between 3,000 and 10,000 chained operators; a query a person writes rarely passes 50.
MAX_NESTING = 1000
LISTED_GRAPHS = 20  # graphs named in an error message; the VoID description lists them all
RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True)
class QueryPolicy:
    """What the endpoint lets a query do: the SERVICE endpoints it may call (none by default) and the most rows
    (SELECT) or triples (CONSTRUCT, DESCRIBE) its result may have (0: no cap)."""

    services: frozenset[str] = frozenset()
    max_rows: int = 0
    memory: int = 0  # bytes the query process may allocate beyond what it was forked with (0: no limit)

    @property
    def offline(self) -> bool:
        """True when the query process needs no network at all."""
        return not self.services


@lru_cache(maxsize=16)
def policy_for(config: EndpointConfig) -> QueryPolicy:
    """Kept by configuration (asked on every query, as is slots_for)."""
    return QueryPolicy(frozenset(config.federation), config.max_result_rows, config.query_memory << 20)


@lru_cache(maxsize=16)
def slots_for(config: EndpointConfig) -> "QuerySlots":
    return QuerySlots(config.home, config.max_concurrent_queries, config.max_long_queries, config.short_query_seconds)


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


def too_deep(depth: int, where: str) -> SparqlProtocolError:
    return bad_request(f"The query nests {depth} levels deep at {where} (brackets, and chained operators, UNION, "
                       f"OPTIONAL, …); this endpoint reads at most {MAX_NESTING}. Flatten it: a VALUES block "
                       "instead of a chain of || or UNION, IN (…) instead of = … || = ….")


def result_too_large(limit: int) -> SparqlProtocolError:
    return bad_request(f"The result has more than {limit} rows (or triples), this endpoint's limit, so it was not "
                       f"sent: a truncated answer would look complete. Add LIMIT {limit} and page with OFFSET, "
                       "aggregate (COUNT, GROUP BY), or load a dump (/dumps/) into your own store.")


def out_of_memory(limit: int) -> SparqlProtocolError:
    return SparqlProtocolError(503, f"The query needed more than {limit >> 20} MB of memory, this endpoint's limit, "
                                    "and was stopped. Narrow it (LIMIT, fewer or shorter values), or load a dump "
                                    "(/dumps/) into your own store.")


def long_lane_full(slots: "QuerySlots", retry_after: int) -> SparqlProtocolError:
    """A query past the short budget while every long slot is taken (QuerySlots)."""
    return SparqlProtocolError(503, f"The query ran past {slots.short_seconds:g} s, this server's budget for a "
                                    f"query (or a check of an upload), while every slot for longer queries "
                                    f"({slots.long}) was taken, so it was stopped. Try again in {retry_after} s; "
                                    "narrow the query (LIMIT, fewer patterns) or send fewer records at a time, or "
                                    "load a dump (/dumps/) into your own store.", {"Retry-After": str(retry_after)})


def server_busy(retry_after: int) -> SparqlProtocolError:
    return SparqlProtocolError(503, f"This endpoint is answering as many queries as it can at once. Try again in "
                                    f"{retry_after} s.", {"Retry-After": str(retry_after)})


# ----------------------------------------------------------------------------- before evaluation


def store_graphs(store: ox.Store) -> frozenset[str]:
    return frozenset(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def check_nesting(operation: QueryOperation) -> None:
    """Raise 400 if `operation` nests deeper than MAX_NESTING: before the engine, whose parser would overflow."""
    deepest = nesting(operation.reading.tokens)
    if deepest.depth > MAX_NESTING:
        raise too_deep(deepest.depth, operation.reading.place(deepest.offset))


def check_query(operation: QueryOperation, store: ox.Store, policy: QueryPolicy) -> None:
    """Raise a protocol error if `operation` would reach outside the graphs of `store` or call a SERVICE `policy`
    does not allow. The store's graphs are listed only for a query that names some: most name none, and listing
    them (23 µs for a release's 13 graphs on disk) was most of the guard's time for a short query."""
    graphs = cache(lambda: store_graphs(store))
    for parameter, named in (("default-graph-uri", operation.default_graphs),
                             ("named-graph-uri", operation.named_graphs)):
        _check_graphs(parameter, named, graphs)
    try:
        services = operation.reading.references("SERVICE", "SILENT")
        sources = operation.reading.references("FROM", "NAMED")
    except QuerySyntaxError as error:
        raise malformed_query(error) from None
    for service in services:
        _check_service(service.target, service.variable, policy)
    for source in sources:
        _check_graphs(source.phrase, [source.target], graphs)


def _check_service(endpoint: str, variable: bool, policy: QueryPolicy) -> None:
    if variable:  # could be bound to any endpoint
        raise service_refused(endpoint, policy.services)
    if endpoint not in policy.services:
        raise service_refused(f"<{endpoint}>", policy.services)


def _check_graphs(where: str, named: Iterable[str], graphs: Callable[[], frozenset[str]]) -> None:
    for graph in named:
        if graph not in graphs():
            raise unknown_graph(where, graph, graphs())


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


# ----------------------------------------------------------------------------- how many at once, and how long


class QuerySlots:
    """At most `count` queries at once across all the worker processes serving one home folder (0: no cap but
    the number of workers), of which at most `long` (0: all of them) may run past `short_seconds`.

    Two lanes, because a slot held to the deadline by a runaway is a slot a small query cannot have: every query
    starts in the short lane with `short_seconds` to answer; one still running then must take one of the `long`
    slots (and keeps running to its deadline) or is stopped with a 503 that says why. However many runaways are
    sent, at least `count - long` slots are always in the short lane, and each of those is taken for at most
    `short_seconds`. A slot is an exclusive lock on a file in <home>/.query-slots (`slot-N` for every running
    query, `long-N` for those past the short budget); the kernel releases it if its holder dies, so a killed
    worker never leaks one."""

    def __init__(self, home: Path, count: int, long: int = 0, short_seconds: float = 0):
        self.folder = home / ".query-slots"
        self.count, self.long, self.short_seconds = count, long, short_seconds
        # each lane's files, named once: joining paths on every query took longer than locking one
        self.files = {name: [str(self.folder / f"{name}-{number}") for number in range(lane)]
                      for name, lane in (("slot", count), ("long", long))}

    @contextmanager
    def hold(self) -> Iterator["Slot"]:
        """Hold a free slot while the block runs; raise 503 with Retry-After if every slot is taken."""
        slot = Slot(self, [self.take("slot")] if self.count else [])
        try:
            yield slot
        finally:
            slot.release()

    def take(self, name: str) -> tuple[str, int]:
        """A slot file `name-N` that is free, and the descriptor holding its lock; 503 with Retry-After if all of
        the lane's are locked."""
        for path in self.files[name]:
            descriptor = _SLOT_FILES.open(path)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return path, descriptor
            except BlockingIOError:
                _SLOT_FILES.keep(path, descriptor)
        raise server_busy(RETRY_AFTER_SECONDS) if name == "slot" else long_lane_full(self, RETRY_AFTER_SECONDS)


class _SlotFiles:
    """Slot files kept open once unlocked, for the next query to lock (taking a slot, which opened and closed its
    file each time, went from 30 to 11–14 µs). An open file has one holder at a time: flock excludes other open files of the same
    file, not other users of the same one. A forked process closes the ones it inherits (its parent's, which it
    must neither lock nor keep open: a lock its parent takes later would outlive the parent)."""

    def __init__(self):
        self.lock, self.idle = threading.Lock(), {}  # path -> descriptors open on it, unlocked

    def open(self, path: str) -> int:
        with self.lock:
            if self.idle.get(path):
                return self.idle[path].pop()
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:  # the first query on this home
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def keep(self, path: str, descriptor: int) -> None:
        """Take back an unlocked `descriptor` of `path` for the next query."""
        with self.lock:
            self.idle.setdefault(path, []).append(descriptor)

    def close_inherited(self) -> None:
        """In a child just forked (one thread): without the lock, which another thread may have held at the fork."""
        for descriptors in self.idle.values():
            for descriptor in descriptors:
                os.close(descriptor)
        self.lock, self.idle = threading.Lock(), {}


_SLOT_FILES = _SlotFiles()
os.register_at_fork(after_in_child=_SLOT_FILES.close_inherited)


class Slot:
    """A query's place in the slots: the slot files it holds locked."""

    def __init__(self, slots: QuerySlots, held: list[tuple[str, int]]):
        self.slots, self.held = slots, held

    def short_budget(self, seconds: float) -> float:
        """How long a query with `seconds` to answer may run before it must take a long slot: all of `seconds`
        when it need not (no long lane, or a deadline within the short budget)."""
        lanes = self.slots.count and self.slots.long and self.slots.short_seconds
        return min(seconds, self.slots.short_seconds) if lanes else seconds

    def lengthen(self) -> None:
        """Move to the long lane; 503 (long_lane_full) if its slots are all taken."""
        self.held.append(self.slots.take("long"))

    def release(self) -> None:
        for path, descriptor in self.held:  # unlocked, not only closed: a query process forked meanwhile by another
            fcntl.flock(descriptor, fcntl.LOCK_UN)  # thread shares the descriptor
            _SLOT_FILES.keep(path, descriptor)
        self.held = []
