"""The SPARQL 1.1 Protocol on the Flask test client: the fast cases. Responses are parsed back and checked
as data; every error is the status the protocol names, with a message, and never a 500."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from werkzeug.datastructures import MIMEAccept, MultiDict

from footprints_graph.endpoint.sparql.protocol import (
    FORMATS,
    GRAPH,
    SOLUTIONS,
    QueryOperation,
    SparqlProtocolError,
    negotiate,
    negotiated,
    read_request,
)
from footprints_graph.releases.build import build
from footprints_graph.web import EndpointConfig, create_app
from support.html import parse

FP = "https://w3id.org/footprints-graph/ontology#"
ID = "https://w3id.org/footprints-graph/id/"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
PEOPLE = ID + "graph/people"
COUNT_VICTIMS = f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a <{FP}Victim> }}"


def _count(response) -> int:
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


# ----------------------------------------------------------------------------- the table and negotiation


def test_one_table_maps_every_media_type_once():
    media_types = [f.media_type for f in FORMATS]
    assert len(media_types) == len(set(media_types))
    assert {f.kind for f in FORMATS} == {SOLUTIONS, GRAPH}


@pytest.mark.parametrize("accept, kind, expected", [
    ("", SOLUTIONS, "application/sparql-results+json"),
    ("*/*", GRAPH, "text/turtle"),
    ("application/sparql-results+json;q=0.5, application/sparql-results+xml", SOLUTIONS, "application/sparql-results+xml"),
    ("text/*;q=0.9, text/tab-separated-values", SOLUTIONS, "text/tab-separated-values"),
    ("application/ld+json, text/turtle;q=0.1", GRAPH, "application/ld+json"),
    ("application/json", SOLUTIONS, "application/json"),
])
def test_negotiation_honours_q_values(accept, kind, expected):
    from werkzeug.http import parse_accept_header
    assert negotiate(parse_accept_header(accept, MIMEAccept), kind).media_type == expected


@pytest.mark.parametrize("name, kind, expected", [
    ("json", SOLUTIONS, "application/sparql-results+json"), ("json", GRAPH, "application/ld+json"),
    ("xml", SOLUTIONS, "application/sparql-results+xml"), ("xml", GRAPH, "application/rdf+xml"),
    ("text/csv", SOLUTIONS, "text/csv"), ("nt", GRAPH, "application/n-triples"),
])
def test_the_format_parameter_names_a_row_for_each_kind(name, kind, expected):
    assert negotiate(None, kind, [name]).media_type == expected


@pytest.mark.parametrize("accept, names", [
    ("", ()), ("*/*", ()), ("application/sparql-results+json;q=0.5, application/sparql-results+xml", ()),
    ("application/ld+json, text/turtle;q=0.1", ()), ("text/csv", ()), ("", ("xml",)), ("text/csv", ("nt", "csv")),
    ("", ("x" * 2000,)),  # too long to be kept: negotiated all the same
])
def test_negotiated_once_is_what_negotiate_gives_for_each_kind(accept, names):
    """A request negotiates once for both kinds (protocol.negotiated, kept by header): the same format as
    `negotiate` gives for each, or the same 406, raised anew each time it is asked."""
    from werkzeug.http import parse_accept_header
    for _ in range(2):  # once made, once kept
        chosen = negotiated(accept or None, names)
        for kind in (SOLUTIONS, GRAPH):
            try:
                expected = negotiate(parse_accept_header(accept, MIMEAccept), kind, names)
            except SparqlProtocolError as refusal:
                with pytest.raises(SparqlProtocolError) as first:
                    chosen(kind)
                with pytest.raises(SparqlProtocolError) as second:
                    chosen(kind)
                assert first.value.status == second.value.status == refusal.status == 406
                assert first.value.message == refusal.message and first.value is not second.value
            else:
                assert chosen(kind) == expected
        assert chosen.media_types == tuple(_media_type(accept, names, kind) for kind in (SOLUTIONS, GRAPH))


def _media_type(accept: str, names: tuple[str, ...], kind: str) -> str:
    from werkzeug.http import parse_accept_header
    try:
        return negotiate(parse_accept_header(accept, MIMEAccept), kind, names).media_type
    except SparqlProtocolError:
        return ""


def test_a_query_with_from_keeps_its_own_dataset_and_others_get_the_union():
    assert QueryOperation("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }").dataset_arguments() == {}
    assert QueryOperation("SELECT * WHERE { ?s <urn:from> ?from }").dataset_arguments() == {"use_default_graph_as_union": True}
    assert QueryOperation('SELECT * WHERE { ?s ?p "FROM" } # FROM').dataset_arguments() == {"use_default_graph_as_union": True}


def test_read_request_refuses_two_queries():
    with pytest.raises(SparqlProtocolError) as raised:
        read_request("GET", "", MultiDict([("query", "ASK {}"), ("query", "ASK {}")]), MultiDict(), b"", 1000)
    assert raised.value.status == 400


# ----------------------------------------------------------------------------- answers parsed back


def test_get_post_form_and_post_query_give_the_same_answer(client):
    by_get = client.get("/sparql", query_string={"query": COUNT_VICTIMS})
    by_form = client.post("/sparql", data={"query": COUNT_VICTIMS})
    by_body = client.post("/sparql", data=COUNT_VICTIMS, content_type="application/sparql-query")
    assert _count(by_get) == _count(by_form) == _count(by_body) == 13


def test_select_as_xml_csv_and_tsv(client):
    query = {"query": f"SELECT ?p WHERE {{ ?p a <{FP}Detainee> }} ORDER BY ?p"}
    xml = client.get("/sparql", query_string=query, headers={"Accept": "application/sparql-results+xml"})
    uris = [e.text for e in ET.fromstring(xml.data).iter("{http://www.w3.org/2005/sparql-results#}uri")]
    as_csv = list(csv.DictReader(io.StringIO(client.get("/sparql", query_string={**query, "format": "csv"}).text)))
    tsv = client.get("/sparql", query_string=query, headers={"Accept": "text/tab-separated-values"})
    assert tsv.headers["Content-Type"].startswith("text/tab-separated-values")
    assert uris == [row["p"] for row in as_csv] == [line.strip("<>") for line in tsv.text.split()[1:]]
    assert len(uris) == 5  # all their sources agree (issue 14)


def test_ask_as_json_and_xml(client):
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).get_json()["boolean"] is True
    xml = client.get("/sparql", query_string={"query": "ASK { <urn:x> ?p ?o }", "format": "xml"})
    assert ET.fromstring(xml.data).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "false"


@pytest.mark.parametrize("media_type, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
    ("application/ld+json", "json-ld"), ("application/trig", "trig"), ("application/n-quads", "nquads")])
def test_construct_in_every_rdf_format(client, media_type, rdflib_format):
    query = f"CONSTRUCT {{ ?p a <{FP}Detainee> }} WHERE {{ ?p a <{FP}Detainee> }}"
    response = client.post("/sparql", data={"query": query}, headers={"Accept": media_type})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(media_type)
    graph = Graph().parse(data=response.data, format=rdflib_format)
    assert len(set(graph.subjects(RDF.type, URIRef(FP + "Detainee")))) == 5  # typed by class only where sources agree


def test_default_graph_uri_and_named_graph_uri_name_the_dataset(client):
    in_people = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                                    "default-graph-uri": PEOPLE})
    named = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                                "named-graph-uri": PEOPLE})
    nothing_named = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                                        "default-graph-uri": PEOPLE})
    assert _count(in_people) == _count(named) > 0
    assert _count(nothing_named) == 0


def test_the_default_graph_is_the_union_but_from_selects_one_graph(client, store):
    union = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    only_people = client.get("/sparql", query_string={"query": f"SELECT (COUNT(*) AS ?n) FROM <{PEOPLE}> WHERE {{ ?s ?p ?o }}"})
    assert _count(union) == len(store)
    assert 0 < _count(only_people) < _count(union)


def test_responses_vary_on_accept_and_allow_cross_origin_requests(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://example.org")


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s ?p }", "SELEKT * {}", "SELECT * WHERE {\n ?s ?p ?o .\n FILTER(?o = )\n}",
                                   "PREFIX : <x y> SELECT * {}", "SELECT * WHERE { ?s undeclared:p ?o }"])
def test_a_malformed_query_is_a_400_with_line_and_column(client, query):
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert "line:column" in response.text and any(c.isdigit() for c in response.text.split("error at")[1][:6])


def test_the_position_of_the_error_is_reported(client):
    response = client.post("/sparql", data="SELECT * WHERE {\n  ?s ?p ?o .\n  ?s <bad iri> ?o .\n}",
                           content_type="application/sparql-query")
    assert "error at 3:15" in response.text


@pytest.mark.parametrize("request_kwargs", [
    {"method": "POST", "data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    {"method": "POST", "data": "DELETE WHERE { ?s ?p ?o }", "content_type": "application/sparql-update"},
    {"method": "GET", "query_string": {"update": "CLEAR ALL"}},
    {"method": "POST", "data": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
])
def test_updates_are_refused_with_403(client, request_kwargs):
    response = client.open("/sparql", **request_kwargs)
    assert response.status_code == 403
    assert "read-only" in response.text


def test_no_acceptable_format_is_a_406_listing_those_that_fit(client):
    response = client.get("/sparql", query_string={"query": "SELECT * {}"}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text and "text/csv" in response.text
    unknown = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "csv"})
    assert unknown.status_code == 406 and "text/turtle" in unknown.text


def test_an_unknown_post_content_type_is_a_415(client):
    response = client.post("/sparql", data="<x/>", content_type="application/xml")
    assert response.status_code == 415 and "application/sparql-query" in response.text


def test_a_post_without_a_query_is_a_400(client):
    assert client.post("/sparql", data={"format": "json"}).status_code == 400


def test_an_over_long_query_is_a_413(built_home):
    small = create_app(EndpointConfig(home=built_home, max_query_bytes=100, query_timeout=0)).test_client()
    response = small.get("/sparql", query_string={"query": "ASK { " + "?s ?p ?o . " * 20 + "}"})
    assert response.status_code == 413 and "at most 100" in response.text


def test_a_query_past_its_deadline_is_stopped_with_503(built_home):
    hasty = create_app(EndpointConfig(home=built_home, query_timeout=1)).test_client()
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = hasty.get("/sparql", query_string={"query": heavy})
    assert response.status_code == 503 and "1 s" in response.text
    assert hasty.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200  # the worker is fine


def test_service_clauses_are_refused(client):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 403 and "SERVICE" in response.text


def test_an_invalid_graph_iri_is_a_400(client):
    response = client.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert response.status_code == 400


def test_a_browser_gets_errors_as_a_page(client):
    response = client.get("/sparql", query_string={"query": "SELECT"}, headers={"Accept": "text/html"})
    assert response.status_code == 400 and response.headers["Content-Type"].startswith("text/html")


# ----------------------------------------------------------------------------- the service description


def test_a_bare_get_returns_the_service_description(client, store):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.data, format="turtle")
    service = graph.value(predicate=RDF.type, object=URIRef(SD + "Service"))
    assert graph.value(service, URIRef(SD + "endpoint")) == URIRef("http://localhost/sparql")
    assert (service, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in graph
    assert (service, URIRef(SD + "feature"), URIRef(SD + "UnionDefaultGraph")) in graph
    formats = set(graph.objects(service, URIRef(SD + "resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/JSON-LD") in formats
    dataset = graph.value(service, URIRef(SD + "defaultDataset"))
    names = {graph.value(n, URIRef(SD + "name")) for n in graph.objects(dataset, URIRef(SD + "namedGraph"))}
    assert names == {URIRef(g.value) for g in store.named_graphs()}
    default = graph.value(dataset, URIRef(SD + "defaultGraph"))
    assert graph.value(default, URIRef(VOID + "triples")) == Literal(len(store))


@pytest.mark.parametrize("accept, rdflib_format", [("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                                                   ("*/*", "turtle")])
def test_the_service_description_by_content_negotiation(client, accept, rdflib_format):
    response = client.get("/sparql", headers={"Accept": accept})
    assert (None, RDF.type, URIRef(SD + "Service")) in Graph().parse(data=response.data, format=rdflib_format)


def test_a_browser_gets_the_query_form_listing_the_library(client):
    from footprints_graph.endpoint.sparql.library import library
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    document = parse(response.text)
    assert response.status_code == 200 and document.form and document.textarea
    assert all(f"/queries/{q.name}" in response.text for q in library())
    before_main = document.main.find_all_previous()  # the head, the header and the navigation: nothing from elsewhere
    assert "cdn" not in response.text.lower()
    assert not [value for element in before_main for value in element.attrs.values() if "https://" in str(value)]


def test_a_new_build_is_served_without_a_restart(tmp_path, data):
    home = tmp_path / "home"
    build(data, home)
    client = create_app(EndpointConfig(home=home, query_timeout=0)).test_client()
    query = {"query": f"SELECT ?n WHERE {{ <{ID}figure/wartime-age-20s> <{FP}count> ?n }}"}
    before = client.get("/sparql", query_string=query).get_json()["results"]["bindings"][0]["n"]["value"]
    figures = data / "figures.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace(",56437,", ",56438,"), encoding="utf-8")
    build(data, home)
    after = client.get("/sparql", query_string=query).get_json()["results"]["bindings"][0]["n"]["value"]
    assert (before, after) == ("56437", "56438")
