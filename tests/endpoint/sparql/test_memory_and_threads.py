"""Issue 13, point 1: a query process has a memory limit, and slow clients do not hold the workers. A query of 26
nested BIND(CONCAT(?a, ?a)) reached 2.6 GB resident within its deadline; two sockets sending one header byte every
2 s blocked both sync workers for 12 s. Now the query process may allocate only `query_memory` MB beyond what it
was forked with (past it Oxigraph aborts, and the client gets a 503 that says so), and gunicorn runs threaded
workers, so a trickling client holds one thread."""

import json
import socket
import urllib.request

import pyoxigraph as ox
import pytest
from gunicorn.workers.gthread import ThreadWorker

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.sparql.guard import QueryPolicy
from footprints_graph.endpoint.sparql.protocol import QueryOperation, SparqlProtocolError, format_named
from footprints_graph.endpoint.sparql.query_process import QueryProcess
from footprints_graph.server import gunicorn_settings
from support.serving import serving

DOUBLINGS = 26  # 16 characters doubled 26 times: 1 GiB in the last string alone
GREEDY = ("SELECT (STRLEN(?z) AS ?n) WHERE { BIND(\"aaaaaaaaaaaaaaaa\" AS ?a0) "
          + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(DOUBLINGS))
          + f" BIND(?a{DOUBLINGS} AS ?z) }}")
LIMIT = 256 << 20


def _json(kind):
    return format_named("json", kind)


def test_a_query_past_the_memory_limit_is_a_503_and_the_next_query_is_answered():
    store, process = ox.Store(), QueryProcess()
    policy = QueryPolicy(memory=LIMIT)
    try:
        with pytest.raises(SparqlProtocolError) as stopped:
            process.evaluate(store, QueryOperation(GREEDY), _json, 120, policy)  # the limit comes long before
        assert stopped.value.status == 503 and "more than 256 MB of memory" in stopped.value.message
        answer = process.evaluate(store, QueryOperation("ASK {}"), _json, 120, policy)
        assert json.loads(answer.body)["boolean"] is True
    finally:
        process.stop()


def test_over_http_the_limit_comes_from_the_configuration(built_home):
    from footprints_graph.web import create_app

    client = create_app(EndpointConfig(home=built_home, query_timeout=120, query_memory=256)).test_client()
    stopped = client.get("/sparql", query_string={"query": GREEDY})
    assert stopped.status_code == 503 and "256 MB" in stopped.get_data(as_text=True)
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_defaults_are_safe_for_a_public_deployment():
    config = EndpointConfig()
    assert config.query_memory > 0 and config.query_timeout > 0
    assert 0 < config.max_concurrent_queries < config.workers * config.threads
    settings = gunicorn_settings(config)
    assert issubclass(settings["worker_class"], ThreadWorker) and settings["threads"] == config.threads > 1


def _trickling_client(port: int) -> socket.socket:
    """A client that has sent the first bytes of a request and then nothing (as one sending a byte every 2 s)."""
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"GET / HTTP/1.1\r\nHo")
    return client


def test_trickling_clients_do_not_hold_the_server(built_home, tmp_path):
    """One worker and two clients stuck in their headers: a third client is answered. With one sync worker
    (FOOTPRINTS_THREADS=1) it was not answered within a minute."""
    with serving(built_home, tmp_path / "serve.log", ["--workers", "1"], {"FOOTPRINTS_QUERY_TIMEOUT": "30"}) \
            as (url, _):
        port = int(url.rsplit(":", 1)[1])
        stuck = [_trickling_client(port) for _ in range(2)]
        try:
            with urllib.request.urlopen(f"{url}/sparql?query=ASK%20%7B%7D", timeout=20) as answer:
                assert answer.status == 200
        finally:
            for client in stuck:
                client.close()
