"""Compact JSON-LD for developers (issue 8): a record's compact, framed document expands back to exactly the
graph its Turtle description gives, and reads with plain keys."""

import json

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic

from footprints_graph import resources
from footprints_graph.endpoint.linked_data import compact

COMPACTED = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'
RECORDS = ["/id/person/kim-jung-wook", "/id/person/ahn-ho-cheol", "/id/organisation/kwafu", "/id/organisation/un",
           "/id/document/footprints-database", "/id/instrument/icped", "/id/media/letter-asking-for-rescue-1",
           "/id/event/korean-war", "/id/event/kim-jung-wook-detention", "/id/figure/pow-not-repatriated",
           "/id/dataset/pow-figures", "/id/status/kim-jung-wook-detained-2024-03-27",
           "/id/listing/kim-jung-wook.mou-detainees-2024-03-27", "/id/finding/coi-wartime-abductions-targeting"]


def expanded(document: dict) -> Graph:
    """The document's triples, its context taken from the published file (no network)."""
    with_context = {**document, "@context": compact.context_document()["@context"]}
    return Graph().parse(data=json.dumps(with_context), format="json-ld")


def turtle(client, path: str) -> Graph:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="turtle")


def compact_document(client, path: str, **kwargs) -> dict:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    assert response.content_type == COMPACTED
    assert response.headers["Link"].endswith('; rel="http://www.w3.org/ns/json-ld#context"')
    return response.json


@pytest.mark.parametrize("path", RECORDS)
def test_compact_record_expands_to_the_turtle_description(client, path):
    document = compact_document(client, f"{path}?format=compact")
    ours, theirs = expanded(document), turtle(client, path)
    if not isomorphic(ours, theirs):
        _, only_json, only_turtle = graph_diff(ours, theirs)
        pytest.fail(f"only in JSON-LD:\n{only_json.serialize(format='nt')}\n"
                    f"only in Turtle:\n{only_turtle.serialize(format='nt')}")


def test_the_accept_header_asks_for_it_too(client):
    by_header = compact_document(client, "/id/person/kim-jung-wook", headers={"Accept": COMPACTED})
    by_parameter = compact_document(client, "/id/person/kim-jung-wook?format=compact")
    assert by_header == by_parameter


def test_a_profile_refused_with_q_0_is_not_sent(client):
    """Issue 16: the Accept header is read by werkzeug, so a range with q=0 refuses that type."""
    response = client.get("/id/person/kim-jung-wook", headers={"Accept": f"{COMPACTED};q=0, text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert isomorphic(Graph().parse(data=response.text, format="turtle"), turtle(client, "/id/person/kim-jung-wook"))


@pytest.mark.parametrize("accept", [
    'application/ld+json; profile="http://www.w3.org/ns/json-ld#framed"',
    'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded http://www.w3.org/ns/json-ld#compacted"',
    f"text/turtle, {COMPACTED};q=0.5",
])
def test_any_accepted_compacted_or_framed_profile_asks_for_it(client, accept):
    compact_document(client, "/id/person/kim-jung-wook", headers={"Accept": accept})


def test_plain_json_ld_is_left_to_the_linked_data_pages(client):
    response = client.get("/id/person/kim-jung-wook", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200 and "profile" not in response.content_type


def test_a_developer_reads_it_with_plain_keys(client):
    record = compact_document(client, "/id/person/kim-jung-wook?format=compact")
    assert record["id"] == "https://w3id.org/footprints-graph/id/person/kim-jung-wook"
    assert record["name"] == {"ko-latn": "Kim Jung-Wook"}
    assert record["alternateNames"] == {"ko-latn": ["Kim Jong-wook", "Kim Jung-wook"]}
    assert record["categories"] == ["Detainee", "PostWarAbductee"]
    assert record["creditedTo"] == ["https://w3id.org/footprints-graph/id/organisation/abductees-family-union"]
    (event,) = record["events"]
    assert event["type"] == ["ArbitraryDetention"]
    assert event["start"] == {"@value": "2013-10", "@type": "gYearMonth"}  # a partial date keeps its precision
    assert event["sources"][0]["label"] == {"en": "Ministry of Unification, 27 March 2024 (six South Korean detainees named)"}
    (status,) = record["statuses"]
    assert (status["status"], status["asOf"]) == ("fpv:status/detained", "2024-03-27")
    assert {listing["nameAsListed"]["ko-latn"] for listing in record["listings"]} == {"Kim Jung-Wook", "Kim Jung-wook"}
    assert "victim" not in event and "listingOf" not in record["listings"][0]  # the nesting says it


def test_sets_are_always_arrays(client):
    record = compact_document(client, "/id/person/ko-hyun-chul?format=compact")
    assert record["categories"] == ["Detainee"] and isinstance(record["sources"], list)
    assert isinstance(record["events"], list) and len(record["events"]) == 1


def test_unknown_records_are_not_found(client):
    assert client.get("/id/person/nobody?format=compact").status_code == 404


def test_the_context_is_published(client):
    response = client.get("/context.jsonld")
    assert response.status_code == 200 and response.content_type.startswith("application/ld+json")
    assert response.json == compact.context_document()
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_every_term_of_the_context_is_declared_in_the_ontology():
    """The context only names terms the ontology (or its external terms) declares, so no key is a guess."""
    ontology = resources.ontology_graph()
    declared = {s for s in ontology.subjects(RDF.type, None)} | {RDFS.label, RDFS.comment, RDF.type, OWL.sameAs}
    xsd = "http://www.w3.org/2001/XMLSchema#"
    terms = [t for t in compact.context().terms if not t.iri.startswith(xsd)]
    assert not [t.key for t in terms if URIRef(t.iri) not in declared]


def test_the_context_and_the_compactor_agree_on_every_term():
    """Each term parsed from the file expands back to its IRI through rdflib's JSON-LD processor."""
    ctx = compact.context()
    for term in ctx.terms:
        if term.reverse or term.iri.startswith("http://www.w3.org/2001/XMLSchema#"):
            continue
        value = {"@id": "https://example.org/o"} if term.coerce in ("@id", "@vocab") else "x"
        value = {"en": "x"} if term.language_map else value
        document = {"@context": compact.context_document()["@context"], "@id": "https://example.org/s", term.key: value}
        graph = Graph().parse(data=json.dumps(document), format="json-ld")
        assert {str(p) for p in graph.predicates()} == {term.iri}, term.key
