"""Issue 6, query limits: a deadline that really stops the work while the server keeps answering others, a
result-row cap that refuses rather than truncates, a request-body cap, and a cap on concurrent queries that
answers 503 with Retry-After. The concurrency tests run against the real server (gunicorn, 3 workers)."""

import os
import signal
import threading
import time

import pytest
import requests

from footprints_graph.endpoint.sparql.guard import QuerySlots
from footprints_graph.web import EndpointConfig, create_app
from support.security import CURATOR_TOKEN, hardened_server
from support.slots import slots_held

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^10 rows to count
SMALL = "ASK { ?s ?p ?o }"
UNASKED = "ASK { ?s ?p ?o } # asked once: an answer from the cache (endpoint/cache.py) would need no slot"
JSON = "application/sparql-results+json"
SLOT_SECONDS = 30  # the bound on a query reaching the server, never a measure of speed


@pytest.fixture(scope="module")
def capped(built_home):
    return create_app(EndpointConfig(home=built_home, query_timeout=5, max_result_rows=10)).test_client()


@pytest.mark.parametrize("format_name", ["json", "xml", "csv", "tsv"])
def test_a_result_over_the_row_cap_is_refused_not_truncated(capped, format_name):
    response = capped.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }", "format": format_name})
    assert response.status_code == 400 and "more than 10 rows" in response.text and "LIMIT 10" in response.text


def test_a_result_at_the_row_cap_is_whole(capped):
    response = capped.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10", "format": "json"})
    assert response.status_code == 200 and len(response.json["results"]["bindings"]) == 10
    assert set(response.json["head"]["vars"]) == {"s", "p", "o"}


def test_the_row_cap_counts_triples_of_a_graph_result(capped):
    assert capped.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}).status_code == 400
    small = capped.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", "format": "nt"})
    assert small.status_code == 200 and small.text.count(" .\n") == 3


def test_the_row_cap_holds_without_a_deadline_too(built_home):
    inline = create_app(EndpointConfig(home=built_home, query_timeout=0, max_result_rows=10)).test_client()
    assert inline.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}).status_code == 400


@pytest.mark.parametrize("content_type", ["application/sparql-query", "application/x-www-form-urlencoded"])
def test_a_body_over_the_cap_is_a_413(built_home, content_type):
    small = create_app(EndpointConfig(home=built_home, max_query_bytes=1000, query_timeout=0)).test_client()
    body = "query=" + "x" * 10_000 if content_type.endswith("urlencoded") else "x" * 10_000
    response = small.post("/sparql", data=body, content_type=content_type)
    assert response.status_code == 413


def test_a_slot_is_freed_when_its_holder_ends(tmp_path):
    slots = QuerySlots(tmp_path, 1)
    with slots.hold():
        with pytest.raises(Exception, match="as many queries as it can") as busy, slots.hold():
            pass
        assert busy.value.status == 503 and busy.value.headers["Retry-After"]
    with slots.hold():  # free again
        pass


def test_a_slot_held_by_a_killed_process_is_released(tmp_path):
    slots = QuerySlots(tmp_path, 1)
    said, say = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover — the child holds the slot, says so, and waits to be killed
        try:
            with slots.hold():
                os.write(say, b"held")
                signal.pause()
        finally:
            os._exit(0)
    os.close(say)
    try:
        assert os.read(said, 4) == b"held"  # an empty read: the child ended without the slot
        assert not _free(slots)
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os.close(said)
    assert _free(slots)


def _free(slots: QuerySlots) -> bool:
    try:
        with slots.hold():
            return True
    except Exception:  # noqa: BLE001 — the 503
        return False


# ----------------------------------------------------------------------------- the real server


@pytest.fixture(scope="module")
def server(tmp_path_factory, restricted_home):
    with hardened_server(restricted_home, tmp_path_factory.mktemp("hardened"), workers=3, timeout=2, slots=2) as live:
        yield live


def _ask(server, query: str) -> requests.Response:
    return requests.post(server.sparql, data=query, timeout=30,
                         headers={"Content-Type": "application/sparql-query", "Accept": JSON})


class Asking(threading.Thread):
    """A query asked on a thread; `answered` is set when its answer is in."""

    def __init__(self, server, query: str):
        super().__init__()
        self.server, self.query, self.answered, self.response = server, query, threading.Event(), None

    def run(self) -> None:
        try:
            self.response = _ask(self.server, self.query)
        finally:
            self.answered.set()


def _ask_and_hold_a_slot(server, query: str, held: int) -> Asking:
    """`query` asked on a thread, returned once the server holds `held` query slots (the query is running)."""
    asking = Asking(server, query)
    asking.start()
    deadline = time.monotonic() + SLOT_SECONDS
    while slots_held(server.home) < held:
        assert not asking.answered.is_set(), f"answered before it held a slot: {asking.response.text}"
        assert time.monotonic() < deadline, f"{held} query slots not held within {SLOT_SECONDS} s"
        time.sleep(0.01)  # polled until the server has taken the slot
    return asking


def test_a_runaway_query_is_stopped_while_a_small_one_answers(server):
    runaway = _ask_and_hold_a_slot(server, RUNAWAY, 1)
    small = _ask(server, SMALL)
    still_running = not runaway.answered.is_set()
    runaway.join(timeout=30)
    assert small.status_code == 200 and small.json()["boolean"] is True
    assert still_running, "the small query was answered only once the runaway had ended"
    assert runaway.response.status_code == 503 and "limit of 2 s" in runaway.response.text
    assert "results" not in runaway.response.text


def test_the_stopped_query_leaves_no_process_behind(server):
    assert _ask(server, RUNAWAY).status_code == 503
    workers = _children(server.pid)
    # the runaway's query process was killed and reaped; a worker keeps at most one idle, waiting for its next
    # query (endpoint/query_process.py)
    assert len(workers) == 3 and all(len(_children(w)) <= 1 for w in workers)
    assert all(_state(c) == "S" for w in workers for c in _children(w))
    assert all(requests.get(server.sparql, params={"query": SMALL}, timeout=10).ok for _ in range(6))


def test_when_every_query_slot_is_taken_the_next_query_gets_503_and_retry_after(server):
    first = _ask_and_hold_a_slot(server, RUNAWAY, 1)
    second = _ask_and_hold_a_slot(server, RUNAWAY, 2)
    busy = _ask(server, UNASKED)
    both_running = not first.answered.is_set() and not second.answered.is_set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert busy.status_code == 503 and int(busy.headers["Retry-After"]) > 0 and "Try again" in busy.text
    assert both_running, "the refusal came only once a slot was free again: it waited instead of refusing"
    assert first.response.status_code == second.response.status_code == 503  # their deadline
    assert requests.get(server.sparql, params={"query": SMALL}, timeout=10).ok  # the slots are free again


def test_a_huge_result_is_refused_within_the_deadline(server):
    response = requests.get(server.sparql, params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"}, timeout=30)
    assert response.status_code == 400 and "more than 1000 rows" in response.text


def test_a_chunked_body_over_the_cap_is_a_413(server):
    chunks = (b"x" * 65536 for _ in range(40))  # 2.6 MB with no Content-Length
    response = requests.post(server.sparql, data=chunks, timeout=30,
                             headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


def test_a_query_string_over_the_cap_is_a_413(server):
    response = requests.get(server.sparql, params={"query": "ASK {} #" + "x" * 300_000}, timeout=30)
    assert response.status_code == 413


def test_the_curator_token_never_reaches_the_servers_log(server):
    headers = {"Authorization": f"Bearer {CURATOR_TOKEN}", "Accept": JSON}
    assert requests.get(f"{server.url}/curator/sparql", params={"query": SMALL}, headers=headers, timeout=10).ok
    wrong = {"Authorization": f"Bearer x{CURATOR_TOKEN}"}
    assert requests.get(f"{server.url}/curator/sparql", params={"query": SMALL}, headers=wrong, timeout=10).status_code == 401
    assert "/curator/sparql" in server.log.read_text()  # the access log has the requests…
    assert CURATOR_TOKEN[10:] not in server.log.read_text()  # …and not the token


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def _state(pid: int) -> str:
    """R running, S sleeping (an idle query process waits on its pipe), Z a zombie nobody reaped."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


def _children(pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if _parent(int(entry)) == pid:
                    children.append(int(entry))
            except OSError:
                continue
    return children
