"""Queries with a deadline in a query process that lives on between queries.

pyoxigraph cannot be interrupted, so a query that may run long runs in a child process the worker can kill.
Forking one per query would cost ~12 ms for a worker serving a store on disk and ~70 ms for
one holding a 100k-victim store in memory (the page tables are copied): more than most library queries take.
So each worker keeps its query processes (`QueryProcesses`: as many as it ran queries at once) and sends each
query after query through a pipe; only a query that overruns its deadline costs a fork, because the process is
killed with it and the next query forks a new one.
The process holds the store it was forked with; another store (a new release, the curators' store) gets a
new process. It reads only and, when the policy allows no SERVICE, it has no network (hardening.drop_network).
The public endpoint and the curators' endpoint both run their queries here (`evaluate_in_slot`), the pages
their own (`select_in_slot`), and other work that may run long on what a client sent (checking an upload) runs
here too, as a `Call`, so that it is stopped at its deadline like a query (`call_in_slot`).
"""

import os
import pickle
import resource
import select
import signal
import stat
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import pyoxigraph as ox

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.sparql.backends import ServerStore
from footprints_graph.endpoint.sparql.evaluation import Answer, Chooser, QueryFailed, check, evaluate_checked
from footprints_graph.endpoint.sparql.guard import QueryPolicy, Slot, out_of_memory, policy_for, slots_for
from footprints_graph.endpoint.sparql.protocol import (
    SOLUTIONS,
    Negotiated,
    QueryOperation,
    SparqlProtocolError,
    format_named,
    query_timeout,
)
from footprints_graph.hardening import drop_network, network_sandbox_supported
from footprints_graph.iris import PREFIXES

LENGTH = struct.Struct("!Q")  # each message on a pipe: its length, then the pickled object
# What one read takes: a pipe holds 64 KiB (Linux's default), so a read never returns more, and a larger buffer cost
# an allocation of its own (mmap, mremap, munmap) on each read
READ_SIZE = 1 << 16
# Added to a query process's niceness: when queries keep both cores busy (eight of them in their first second, under
# the hostile mix), the workers that render pages and answer from the cache still get the CPU first.
QUERY_NICENESS = 10
# a gunicorn worker's handlers of these would run worker code in the query process
INHERITED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                     signal.SIGWINCH, signal.SIGCHLD, signal.SIGALRM)


@dataclass(frozen=True)
class Request:
    """One query for the process: the operation and the format (or the 406) for each kind of result."""

    operation: QueryOperation
    choose: Negotiated
    seconds: float

    def __reduce__(self):  # pickled as a tuple: a dataclass's state (a dict of its fields) took twice as long
        return (Request, (self.operation, self.choose, self.seconds))


@dataclass(frozen=True)
class Call:
    """Work for the process other than a query: `function(store, *arguments)`, a module-level function (it travels
    by name) that returns plain data; an exception it raises comes back as a QueryFailed (a server fault)."""

    function: Callable
    arguments: tuple
    seconds: float
    overrun: str  # what the client is told when it runs past `seconds`


def negotiated_once(choose: Chooser) -> Negotiated:
    """What `choose` picks for each kind of result, as a chooser that travels (a closure over the HTTP request does
    not); the endpoint's own, negotiated once a request, as it is."""
    return choose if isinstance(choose, Negotiated) else Negotiated(choose)


class QueryProcess:
    """A query process, forked on first use (a worker keeps its own in QueryProcesses)."""

    def __init__(self):
        self.pid: int | None = None
        self.pid_of_parent = os.getpid()
        self.store = self.policy = None
        self.requests = self.answers = -1  # our ends of the two pipes

    def evaluate(self, store, operation: QueryOperation, choose: Chooser, seconds: float,
                 policy: QueryPolicy | None, slot: Slot | None = None) -> Answer:
        """`evaluate_checked(store, operation, choose, policy)` (`operation` has passed evaluation.check) in the query
        process, 503 after `seconds` (or after the `slot`'s short budget, if it cannot take a long one); in this
        process when `seconds` is 0 (no deadline)."""
        if not seconds:
            return evaluate_checked(store, operation, choose, policy)
        return self._ask(store, Request(operation, negotiated_once(choose), seconds), policy, slot)

    def call(self, store, call: Call, policy: QueryPolicy | None, slot: Slot | None = None) -> object:
        """`call` in the query process, 503 saying `call.overrun` after its seconds; here when they are 0."""
        if not call.seconds:
            return call.function(store, *call.arguments)
        return self._ask(store, call, policy, slot, SparqlProtocolError(503, call.overrun))

    def prepare(self, store, policy: QueryPolicy | None) -> None:
        """Fork a query process for `store` unless a live one serves it. Call it before taking a lock: a
        process forked while the lock is held keeps a copy of its descriptor, and with it the lock."""
        if not self._serves(store, policy):
            self._start(store, policy)

    def _ask(self, store, request: Request | Call, policy: QueryPolicy | None, slot: Slot | None,
             overrun: SparqlProtocolError | None = None) -> object:
        """Send `request` to the query process and return its answer (raise it, if it is an error)."""
        self.prepare(store, policy)
        _send(self.requests, request)
        outcome = self._outcome(request.seconds, slot, overrun)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _outcome(self, seconds: float, slot: Slot | None, overrun: SparqlProtocolError | None = None) -> object:
        deadline = time.monotonic() + seconds
        short = slot.short_budget(seconds) if slot else seconds
        try:
            if not _answering(self.answers, short):
                if short == seconds:
                    raise TimeoutError
                self._lengthen(slot)
                if not _answering(self.answers, max(0.0, deadline - time.monotonic())):
                    raise TimeoutError
            return _receive(self.answers, deadline)  # its first read without waiting: the answer is being written
        except TimeoutError:
            self.stop()  # killed with the query it is stuck in
            raise (overrun or query_timeout(seconds)) from None
        except EOFError:
            memory, aborted = self.policy.memory if self.policy else 0, self._aborted()
            self.stop()
            if aborted and memory:
                raise out_of_memory(memory) from None
            raise QueryFailed("the query process ended without an answer") from None

    def _lengthen(self, slot: Slot) -> None:
        """Move the running query to the long lane, or stop it with the 503 that says the lane is full."""
        try:
            slot.lengthen()
        except SparqlProtocolError:
            self.stop()
            raise

    def _aborted(self) -> bool:
        """Whether the process ended by abort(), as Oxigraph does when an allocation fails (the memory limit)."""
        with suppress(ChildProcessError):
            _, status = os.waitpid(self.pid, 0)
            return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT
        return False

    def _serves(self, store, policy: QueryPolicy | None) -> bool:
        return (self.pid is not None and self.pid_of_parent == os.getpid() and store is self.store
                and policy == self.policy and _alive(self.pid))

    def _start(self, store, policy: QueryPolicy | None) -> None:
        self.stop()
        to_child, self.requests = os.pipe()
        self.answers, from_child = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the query process: never returns
            os.close(self.requests)
            os.close(self.answers)
            _serve(store, policy, to_child, from_child)
        os.close(to_child)
        os.close(from_child)
        self.store, self.policy, self.pid_of_parent = store, policy, os.getpid()

    def stop(self) -> None:
        """Kill the query process, if this process has one."""
        if self.pid is None:
            return
        if self.pid_of_parent == os.getpid():  # not a process forked by someone else's parent
            os.close(self.requests)
            os.close(self.answers)
            with suppress(ProcessLookupError, ChildProcessError):  # it had ended and been reaped already
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        self.pid = self.store = self.policy = None


def _alive(pid: int) -> bool:
    """The child `pid` has not ended (a crash, the kernel's out-of-memory killer); reaps it if it has."""
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:  # reaped already
        return False


def _serve(store, policy: QueryPolicy | None, requests: int, answers: int) -> None:
    """The query process: answer requests until the worker closes the pipe (or dies)."""
    try:
        for number in INHERITED_SIGNALS:  # SIGALRM too: each query's second deadline, the kernel's
            signal.signal(number, signal.SIG_DFL)
        _close_inherited_channels(keep={requests, answers})
        os.nice(QUERY_NICENESS)
        if isinstance(store, ServerStore):
            store.client.forget_connections()  # the worker's, whose sockets were just closed here
        # so that a SERVICE the guard did not see cannot connect anywhere; a SPARQL server's store keeps the
        # network it is asked over (the worker's allowlist, hardening.py, still admits no other host)
        if policy and policy.offline and network_sandbox_supported() and not isinstance(store, ServerStore):
            drop_network()
        if policy and policy.memory:
            _limit_memory(policy.memory)
        while True:
            try:
                request = _receive(requests, None)
            except EOFError:
                break
            signal.alarm(int(request.seconds) + 2)
            _send(answers, _outcome(store, request, policy))
            signal.alarm(0)
    finally:
        os._exit(0)


def _limit_memory(extra: int) -> None:
    """Let this process allocate at most `extra` bytes beyond what it holds now (RLIMIT_AS: its address space,
    the store and the worker's heap it was forked with included); past it, an allocation fails and Oxigraph
    aborts, which the worker reads as out of memory."""
    with open("/proc/self/status", encoding="ascii") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (size + extra, size + extra))


def _close_inherited_channels(keep: set[int]) -> None:
    """Close the worker's sockets and pipes in this process: a client whose connection the worker closed, or a
    program reading the worker's pipe to its end, would otherwise see it open until this long-lived process
    ends. The store's files stay open (it reads them)."""
    for name in os.listdir("/proc/self/fd"):
        try:
            mode = os.fstat(int(name)).st_mode
            if int(name) not in keep and (stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode)):
                os.close(int(name))
        except OSError:  # the descriptor that listed the folder, closed since
            continue


def _outcome(store, request: Request | Call, policy: QueryPolicy | None) -> object:
    try:
        if isinstance(request, Call):
            return request.function(store, *request.arguments)
        return evaluate_checked(store, request.operation, request.choose, policy)
    except SparqlProtocolError as error:
        return error
    except Exception as error:  # noqa: BLE001 — carried to the worker, which raises it as a server fault
        return QueryFailed(f"{type(error).__name__}: {error}")


def _send(fd: int, message: object) -> None:
    data = pickle.dumps(message)
    view = memoryview(LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _answering(fd: int, seconds: float) -> bool:
    """Whether the query process starts writing its answer within `seconds` (it writes one whole, at once)."""
    return bool(select.select([fd], [], [], seconds)[0])


def _receive(fd: int, deadline: float | None) -> object:
    """One message from `fd`, which the other end has started writing (or blocking until it does, when `deadline` is
    None); TimeoutError if the rest does not come by `deadline` (monotonic), EOFError if the writer is gone. Its length
    and a small message come in one read: the other end writes a message whole and waits for the answer, so
    nothing past it can be read."""
    data = _read(fd, LENGTH.size, deadline, READ_SIZE, ready=True)
    (length,) = LENGTH.unpack_from(data)
    body = data[LENGTH.size:]
    if len(body) < length:
        body += _read(fd, length - len(body), deadline)
    return pickle.loads(body)  # noqa: S301 — our own process wrote it


def _read(fd: int, size: int, deadline: float | None, most: int = 0, ready: bool = False) -> bytes:
    """At least `size` bytes from `fd` and at most `max(size, most)`; the first read without waiting if `ready`."""
    chunks, wanted, most = [], size, max(size, most)
    while wanted > 0:
        remaining = None if deadline is None or ready else deadline - time.monotonic()
        if remaining is not None and (remaining <= 0 or not select.select([fd], [], [], remaining)[0]):
            raise TimeoutError
        ready = False
        chunk = os.read(fd, min(most, READ_SIZE))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        wanted, most = wanted - len(chunk), most - len(chunk)
    return b"".join(chunks)


class QueryProcesses:
    """A worker's query processes. A query takes an idle one (one that serves its store, if any: else the one used
    last, which then forks anew for its store), or a new one when every one is busy, and gives it back once
    answered. Any thread may take any of them: gunicorn hands a client's next request to whichever of its threads
    is free, and a process per thread forked one for each thread in turn (12 ms each on disk at 10,000 victims,
    70 ms for a store held in memory at 100,000), so a client's first queries after `serve` started were the slow
    ones. A long query on one thread never makes a small one on another wait (it takes another process); the query
    slots (guard.py) cap how many run at once, so a worker never has more processes than queries it ran at once."""

    def __init__(self):
        self.lock, self.idle = threading.Lock(), []  # most recently given back last

    @contextmanager
    def taken(self, store) -> Iterator[QueryProcess]:
        with self.lock:
            process = self._idle_for(store)
        try:
            yield process
        finally:
            with self.lock:
                self.idle.append(process)

    def _idle_for(self, store) -> QueryProcess:
        serving = [index for index, process in enumerate(self.idle) if process.store is store]
        if serving:
            return self.idle.pop(serving[-1])
        return self.idle.pop() if self.idle else QueryProcess()

    def forget_inherited(self) -> None:
        """In a child just forked (one thread): its parent's processes are not its own (each QueryProcess knows
        that too), and the lock may have been held by another thread at the fork."""
        self.lock, self.idle = threading.Lock(), []


_PROCESSES = QueryProcesses()
os.register_at_fork(after_in_child=_PROCESSES.forget_inherited)


def query_processes() -> QueryProcesses:
    """This worker's query processes."""
    return _PROCESSES


def evaluate_in_slot(store, operation: QueryOperation, choose: Chooser, seconds: float,
                     config: EndpointConfig) -> Answer:
    """How the endpoint runs a query: under the configured policy, holding one of the guard's query slots, in
    one of this worker's query processes with `seconds` to answer (in this process when `seconds` is 0, or when a
    SPARQL server does the work: its HTTP timeout is the deadline, and a query process has no network to reach
    it)."""
    policy = policy_for(config)
    check(store, operation, policy)  # refusals that need no engine take no slot; the query process reads it once
    if isinstance(store, ServerStore):
        seconds = 0
    with _PROCESSES.taken(store) as process:
        if seconds:
            process.prepare(store, policy)  # before a slot is taken, whose lock a forked process would keep
        with slots_for(config).hold() as slot:  # guard.py: the row cap, how many at once and how long
            return process.evaluate(store, operation, choose, seconds, policy, slot)


def call_in_slot(store, call: Call, config: EndpointConfig) -> object:
    """`call` as evaluate_in_slot runs a query: under the policy (no network), holding a query slot, in one of this
    worker's query processes, stopped at its deadline."""
    policy = policy_for(config)
    with _PROCESSES.taken(store) as process:
        if call.seconds:
            process.prepare(store, policy)
        with slots_for(config).hold() as slot:
            return process.call(store, call, policy, slot)


def select_in_slot(store, query: str, config: EndpointConfig) -> ox.QuerySolutions:
    """A SELECT a page builds itself (browse's counts and pages), run as a client's query is: in the query process
    with the endpoint's deadline (503 past it) and a query slot, over the union of the named graphs, with the
    house prefixes declared. A page's query can grow with its request (a facet value more is a join more), so
    it must be stoppable too."""
    declarations = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())
    results = format_named("json", SOLUTIONS)
    answer = evaluate_in_slot(store, QueryOperation(declarations + query), lambda kind: results,
                              config.query_timeout, config)
    return ox.parse_query_results(answer.body, ox.QueryResultsFormat.JSON)
