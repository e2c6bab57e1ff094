"""Issue 6, no outbound requests: SERVICE, LOAD, FROM, the protocol's graph parameters, JSON-LD contexts and
XML entities never make this software reach another host or read another file. Each vector is sent with a
listener on a local port as the witness: it must see no connection."""

import socket
from io import BytesIO

import pytest
from rdflib import Graph

from footprints_graph import hardening
from footprints_graph.cli import main
from footprints_graph.endpoint.sparql import evaluation as evaluation_module
from footprints_graph.endpoint.sparql.evaluation import QueryFailed
from footprints_graph.endpoint.sparql.guard import QueryPolicy
from footprints_graph.endpoint.sparql.protocol import QueryOperation, negotiate
from footprints_graph.endpoint.sparql.query_process import QueryProcess
from footprints_graph.hardening import OutboundConnectionRefused, outbound_connections_refused
from footprints_graph.server import FootprintsServer
from footprints_graph.web import EndpointConfig, create_app
from support.security import Listener

PEOPLE = "https://w3id.org/footprints-graph/id/graph/people"
UNROUTABLE = "192.0.2.1"  # TEST-NET-1 (RFC 5737): never a real host


@pytest.fixture
def listener():
    witness = Listener()
    yield witness
    witness.close()


def _services(url: str) -> dict[str, str]:
    host_path = url.removeprefix("http://")
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "silent": f"SELECT * WHERE {{ ?x ?y ?z SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "lower case": f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        "a variable": f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "a prefixed name":
            f"PREFIX e: <http://{host_path.rsplit('/', 1)[0]}/> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
        "in OPTIONAL": f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }}",
        "in a subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        "in FILTER EXISTS": f"SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }}",
        "in UNION and MINUS":
            f"SELECT * WHERE {{ {{ ?x ?y ?z }} UNION {{ ?x ?y ?z MINUS {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }} }}",
        "in GRAPH": f"SELECT * WHERE {{ GRAPH ?g {{ ?x ?y ?z SERVICE <{url}> {{ ?x ?p ?o }} }} }}",
        "in CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "in ASK": f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "a \\u escape": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        # a prefixed name may end in an escaped '#': a tokenizer that takes it for a comment misses the SERVICE
        "behind an escaped #": f"PREFIX ex: <http://e/>\nSELECT * WHERE {{ ?s ?p ex:a\\# . SERVICE <{url}> {{ ?x ?y ?z }}\n}}",
    }


@pytest.mark.parametrize("name", list(_services("http://127.0.0.1:1/sparql")))
def test_service_is_refused_wherever_it_hides(client, listener, name):
    response = client.get("/sparql", query_string={"query": _services(listener.url)[name]})
    assert response.status_code in (400, 403), response.text
    assert "SERVICE" in response.text or "not valid SPARQL" in response.text
    assert listener.connections == 0


def test_service_to_an_endpoint_on_the_allowlist_runs(built_home, live_server, listener):
    federating = create_app(EndpointConfig(home=built_home, query_timeout=10, federation=(live_server.sparql,)))
    client = federating.test_client()
    allowed = client.get("/sparql", query_string={"query": f"ASK {{ SERVICE <{live_server.sparql}> {{ ?s ?p ?o }} }}",
                                                  "format": "json"})
    assert allowed.status_code == 200 and allowed.json["boolean"] is True
    other = client.get("/sparql", query_string={"query": _services(listener.url)["plain"]})
    assert other.status_code == 403 and live_server.sparql in other.text and listener.connections == 0


@pytest.mark.parametrize("request_arguments", [
    {"data": {"update": "LOAD <URL>"}},
    {"data": "LOAD <URL> INTO GRAPH <urn:g>", "content_type": "application/sparql-update"},
    {"query_string": {"query": "LOAD <URL>"}},
])
def test_load_is_refused(client, listener, request_arguments):
    arguments = {k: v.replace("URL", listener.url) if isinstance(v, str) else
                 {n: t.replace("URL", listener.url) for n, t in v.items()} for k, v in request_arguments.items()}
    method = client.get if "query_string" in arguments else client.post
    response = method("/sparql", **arguments)
    assert response.status_code in (400, 403) and listener.connections == 0


@pytest.mark.parametrize("query_string", [
    {"query": "SELECT * FROM <URL> WHERE { ?s ?p ?o }"},
    {"query": "SELECT * FROM NAMED <URL> WHERE { GRAPH ?g { ?s ?p ?o } }"},
    {"query": "PREFIX r: <URL#> SELECT * FROM r:g WHERE { ?s ?p ?o }"},
    {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "URL"},
    {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": "URL"},
])
def test_graphs_outside_the_store_are_refused_not_fetched(client, listener, query_string):
    response = client.get("/sparql", query_string={k: v.replace("URL", listener.url) for k, v in query_string.items()})
    assert response.status_code == 400 and "not a graph of this dataset" in response.text
    assert PEOPLE in response.text  # the message lists the graphs there are
    assert listener.connections == 0


def test_graphs_of_the_store_may_be_named(client):
    assert client.get("/sparql", query_string={"query": f"ASK FROM <{PEOPLE}> {{ ?s ?p ?o }}"}).status_code == 200
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "named-graph-uri": PEOPLE}).status_code == 200


def test_a_service_whose_iri_the_guard_cannot_read_is_refused_with_the_reason(client, listener):
    """The guard reads SERVICE's IRI from the query's tokens; one it cannot resolve is never run unchecked."""
    query = f"SELECT * WHERE {{ SERVICE undeclared:sparql {{ ?s ?p ?o }} }} # {listener.url}"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400 and "undeclared: of undeclared:sparql is not declared" in response.text
    assert listener.connections == 0


def _sparql_operation(url: str) -> QueryOperation:
    return QueryOperation(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")


def test_the_query_process_has_no_network_even_past_the_guard(store, listener, monkeypatch):
    """The kernel's refusal, on its own: with the guard switched off, the query process cannot connect; the
    same query in a process with network reaches the listener, so the witness would have seen it."""
    monkeypatch.setattr(evaluation_module, "check_query", lambda *args: None)  # before the process is forked
    choose = lambda kind: negotiate(None, kind)  # noqa: E731
    process = QueryProcess()
    try:
        with pytest.raises(QueryFailed):
            process.evaluate(store, _sparql_operation(listener.url), choose, 5, QueryPolicy())
        assert listener.connections == 0
        with pytest.raises(QueryFailed):  # federating: the process keeps its network, and reaches the listener
            process.evaluate(store, _sparql_operation(listener.url), choose, 5, QueryPolicy(frozenset({listener.url})))
        assert listener.connections >= 1
    finally:
        process.stop()


# ----------------------------------------------------------------------------- the audit hook


def test_the_audit_hook_refuses_connections_except_to_loopback(listener):
    with outbound_connections_refused():
        with pytest.raises(OutboundConnectionRefused, match=UNROUTABLE):
            socket.create_connection((UNROUTABLE, 80), timeout=1)
        with pytest.raises(OutboundConnectionRefused, match="name lookup"):
            socket.getaddrinfo("example.org", 443)
        with pytest.raises(OutboundConnectionRefused):
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", (UNROUTABLE, 53))
        socket.create_connection(("127.0.0.1", int(listener.url.split(":")[2].split("/")[0])), timeout=1).close()
    socket.getaddrinfo("localhost", 80)  # and it is lifted when the block ends


def test_the_audit_hook_lets_an_allowed_endpoint_through():
    with outbound_connections_refused([f"http://{UNROUTABLE}/sparql"]):
        probe = socket.socket()
        probe.setblocking(False)
        probe.connect_ex((UNROUTABLE, 80))  # starts connecting: not refused by the hook
        probe.close()
        with pytest.raises(OutboundConnectionRefused):
            socket.create_connection(("198.51.100.1", 80), timeout=1)


def test_the_audit_hook_stops_rdflib_fetching_a_json_ld_context():
    """rdflib's JSON-LD parser fetches a remote @context; under the hook it cannot. (It reads a file: context
    with open(), below what the hook checks: submissions are parsed by pyoxigraph, which loads no context.)"""
    document = f'{{"@context": "http://{UNROUTABLE}/context.jsonld", "@id": "urn:x", "name": "y"}}'
    with outbound_connections_refused(), pytest.raises(Exception) as raised:
        Graph().parse(data=document, format="json-ld")
    chain = [raised.value, raised.value.__cause__, raised.value.__context__]
    assert any(isinstance(e, OutboundConnectionRefused) for e in chain) or "refused" in str(raised.value)


def test_every_server_worker_refuses_outbound_connections(built_home, monkeypatch):
    monkeypatch.setattr(hardening, "_allowed", None)  # restored after the test: the hook only lives in workers
    FootprintsServer(EndpointConfig(home=built_home)).load()  # what gunicorn calls in each worker
    with pytest.raises(OutboundConnectionRefused):
        socket.create_connection((UNROUTABLE, 80), timeout=1)


# ----------------------------------------------------------------------------- uploads

BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa">'
                  + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefgh", "bcdefghi", strict=True))
                  + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
                  '<rdf:Description rdf:about="http://e/x"><ex:p>&i;</ex:p></rdf:Description></rdf:RDF>\n')


def _external_entity(url: str) -> str:
    return ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "' + url + '">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
            '<rdf:Description rdf:about="http://e/x"><ex:p>&e;</ex:p></rdf:Description></rdf:RDF>\n')


def _json_ld(context: str) -> str:
    return f'{{"@context": "{context}", "@id": "https://w3id.org/footprints-graph/id/person/x", "name": "y"}}'


def _uploads(url: str) -> dict[str, tuple[str, str]]:
    return {"entities": ("bomb.rdf", BILLION_LAUGHS), "external entity": ("x.rdf", _external_entity(url)),
            "local file entity": ("x.owl", _external_entity("file:///etc/passwd")),
            "UTF-16": ("x.xml", '<?xml version="1.0" encoding="UTF-16"?><rdf:RDF/>'),
            "remote context": ("x.jsonld", _json_ld(url)), "file context": ("x.jsonld", _json_ld("file:///etc/passwd"))}


@pytest.mark.parametrize("name", list(_uploads("http://127.0.0.1:1/")))
def test_the_validate_command_refuses_hostile_uploads_without_fetching(tmp_path, capsys, listener, name):
    file_name, text = _uploads(listener.url)[name]
    path = tmp_path / file_name
    path.write_bytes(text.encode("utf-16" if name == "UTF-16" else "utf-8"))
    assert main(["validate", str(path), "--home", str(tmp_path / "no-home")]) == 2
    error = capsys.readouterr().err
    assert file_name in error
    assert listener.connections == 0 and "root:" not in error


def test_the_billion_laughs_is_refused_before_any_parser_sees_it(tmp_path):
    assert len(BILLION_LAUGHS.encode()) < 1000
    with pytest.raises(hardening.UnsafeUpload, match="DOCTYPE"):
        hardening.refuse_xml_declarations(BILLION_LAUGHS.encode(), "bomb.rdf")


@pytest.mark.parametrize("name", list(_uploads("http://127.0.0.1:1/")))
def test_the_validation_page_refuses_hostile_uploads_without_fetching(client, listener, name):
    file_name, text = _uploads(listener.url)[name]
    data = text.encode("utf-16" if name == "UTF-16" else "utf-8")
    response = client.post("/validate", data={"files": (BytesIO(data), file_name)}, content_type="multipart/form-data",
                           headers={"Accept": "application/json"})
    assert response.status_code == 400 and "error" in response.json
    assert listener.connections == 0 and "root:" not in response.text


def test_plain_rdf_xml_is_still_read(tmp_path, capsys):
    path = tmp_path / "fine.rdf"
    path.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n')
    assert main(["validate", str(path), "--home", str(tmp_path / "no-home")]) == 0
