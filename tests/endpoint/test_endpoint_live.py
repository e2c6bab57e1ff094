"""The real server (`footprints-graph serve`, gunicorn) over HTTP, and clients we did not write talking to it:
requests, SPARQLWrapper, rdflib's SPARQLStore, curl, and two federation engines calling it as a remote
service (pyoxigraph's SERVICE and Comunica 4.5 on Node). Every answer is parsed back and checked as data."""

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from footprints_graph.endpoint.linked_data.void import dataset_iri
from footprints_graph.iris import DEFAULT_BASE
from support import ROOT

FP = "https://w3id.org/footprints-graph/ontology#"
ID = "https://w3id.org/footprints-graph/id/"
SRX = "{http://www.w3.org/2005/sparql-results#}"
# typed fp:Detainee: every source agrees (Kim Jung-wook's sources disagree, so he has no category class; issue 14)
DETAINEES = {ID + f"person/{k}" for k in ("kim-kook-kie", "choi-chun-gil", "kim-won-ho", "ko-hyun-chul", "ham-jin-woo")}
SELECT = f"PREFIX fp: <{FP}> SELECT ?person WHERE {{ ?person a fp:Detainee }} ORDER BY ?person"
ASK = f"PREFIX fp: <{FP}> ASK {{ <{ID}person/kim-kook-kie> a fp:Detainee }}"
CONSTRUCT = f"PREFIX fp: <{FP}> CONSTRUCT {{ ?person a fp:Detainee }} WHERE {{ ?person a fp:Detainee }}"
DESCRIBE = f"DESCRIBE <{ID}person/kim-kook-kie>"
SOLUTION_TYPES = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values"]
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld", "application/trig": "trig", "application/n-quads": "nquads"}
METHODS = ["GET", "POST form", "POST query"]


def send(server, method: str, query: str, accept: str) -> requests.Response:
    headers = {"Accept": accept}
    if method == "GET":
        return requests.get(server.sparql, params={"query": query}, headers=headers, timeout=10)
    if method == "POST form":
        return requests.post(server.sparql, data={"query": query}, headers=headers, timeout=10)
    return requests.post(server.sparql, data=query.encode(), timeout=10,
                         headers={**headers, "Content-Type": "application/sparql-query"})


def solutions(response: requests.Response) -> list[str] | bool:
    """SELECT results as the list of ?person values, ASK results as a boolean, from any of the four formats."""
    media_type = response.headers["Content-Type"].split(";")[0]
    if media_type == "application/sparql-results+json":
        data = response.json()
        return data["boolean"] if "boolean" in data else [b["person"]["value"] for b in data["results"]["bindings"]]
    if media_type == "application/sparql-results+xml":
        root = ET.fromstring(response.content)
        boolean = root.find(f"{SRX}boolean")
        return boolean.text == "true" if boolean is not None else [u.text for u in root.iter(f"{SRX}uri")]
    delimiter = "," if media_type == "text/csv" else "\t"
    rows = list(csv.reader(io.StringIO(response.text), delimiter=delimiter))
    if rows in ([["true"]], [["false"]]):
        return rows == [["true"]]
    return [cell.strip("<>") for (cell,) in rows[1:]]


# ----------------------------------------------------------------------------- form × Accept × method


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("accept", SOLUTION_TYPES)
@pytest.mark.parametrize("query, expected", [(SELECT, sorted(DETAINEES)), (ASK, True)], ids=["SELECT", "ASK"])
def test_select_and_ask(live_server, query, expected, accept, method):
    response = send(live_server, method, query, accept)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith(accept)
    assert response.headers["Vary"] == "Accept"
    assert solutions(response) == expected


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("accept", RDF_TYPES)
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["CONSTRUCT", "DESCRIBE"])
def test_construct_and_describe(live_server, query, accept, method):
    response = send(live_server, method, query, accept)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=RDF_TYPES[accept])
    detainees = {str(s) for s in graph.subjects(RDF.type, URIRef(FP + "Detainee"))}
    assert detainees == (DETAINEES if query == CONSTRUCT else {ID + "person/kim-kook-kie"})


def test_q_values_choose_among_acceptable_formats(live_server):
    response = send(live_server, "GET", SELECT, "application/sparql-results+json;q=0.2, text/csv;q=0.9, */*;q=0.1")
    assert response.headers["Content-Type"].startswith("text/csv")


def test_errors_over_http(live_server):
    assert send(live_server, "GET", "SELECT * WHERE { ?s ?p }", "*/*").status_code == 400
    assert "error at 1:" in send(live_server, "POST query", "SELECT * WHERE { ?s ?p }", "*/*").text
    assert send(live_server, "GET", SELECT, "image/png").status_code == 406
    update = requests.post(live_server.sparql, data="CLEAR ALL", timeout=10,
                           headers={"Content-Type": "application/sparql-update"})
    assert update.status_code == 403 and "read-only" in update.text
    assert requests.post(live_server.sparql, data="x", headers={"Content-Type": "text/plain"}, timeout=10).status_code == 415
    missing = requests.get(f"{live_server.url}/id/person/no-one", headers={"Accept": "text/html"}, timeout=10)
    assert missing.status_code == 404 and "<form" in missing.text


def test_a_runaway_query_is_stopped_and_the_server_keeps_answering(live_server):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = send(live_server, "POST query", heavy, "application/sparql-results+json")
    assert response.status_code == 503 and "limit" in response.text
    assert solutions(send(live_server, "GET", ASK, "application/sparql-results+json")) is True


def test_service_description_and_void_over_http(live_server, store):
    description = Graph().parse(data=requests.get(live_server.sparql, headers={"Accept": "text/turtle"}, timeout=10).text,
                                format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "endpoint"), URIRef(live_server.sparql)) in description
    void = Graph().parse(data=requests.get(f"{live_server.url}/.well-known/void", headers={"Accept": "text/turtle"},
                                           timeout=10).text, format="turtle")
    dataset = URIRef(dataset_iri(DEFAULT_BASE))  # stable: not the Host the request went to (issue 18)
    assert void.value(dataset, URIRef("http://rdfs.org/ns/void#triples")).toPython() == len(store)


def test_linked_data_over_http(live_server):
    page = requests.get(f"{live_server.url}/id/person/kim-kook-kie", headers={"Accept": "text/turtle"}, timeout=10)
    again = requests.get(f"{live_server.url}/id/person/kim-kook-kie", timeout=10,
                         headers={"Accept": "text/turtle", "If-None-Match": page.headers["ETag"]})
    assert page.status_code == 200 and again.status_code == 304
    assert (URIRef(ID + "person/kim-kook-kie"), RDF.type, URIRef(FP + "Detainee")) in Graph().parse(data=page.text)


# ----------------------------------------------------------------------------- clients we did not write


@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select(live_server, return_format, method):
    client = SPARQLWrapper(live_server.sparql, returnFormat=return_format)
    client.setMethod(method)
    client.setQuery(SELECT)
    converted = client.query().convert()
    if return_format == JSON:
        got = [b["person"]["value"] for b in converted["results"]["bindings"]]
    elif return_format == XML:
        got = [n.firstChild.data for n in converted.getElementsByTagName("uri")]
    else:
        rows = list(csv.reader(io.StringIO(converted.decode()), delimiter="," if return_format == CSV else "\t"))
        got = [cell.strip("<>") for (cell,) in rows[1:]]
    assert got == sorted(DETAINEES)


def test_sparqlwrapper_ask(live_server):
    client = SPARQLWrapper(live_server.sparql, returnFormat=JSON)
    client.setQuery(ASK)
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize("return_format", [TURTLE, N3, RDFXML, JSONLD, XML])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["CONSTRUCT", "DESCRIBE"])
def test_sparqlwrapper_construct_and_describe(live_server, return_format, query):
    client = SPARQLWrapper(live_server.sparql, returnFormat=return_format)
    client.setQuery(query)
    result = client.query()
    converted = result.convert()
    media_type = result.response.headers["Content-Type"].split(";")[0]
    graph = converted if isinstance(converted, Graph) else Graph().parse(data=converted, format={
        **RDF_TYPES, "text/n3": "n3"}[media_type])
    assert (URIRef(ID + "person/kim-kook-kie"), RDF.type, URIRef(FP + "Detainee")) in graph


def test_rdflib_sparqlstore(live_server):
    graph = Graph(store=SPARQLStore(query_endpoint=live_server.sparql))
    assert sorted(str(row.person) for row in graph.query(SELECT)) == sorted(DETAINEES)
    assert graph.query(ASK).askAnswer is True
    assert len(graph.query(CONSTRUCT).graph) == len(DETAINEES)
    detainees = {str(s) for s, _, _ in graph.triples((None, RDF.type, URIRef(FP + "Detainee")))}
    assert detainees == DETAINEES


@pytest.mark.parametrize("arguments", [
    ["-G", "--data-urlencode", f"query={SELECT}", "-H", "Accept: text/csv"],
    ["--data-urlencode", f"query={SELECT}", "-H", "Accept: text/csv"],
    ["--data-binary", SELECT, "-H", "Content-Type: application/sparql-query", "-H", "Accept: text/csv"],
], ids=["GET", "POST form", "POST query"])
def test_curl(live_server, arguments):
    result = subprocess.run(["curl", "--silent", "--show-error", "--fail", *arguments, live_server.sparql],
                            capture_output=True, text=True, timeout=30, check=True)
    assert [row[0] for row in csv.reader(io.StringIO(result.stdout))][1:] == sorted(DETAINEES)


def test_curl_follows_linked_data_by_extension(live_server):
    result = subprocess.run(["curl", "--silent", "--fail", f"{live_server.url}/id/person/kim-kook-kie.nt"],
                            capture_output=True, timeout=30, check=True)
    assert (URIRef(ID + "person/kim-kook-kie"), RDF.type, URIRef(FP + "Detainee")) in Graph().parse(data=result.stdout,
                                                                                                    format="nt")


def test_pyoxigraph_federates_with_the_endpoint_through_service(live_server):
    """Another engine's SERVICE clause calls this endpoint: local names joined with our detainees."""
    local = ox.Store()
    local.add(ox.Quad(ox.NamedNode(ID + "person/kim-kook-kie"), ox.NamedNode("urn:note"), ox.Literal("a local note")))
    query = (f"SELECT ?person ?note WHERE {{ ?person <urn:note> ?note . "
             f"SERVICE <{live_server.sparql}> {{ ?person a <{FP}Detainee> }} }}")
    rows = [(row["person"].value, row["note"].value) for row in local.query(query)]
    assert rows == [(ID + "person/kim-kook-kie", "a local note")]


def _comunica(program, *arguments: str) -> dict:
    result = subprocess.run([str(program), *arguments, "-t", "application/sparql-results+json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_comunica_queries_the_endpoint(live_server, comunica):
    answer = _comunica(comunica, f"sparql@{live_server.sparql}", SELECT)
    assert [b["person"]["value"] for b in answer["results"]["bindings"]] == sorted(DETAINEES)


def test_comunica_federates_linked_data_with_the_endpoint(live_server, comunica):
    """Comunica dereferences one resource's Turtle and joins it, through SERVICE, with the endpoint."""
    query = (f"SELECT ?wikidata ?event WHERE {{ ?org <http://www.w3.org/2002/07/owl#sameAs> ?wikidata . "
             f"SERVICE <{live_server.sparql}> {{ ?event <{FP}perpetrator> ?org }} }}")
    answer = _comunica(comunica, f"{live_server.url}/id/organisation/dprk.ttl", query)
    rows = {(b["wikidata"]["value"], b["event"]["value"]) for b in answer["results"]["bindings"]}
    with (ROOT / "data" / "events.csv").open(encoding="utf-8", newline="") as file:
        events = {ID + "event/" + e["key"] for e in csv.DictReader(file) if e["perpetrator"] == "dprk"}
    assert rows == {("http://www.wikidata.org/entity/Q423", event) for event in events}
