"""Issue 13, points 1 and 6: every request's work is bounded. Small requests used to hold a worker until gunicorn
killed it: /browse with 34 years (a join per year, and the year's join is a web of optional dates), /validate with
40 deaths and 40 abductions of one victim (a shape whose work grows with the square of the dates), /reconcile with
50 queries of 100 KB. Now a selection too large for /browse and a reconciliation query too long are refused at
once (4xx), and the work that can still run long runs in the query process, stopped at the endpoint's deadline
with a 503 while the worker goes on serving."""

import io
import json
import sys
import time

import pyoxigraph as ox
import pytest

from footprints_graph.endpoint.sparql.guard import QuerySlots
from footprints_graph.endpoint.sparql.protocol import QueryOperation, SparqlProtocolError, format_named
from footprints_graph.endpoint.sparql.query_process import Call, QueryProcess
from footprints_graph.web import EndpointConfig, create_app
from footprints_graph.web.browse import MAX_CHOSEN
from support import ROOT

SHAPE_FIXTURE = ROOT / "tests" / "shapes" / "ActBeforeDeathShape-invalid-01.ttl"


def _app(home, **settings):
    return create_app(EndpointConfig(home=home, **settings)).test_client()


@pytest.fixture(scope="module")
def client_1s(built_home):
    return _app(built_home, query_timeout=1)


@pytest.mark.parametrize("query_string", [
    "&".join(f"year={year}" for year in range(1950, 1984)),  # the 34 years
    "&".join(f"category=c{n}" for n in range(3000)),
    "&".join(f"status=s{n}" for n in range(MAX_CHOSEN + 1)),
])
def test_browse_refuses_a_selection_it_cannot_combine_in_time(client_1s, query_string):
    response = client_1s.get(f"/browse?{query_string}")
    assert response.status_code == 400
    assert f"at most {MAX_CHOSEN}" in response.get_data(as_text=True)


def test_browse_takes_as_many_values_as_it_allows(built_home):
    client = _app(built_home, query_timeout=60)  # a deadline no loaded machine reaches: this is about the count
    assert client.get("/browse?" + "&".join(f"year={y}" for y in range(1950, 1950 + MAX_CHOSEN))).status_code == 200


@pytest.mark.parametrize("key", ["organisation/kwafu\n", "organisation/kwafu\r\n", "1950\n"])
def test_a_key_with_a_line_break_is_a_400_not_a_500(client_1s, key):
    facet = "year" if key[0].isdigit() else "organisation"
    response = client_1s.get("/browse", query_string={facet: key})
    assert response.status_code == 400 and "pick one from the list" in response.get_data(as_text=True)


def test_browse_needs_no_query_slot(built_home):
    """Issue 15: browse answers from the view the release carries (counts, pages, the list to take away), so a
    worker whose query slots are all taken by long queries still serves it."""
    client = _app(built_home, query_timeout=5, max_concurrent_queries=1)
    with QuerySlots(built_home, 1).hold():
        for path in ("/browse?category=detainee", "/browse?category=abductee&status=detained", "/browse.csv"):
            assert client.get(path).status_code == 200, path


def quadratic_upload() -> bytes:
    """The issue's upload as the hostile mix sends it (bench/load.py, one copy): one victim with 40 abductions and
    40 deaths, 40 dates each (ActBeforeDeathShape compares every date of every pair): over 60 s to check here,
    under the body limit."""
    sys.path.insert(0, str(ROOT / "bench"))
    from load import quadratic_upload as upload
    return upload()


def test_a_validation_past_the_deadline_is_a_503_and_the_worker_serves_on(built_home):
    # 5 s: far below the quadratic upload's minute, far above a small upload's check on a loaded machine
    client = _app(built_home, query_timeout=5)
    upload = {"files": (io.BytesIO(quadratic_upload()), "submission.ttl")}
    stopped = client.post("/validate", data=upload, content_type="multipart/form-data",
                          headers={"Accept": "text/plain"})
    assert stopped.status_code == 503
    assert "Checking the submission took longer than 5 s" in stopped.get_data(as_text=True)
    small = {"files": (io.BytesIO(SHAPE_FIXTURE.read_bytes()), "submission.ttl")}
    answered = client.post("/validate", data=small, content_type="multipart/form-data",
                           headers={"Accept": "application/json"})
    assert answered.status_code == 200 and answered.get_json()["conforms"] is False


def test_the_validation_page_holds_a_query_slot(built_home):
    client = _app(built_home, query_timeout=5, max_concurrent_queries=1)

    def upload():
        return client.post("/validate", data={"files": (io.BytesIO(SHAPE_FIXTURE.read_bytes()), "submission.ttl")},
                           content_type="multipart/form-data")
    assert upload().status_code == 200
    with QuerySlots(built_home, 1).hold():
        busy = upload()
    assert busy.status_code == 503 and busy.headers["Retry-After"]
    assert upload().status_code == 200


def never_ends(store) -> None:
    """Work that runs until it is stopped (in the query process)."""
    while True:
        time.sleep(60)


def test_a_call_past_its_deadline_is_stopped_and_the_process_answers_the_next_query():
    store, process = ox.Store(), QueryProcess()
    try:
        with pytest.raises(SparqlProtocolError) as stopped:
            process.call(store, Call(never_ends, (), 0.5, "stopped: too long"), None)
        assert (stopped.value.status, stopped.value.message) == (503, "stopped: too long")
        answer = process.evaluate(store, QueryOperation("ASK {}"), lambda kind: format_named("json", kind), 5, None)
        assert json.loads(answer.body) == {"head": {}, "boolean": True}
    finally:
        process.stop()


def test_a_reconciliation_query_too_long_is_refused_at_once(client_1s):
    batch = {f"q{n}": {"query": "Kim " * 25_000} for n in range(50)}  # the 50 queries of 100 KB
    response = client_1s.get("/reconcile", query_string={"queries": json.dumps(batch)})
    assert response.status_code == 413 and "a batch may be at most" in response.get_data(as_text=True)
    one_long = {"q0": {"query": "Kim " * 1000}}  # short as a batch, too long as a query
    response = client_1s.get("/reconcile", query_string={"queries": json.dumps(one_long)})
    assert response.status_code == 413 and "each may be at most" in response.get_data(as_text=True)
    suggest = client_1s.get("/reconcile/suggest/entity", query_string={"prefix": "Kim" * 1000})
    assert suggest.status_code == 413
