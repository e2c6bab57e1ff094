"""Issue 13: a small query is answered while hostile ones run. With every query slot held to the 30 s deadline by
runaways, an ASK was told to retry (150 of 290 in the hostile mix), and a SERVICE the guard refuses was too. Now
every query starts with a short budget, and one still running past it needs one of a few long slots or is
stopped with a 503 that says so (guard.QuerySlots); what the guard refuses takes no slot at all."""

import os
import threading
import time

import pyoxigraph as ox
import pytest
import requests

from footprints_graph.endpoint.sparql.guard import QuerySlots
from footprints_graph.endpoint.sparql.protocol import SparqlProtocolError
from footprints_graph.endpoint.sparql.query_process import Call, QueryProcess
from footprints_graph.web import EndpointConfig, create_app
from support.serving import serving
from support.slots import slots_held

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^10 rows to count
SMALL = "ASK { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}
LANES = {"max_concurrent_queries": 3, "max_long_queries": 1, "short_query_seconds": 0.5}
HOLD_SECONDS = 60  # the bound on waiting for the server to take a slot, never a measure of speed


def _client(home, **settings):
    return create_app(EndpointConfig(home=home, **settings)).test_client()


def _ask(client, query: str):
    return client.get("/sparql", query_string={"query": query}, headers=JSON)


# ----------------------------------------------------------------------------- the slots themselves


def test_a_slot_moves_to_the_long_lane_while_one_is_free(tmp_path):
    slots = QuerySlots(tmp_path, 2, long=1, short_seconds=1)
    with slots.hold() as first, slots.hold() as second:
        assert first.short_budget(30) == 1 and first.short_budget(0.5) == 0.5
        first.lengthen()
        with pytest.raises(Exception, match=r"ran past 1 s.*longer queries \(1\)") as full:
            second.lengthen()
        assert full.value.status == 503 and full.value.headers["Retry-After"]
    with slots.hold() as again:  # both lanes free again
        again.lengthen()


def test_without_a_long_lane_a_query_has_its_whole_deadline(tmp_path):
    for slots in (QuerySlots(tmp_path, 2), QuerySlots(tmp_path, 0, long=1, short_seconds=1)):
        with slots.hold() as slot:
            assert slot.short_budget(30) == 30


def test_a_slot_file_kept_open_has_one_holder_at_a_time(tmp_path):
    """Slot files stay open between queries (guard._SlotFiles); one released and taken again is locked again, and
    two holders in one thread, or in two, never share one: flock excludes other open files, not other users of
    the same one."""
    slots = QuerySlots(tmp_path, 2)
    for _ in range(3):
        with slots.hold(), slots.hold():
            with pytest.raises(SparqlProtocolError, match="as many queries as it can"), slots.hold():
                pass
    taken, release = threading.Event(), threading.Event()

    def hold_one() -> None:
        with slots.hold():
            taken.set()
            release.wait(HOLD_SECONDS)

    holder = threading.Thread(target=hold_one)
    holder.start()
    try:
        assert taken.wait(HOLD_SECONDS)
        with slots.hold(), pytest.raises(SparqlProtocolError, match="as many queries as it can"), slots.hold():
            pass
    finally:
        release.set()
        holder.join()


def test_a_forked_process_keeps_none_of_its_parents_slot_files(tmp_path):
    """A query process forked after its worker released a slot must not hold the file open: a lock the worker took
    on it later would outlive a killed worker for as long as the query process lives."""
    slots = QuerySlots(tmp_path, 2)
    with slots.hold(), slots.hold():
        pass
    assert _slot_files_open(tmp_path) > 0  # kept open for the next query
    said, say = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover — the child says how many slot files it has open
        try:
            os.write(say, bytes([_slot_files_open(tmp_path)]))
        finally:
            os._exit(0)
    os.close(say)
    try:
        assert os.read(said, 1) == bytes([0])
    finally:
        os.waitpid(child, 0)
        os.close(said)


def _slot_files_open(home) -> int:
    folder = str(home / ".query-slots")
    targets = []
    for name in os.listdir("/proc/self/fd"):
        try:
            targets.append(os.readlink(f"/proc/self/fd/{name}"))
        except OSError:  # the descriptor that listed the folder, closed since
            continue
    return sum(target.startswith(folder + "/") for target in targets)


def never_ends(store) -> None:
    """Work that runs until it is stopped (in the query process), as the check of a quadratic upload does."""
    while True:
        time.sleep(60)


def test_an_uploads_check_past_its_budget_with_the_long_lane_full_is_stopped_too(tmp_path):
    slots, process = QuerySlots(tmp_path, 2, long=1, short_seconds=0.3), QueryProcess()
    try:
        with slots.hold() as running, slots.hold() as slot:
            running.lengthen()  # the long lane, full
            with pytest.raises(SparqlProtocolError) as stopped:  # not at its 120 s deadline
                process.call(ox.Store(), Call(never_ends, (), 120, "the deadline's message"), None, slot)
        assert stopped.value.status == 503 and "ran past 0.3 s" in stopped.value.message
        assert process.pid is None  # stopped with the work it was stuck in
    finally:
        process.stop()


# ----------------------------------------------------------------------------- the endpoint, in process


def test_past_its_budget_with_the_long_lane_full_a_query_is_stopped_naming_the_limit(built_home):
    client = _client(built_home, query_timeout=120, **LANES)
    with QuerySlots(built_home, 1, long=1).hold() as held:  # the long lane, full (a lock of this process)
        held.lengthen()
        stopped = _ask(client, RUNAWAY)
        small = _ask(client, SMALL)
    assert stopped.status_code == 503 and "ran past 0.5 s" in stopped.text and "longer queries (1)" in stopped.text
    assert "Retry-After" in stopped.headers
    assert small.status_code == 200 and small.json["boolean"] is True
    assert _ask(client, SMALL + " # the query process serves on").status_code == 200


def test_past_its_budget_with_a_long_slot_free_a_query_runs_to_its_deadline(built_home):
    client = _client(built_home, query_timeout=2, **LANES)
    stopped = _ask(client, RUNAWAY)
    assert stopped.status_code == 503 and "limit of 2 s" in stopped.text and "Retry-After" not in stopped.headers


@pytest.mark.parametrize(("query", "status"), [
    ("SELECT * WHERE { # x\rSERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }\n }", 403),  # the reproducer
    ("SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }", 400),
    ("ASK " + "{" * 1500 + "}" * 1500, 400),
])
def test_what_the_guard_refuses_takes_no_slot(built_home, query, status):
    client = _client(built_home, query_timeout=5, max_concurrent_queries=1)
    assert _ask(client, SMALL).status_code == 200  # forks the query process while the slot is free
    with QuerySlots(built_home, 1).hold():  # every slot taken
        busy = _ask(client, SMALL + " # not in the cache")
        refused = _ask(client, query)
    assert busy.status_code == 503 and "Retry-After" in busy.headers
    assert refused.status_code == status, refused.text


# ----------------------------------------------------------------------------- the real server


@pytest.fixture(scope="module")
def server(built_home, tmp_path_factory):
    """gunicorn, 2 workers, a 10 s deadline, 3 query slots of which 1 long, a budget of 1 s."""
    settings = {"FOOTPRINTS_MAX_CONCURRENT_QUERIES": "3", "FOOTPRINTS_MAX_LONG_QUERIES": "1",
                "FOOTPRINTS_SHORT_QUERY_SECONDS": "1"}
    log = tmp_path_factory.mktemp("lanes") / "server.log"
    with serving(built_home, log, ["--workers", "2", "--query-timeout", "10"], settings) as (url, _process):
        yield url


class Asking(threading.Thread):
    """A query asked on a thread; `answered` is set when its answer is in."""

    def __init__(self, url: str, query: str):
        super().__init__()
        self.url, self.query, self.answered, self.response = url, query, threading.Event(), None

    def run(self) -> None:
        try:
            self.response = requests.get(f"{self.url}/sparql", params={"query": self.query}, headers=JSON,
                                         timeout=HOLD_SECONDS)
        finally:
            self.answered.set()


def test_with_the_long_lane_full_of_runaways_a_small_query_is_answered_and_another_runaway_stopped(server,
                                                                                                  built_home):
    first = Asking(server, RUNAWAY)
    first.start()
    for _ in range(HOLD_SECONDS * 100):  # polled until the server has moved it to the long lane
        if slots_held(built_home, "long") or first.answered.wait(0.01):
            break
    assert not first.answered.is_set() and slots_held(built_home, "long") == 1, "the runaway never ran long"
    small = requests.get(f"{server}/sparql", params={"query": SMALL}, headers=JSON, timeout=HOLD_SECONDS)
    second = requests.get(f"{server}/sparql", params={"query": RUNAWAY + " # another"}, headers=JSON,
                          timeout=HOLD_SECONDS)
    lane_was_full = not first.answered.is_set()
    first.join(HOLD_SECONDS)
    assert lane_was_full, "the first runaway ended before the others were asked: nothing was proved"
    assert small.status_code == 200 and small.json()["boolean"] is True
    assert second.status_code == 503 and "ran past 1 s" in second.text and "Retry-After" in second.headers
    assert first.response.status_code == 503 and "limit of 10 s" in first.response.text


def test_the_default_lanes_keep_slots_for_short_queries():
    config = EndpointConfig()
    assert 0 < config.max_long_queries < config.max_concurrent_queries < config.workers * config.threads
    assert 0 < config.short_query_seconds < config.query_timeout
    assert config.max_upload_records > 0
