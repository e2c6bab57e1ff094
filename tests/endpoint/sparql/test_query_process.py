"""The query process that lives on between queries (endpoint/query_process.py): the same answers and errors as
evaluating in the worker, one fork for many queries, and a query that overruns its deadline stopped with 503
while the next one is answered (issue 7). A worker's processes are shared by its threads (issue 15): queries
asked one after another meet one process whatever thread asks them."""

import os
import signal
import threading

import pytest

from footprints_graph.endpoint.sparql.evaluation import evaluate
from footprints_graph.endpoint.sparql.guard import QueryPolicy
from footprints_graph.endpoint.sparql.protocol import QueryOperation, SparqlProtocolError, negotiate
from footprints_graph.endpoint.sparql.query_process import QueryProcess, QueryProcesses
from footprints_graph.store.embedded import open_store

FP = "https://w3id.org/footprints-graph/ontology#"
QUERIES = [
    f"SELECT ?p WHERE {{ ?p a <{FP}Victim> }} ORDER BY ?p",
    f"CONSTRUCT {{ ?p a <{FP}Victim> }} WHERE {{ ?p a <{FP}Victim> }}",
    f"ASK {{ ?p a <{FP}Victim> }}",
]
FOREVER = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
POLICY = QueryPolicy(frozenset(), 1000)


def _choose(*names: str):
    return lambda kind: negotiate(None, kind, names)


@pytest.fixture
def process():
    process = QueryProcess()
    yield process
    process.stop()


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("names", [(), ("xml",), ("csv", "nt")])
def test_answers_as_the_worker_would(process, store, query, names):
    operation = QueryOperation(query)
    expected = evaluate(store, operation, _choose(*names), POLICY)
    assert process.evaluate(store, operation, _choose(*names), 10, POLICY) == expected


def test_one_process_answers_many_queries(process, store):
    pids = set()
    for query in QUERIES * 3:
        process.evaluate(store, QueryOperation(query), _choose(), 10, POLICY)
        pids.add(process.pid)
    assert len(pids) == 1 and None not in pids


def test_errors_come_back_as_raised(process, store):
    with pytest.raises(SparqlProtocolError) as not_acceptable:
        process.evaluate(store, QueryOperation(QUERIES[1]), _choose("csv"), 10, POLICY)
    with pytest.raises(SparqlProtocolError) as too_many:
        process.evaluate(store, QueryOperation("SELECT * WHERE { ?s ?p ?o }"), _choose(), 10, POLICY)
    assert (not_acceptable.value.status, too_many.value.status) == (406, 400)


def test_an_overrun_is_503_and_the_next_query_is_answered(process, store):
    process.evaluate(store, QueryOperation(QUERIES[2]), _choose(), 10, POLICY)
    stuck = process.pid
    with pytest.raises(SparqlProtocolError) as timeout:
        process.evaluate(store, QueryOperation(FOREVER), _choose(), 0.5, POLICY)
    assert timeout.value.status == 503 and process.pid is None
    answer = process.evaluate(store, QueryOperation(QUERIES[2]), _choose(), 10, POLICY)
    assert answer.body and process.pid not in (None, stuck)


def test_another_store_gets_another_process(process, store, built_release):
    process.evaluate(store, QueryOperation(QUERIES[2]), _choose(), 10, POLICY)
    first = process.pid
    process.evaluate(open_store(built_release / "store"), QueryOperation(QUERIES[2]), _choose(), 10, POLICY)
    assert process.pid != first


def test_a_process_that_died_is_replaced(process, store):
    process.evaluate(store, QueryOperation(QUERIES[2]), _choose(), 10, POLICY)
    os.kill(process.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # until it is dead, left for QueryProcess to reap
    assert process.evaluate(store, QueryOperation(QUERIES[2]), _choose(), 10, POLICY).body


# ----------------------------------------------------------------------------- a worker's query processes


@pytest.fixture
def processes():
    processes = QueryProcesses()
    yield processes
    for process in processes.idle:
        process.stop()


def _asked_on_a_thread(processes: QueryProcesses, store) -> int:
    """The pid of the process that answered a query asked on a new thread."""
    pids = []

    def ask() -> None:
        with processes.taken(store) as process:
            process.evaluate(store, QueryOperation(QUERIES[2]), _choose(), 10, POLICY)
            pids.append(process.pid)

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join()
    return pids[0]


def test_queries_asked_one_after_another_on_any_thread_share_one_process(processes, store):
    """gunicorn hands a client's next request to whichever thread is free: one process, forked once, answers them
    all (a process per thread forked again for each thread)."""
    first = _asked_on_a_thread(processes, store)
    assert [_asked_on_a_thread(processes, store) for _ in range(3)] == [first] * 3
    assert len(processes.idle) == 1


def test_a_query_asked_while_another_runs_gets_a_process_of_its_own(processes, store):
    with processes.taken(store) as busy:
        busy.evaluate(store, QueryOperation(QUERIES[2]), _choose(), 10, POLICY)
        assert _asked_on_a_thread(processes, store) not in (None, busy.pid)
    assert len(processes.idle) == 2


def test_an_idle_process_of_the_same_store_is_taken_first(processes, store, built_release):
    other = open_store(built_release / "store")
    with processes.taken(store) as mine, processes.taken(other) as theirs:
        mine.evaluate(store, QueryOperation(QUERIES[2]), _choose(), 10, POLICY)
        theirs.evaluate(other, QueryOperation(QUERIES[2]), _choose(), 10, POLICY)
    assert _asked_on_a_thread(processes, store) == mine.pid  # though the other store's was given back last
