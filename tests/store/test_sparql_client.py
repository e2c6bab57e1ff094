"""store/remote.py is the one SPARQL client: what it sends (a form POST, the dataset's graphs, the Accept the
query's form asks for) and how it reads a server's answers and refusals, against a small server of our own
on 127.0.0.1 that records each request. `serve --store` (ServerStore) asks through it; the query's form comes
from the guard's reading (lexer.py), so a prefix named like a keyword cannot mislead it."""

import json
import socket
import threading
import urllib.parse
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from rdflib import XSD, Literal, URIRef

from footprints_graph.endpoint.sparql.backends import ServerStore
from footprints_graph.endpoint.sparql.evaluation import QueryFailed
from footprints_graph.endpoint.sparql.protocol import SparqlProtocolError
from footprints_graph.store.remote import (
    N_TRIPLES,
    SPARQL_JSON,
    QueryRefused,
    RemoteStore,
    ServerTimeout,
    ServerUnreachable,
    TruncatedResults,
)

TRIPLE = "<http://example.org/s> <http://example.org/p> \"o\" .\n"
# Virtuoso still writes "typed-literal" for a literal with a datatype
SOLUTIONS = {"head": {"vars": ["s", "n", "unbound"]}, "results": {"bindings": [
    {"s": {"type": "uri", "value": "http://example.org/s"},
     "n": {"type": "typed-literal", "datatype": str(XSD.integer), "value": "3"}}]}}


class Recorder(BaseHTTPRequestHandler):
    """Answers a POST as the test set it (status, headers, body) and records what it was sent, and from where."""

    protocol_version = "HTTP/1.1"  # connections may stay open between requests

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.server.requests.append({"content-type": self.headers["Content-Type"], "accept": self.headers["Accept"],
                                     "accept-encoding": self.headers["Accept-Encoding"], "client": self.client_address,
                                     **form})
        self.server.release.wait()  # set by the test; a timeout test sets it once the client has given up
        status, headers, body = self.server.reply(self.headers["Accept"])
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if self.server.close_after_answer:  # as a server's keep-alive timeout does, once the client is idle
            self.connection.shutdown(socket.SHUT_WR)
            self.close_connection = True
            self.server.closed.set()

    def handle(self):
        # a client that gave up waiting (the timeout test) has closed its end: no traceback printed from this thread
        # while the test session ends (Python 3.11 then failed the run with "AST constructor recursion depth mismatch")
        with suppress(ConnectionError):  # reset, or a broken pipe when the answer is written
            super().handle()

    def log_message(self, *args):
        pass


def by_accept(accept: str) -> tuple[int, dict, bytes]:
    """N-Triples when asked for them, SPARQL JSON otherwise."""
    if accept == N_TRIPLES:
        return 200, {"Content-Type": N_TRIPLES}, TRIPLE.encode()
    return 200, {"Content-Type": f"{SPARQL_JSON}; charset=utf-8"}, json.dumps(SOLUTIONS).encode()


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.requests, httpd.reply, httpd.release = [], by_accept, threading.Event()
    httpd.release.set()
    httpd.close_after_answer, httpd.closed = False, threading.Event()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def release(tmp_path):
    (tmp_path / "summary.json").write_text(json.dumps({"build_id": "a-release", "triples": 1,
                                                       "graphs": {"http://example.org/g": {"triples": 1}}}),
                                           encoding="utf-8")
    return tmp_path


def test_a_prefix_named_select_does_not_make_a_construct_ask_for_solutions(server, release):
    """Issue 16: `PREFIX select: <…> CONSTRUCT …` is a CONSTRUCT; the server is asked for RDF, not SPARQL JSON."""
    store = ServerStore(server.url, release, timeout=10)
    triples = store.query("PREFIX select: <http://example.org/> CONSTRUCT { ?s select:p ?o } WHERE { ?s ?p ?o }")
    assert server.requests[-1]["accept"] == N_TRIPLES
    assert isinstance(triples, ox.QueryTriples) and len(list(triples)) == 1
    solutions = store.query("PREFIX construct: <http://example.org/> SELECT * WHERE { ?s construct:p ?o }")
    assert server.requests[-1]["accept"] == SPARQL_JSON and isinstance(solutions, ox.QuerySolutions)


def test_a_query_is_a_form_post_with_the_datasets_graphs(server):
    RemoteStore(server.url).answer("ASK {}", SPARQL_JSON, ["http://example.org/d"], ["http://example.org/n1",
                                                                                     "http://example.org/n2"])
    sent = server.requests[-1]
    assert sent["content-type"] == "application/x-www-form-urlencoded" and sent["query"] == ["ASK {}"]
    assert sent["default-graph-uri"] == ["http://example.org/d"]
    assert sent["named-graph-uri"] == ["http://example.org/n1", "http://example.org/n2"]


def test_the_release_is_asked_by_the_servers_graph_names(server, release):
    """Issue 20: the server keeps the release's graph under a name of that release; a query reaches its named
    graphs only by GRAPH, so only then are they sent (each costs Virtuoso time to read)."""
    store, stored = ServerStore(server.url, release, timeout=10), "urn:footprints-graph:release:a-release:http://example.org/g"
    store.query("ASK { ?s ?p ?o }")
    assert server.requests[-1]["default-graph-uri"] == [stored] and "named-graph-uri" not in server.requests[-1]
    store.query("ASK { GRAPH ?g { ?s ?p ?o } }")
    assert server.requests[-1]["default-graph-uri"] == server.requests[-1]["named-graph-uri"] == [stored]
    assert f"<{stored}>" in server.requests[-1]["query"][0]  # the VALUES table of GRAPH ?g


def test_queries_share_one_connection_and_ask_for_no_compression(server, release):
    """A connection per query cost `serve --store` about 1.2 ms a query on loopback: the client keeps one open,
    and asks for answers uncompressed, since Virtuoso closes the connection after a gzip answer."""
    store = ServerStore(server.url, release, timeout=10)
    for _ in range(3):
        store.query("ASK {}")
    assert len({request["client"] for request in server.requests}) == 1
    assert {request["accept-encoding"] for request in server.requests} == {"identity"}


def test_a_kept_connection_the_server_closed_is_not_reused(server):
    """A server closes a kept connection it finds idle too long: the next query goes over a new one, where sending
    it into the closed one answered "cannot reach" (a 503 from serve --store)."""
    server.close_after_answer = True
    store = RemoteStore(server.url)
    store.select("SELECT * {}")
    assert server.closed.wait(10)
    assert store.select("SELECT * {}")
    assert len({request["client"] for request in server.requests}) == 2


def test_select_gives_rdflib_terms_and_leaves_unbound_names_out(server):
    assert RemoteStore(server.url).select("SELECT * {}") == [{"s": URIRef("http://example.org/s"),
                                                               "n": Literal("3", datatype=XSD.integer)}]


def test_a_graph_comes_back_as_an_rdflib_graph(server):
    graph = RemoteStore(server.url).construct("CONSTRUCT WHERE { ?s ?p ?o }")
    assert set(graph) == {(URIRef("http://example.org/s"), URIRef("http://example.org/p"), Literal("o"))}


def test_an_update_is_a_form_post_of_update(server):
    RemoteStore(server.url).update("CLEAR ALL")
    assert server.requests[-1]["update"] == ["CLEAR ALL"] and "query" not in server.requests[-1]


def test_a_malformed_query_is_refused_with_the_servers_reason(server, release):
    server.reply = lambda accept: (400, {"Content-Type": "text/plain"}, b"Parse error:\n  line 1")
    with pytest.raises(QueryRefused, match="answered HTTP 400: Parse error: line 1") as refused:
        RemoteStore(server.url).select("SELECT ?x WHERE { ?x ?y }")
    assert refused.value.status == 400
    with pytest.raises(SyntaxError, match="refused the query: Parse error: line 1"):  # the endpoint's 400
        ServerStore(server.url, release, timeout=10).query("SELECT ?x WHERE { ?x ?y }")


def test_a_server_fault_is_a_query_failure_of_the_endpoint(server, release):
    server.reply = lambda accept: (500, {"Content-Type": "text/plain"}, b"out of memory")
    with pytest.raises(QueryFailed, match="answered HTTP 500: out of memory"):
        ServerStore(server.url, release, timeout=10).query("SELECT * {}")


def test_a_server_answering_503_is_unavailable_not_a_fault(server, release):
    """A restarting server (or the proxy before it) says 503: the client is told to come back (issue 20)."""
    server.reply = lambda accept: (503, {"Content-Type": "text/plain"}, b"starting up")
    with pytest.raises(SparqlProtocolError) as unavailable:
        ServerStore(server.url, release, timeout=10).query("ASK {}")
    assert unavailable.value.status == 503 and "Retry-After" in unavailable.value.headers


def test_a_truncated_answer_is_an_error_not_fewer_rows(server, release):
    server.reply = lambda accept: (200, {"Content-Type": SPARQL_JSON, "X-SPARQL-MaxRows": "2"},
                                   json.dumps(SOLUTIONS).encode())
    with pytest.raises(TruncatedResults, match="maximum of 2 rows"):
        RemoteStore(server.url).select("SELECT * {}")
    with pytest.raises(SparqlProtocolError, match="more than 2 rows") as refusal:  # the client's 400 (issue 20)
        ServerStore(server.url, release, timeout=10).query("SELECT * {}")
    assert refusal.value.status == 400 and "LIMIT 2" in refusal.value.message


def test_a_server_that_does_not_answer_in_time_is_the_protocols_timeout(server, release):
    server.release.clear()  # the server holds every answer until the client has given up
    with pytest.raises(ServerTimeout):
        RemoteStore(server.url, timeout=0.5).select("SELECT * {}")
    with pytest.raises(SparqlProtocolError) as timeout:
        ServerStore(server.url, release, timeout=0.5).query("SELECT * {}")
    assert timeout.value.status == 503


def test_an_unreachable_server_says_so(release):
    with pytest.raises(ServerUnreachable, match="cannot reach http://127.0.0.1:9/sparql"):
        RemoteStore("http://127.0.0.1:9/sparql", timeout=5).ask("ASK {}")
    with pytest.raises(SparqlProtocolError) as unavailable:  # to the public: 503, retry, no internal address
        ServerStore("http://127.0.0.1:9/sparql", release, timeout=5).query("ASK {}")
    assert unavailable.value.status == 503 and int(unavailable.value.headers["Retry-After"]) > 0
    assert "127.0.0.1:9" not in unavailable.value.message


def test_virtuosos_blank_node_names_are_read_as_blank_nodes(server, release):
    """Virtuoso names a blank node "nodeID://b10001" in SPARQL JSON (issue 20: /ontology on Virtuoso failed)."""
    bindings = [{"s": {"type": "bnode", "value": "nodeID://b10001"}},
                {"s": {"type": "literal", "value": "nodeID://b10001"}}]  # a literal that looks like one stays
    server.reply = lambda accept: (200, {"Content-Type": SPARQL_JSON}, json.dumps(
        {"head": {"vars": ["s"]}, "results": {"bindings": bindings}}).encode())
    rows = ServerStore(server.url, release, timeout=10).query("SELECT ?s {}")
    assert [row["s"] for row in rows] == [ox.BlankNode("b10001"), ox.Literal("nodeID://b10001")]
