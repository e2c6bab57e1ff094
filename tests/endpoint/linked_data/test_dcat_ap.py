"""The served dataset description as a data portal harvests it (issue 18): /.well-known/void and the Service
Description pass the DCAT-AP 3.0.1 core constraints (tests/data/dcat-ap/core-shapes.ttl, written from the
specification), declare every dump's format and the dataset's coverage, and name the dataset by an IRI that
does not follow the Host header; a publisher and a contact point only when the deployment states them."""

import pyshacl
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from footprints_graph.endpoint.config import ConfigError, load_config
from footprints_graph.web import create_app
from support import TEST_DATA

VOID = Namespace("http://rdfs.org/ns/void#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DATASET = URIRef("https://w3id.org/footprints-graph/.well-known/void#footprints-graph")
SHAPES = Graph().parse(TEST_DATA / "dcat-ap" / "core-shapes.ttl")


def served(client, path: str, **headers) -> Graph:
    response = client.get(path, headers={"Accept": "text/turtle", **headers})
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="turtle")


def violations(graph: Graph) -> list[str]:
    conforms, _, text = pyshacl.validate(graph, shacl_graph=SHAPES)
    return [] if conforms else [text]


@pytest.mark.parametrize("path", ["/.well-known/void", "/sparql"])
def test_the_served_descriptions_pass_the_dcat_ap_core_shapes(client, path):
    graph = served(client, path)
    assert len(graph) > 20
    assert violations(graph) == []


def test_the_shapes_fail_a_distribution_without_access_url_and_a_service_without_title(client):
    graph = served(client, "/.well-known/void")
    graph.remove((None, DCAT.accessURL, None))
    graph.remove((None, DCTERMS.title, None))
    report = "".join(violations(graph))
    assert "accessURL" in report and "title" in report


def test_every_dump_is_a_distribution_with_its_access_url_and_format(client, built_release):
    graph = served(client, "/.well-known/void")
    dumps = {p.name for p in (built_release / "dumps").iterdir()}
    accessed = {str(graph.value(d, DCAT.accessURL)).rsplit("/", 1)[-1]: graph.value(d, DCTERMS["format"])
                for d in graph.objects(DATASET, DCAT.distribution) if graph.value(d, DCAT.downloadURL)}
    assert set(accessed) == dumps
    assert None not in accessed.values()
    assert set(graph.objects(DATASET, VOID.feature)) == set(accessed.values())


def test_the_dataset_states_its_themes_keywords_and_coverage(client):
    graph = served(client, "/.well-known/void")
    themes = set(graph.objects(DATASET, DCAT.theme))
    assert URIRef("https://w3id.org/footprints-graph/ontology#PrisonerOfWar") in themes and len(themes) >= 4
    keywords = {(str(k), k.language) for k in graph.objects(DATASET, DCAT.keyword)}
    assert {language for _, language in keywords} >= {"en", "ko"}
    period = graph.value(DATASET, DCTERMS.temporal)
    assert str(graph.value(period, DCAT.startDate)) == "1950-06-25"
    assert set(graph.objects(DATASET, DCTERMS.spatial)) == {URIRef("http://www.wikidata.org/entity/Q884"),
                                                            URIRef("http://www.wikidata.org/entity/Q423")}


@pytest.mark.parametrize("path", ["/.well-known/void", "/sparql"])
def test_the_dataset_iri_does_not_follow_the_host_header(client, path):
    graph = served(client, path, Host="attacker.example")
    assert (DATASET, RDF.type, DCAT.Dataset if path != "/sparql" else URIRef(
        "http://www.w3.org/ns/sparql-service-description#Dataset")) in graph
    assert not any("attacker.example" in str(s) for s in graph.subjects(RDF.type, DCAT.Dataset))
    assert any("attacker.example" in str(o) for o in graph.objects()), "the request's host is used where it belongs"


def test_the_release_description_is_served_absolute_and_linked_to_the_dataset(client, built_release):
    response = client.get("/release.json")
    assert response.status_code == 200 and response.content_type == "application/ld+json"
    graph = Graph().parse(data=response.text, format="json-ld")
    release = URIRef(f"urn:footprints-graph:release:{built_release.name}")
    assert violations(graph) == []
    assert graph.value(release, DCTERMS.isVersionOf) == DATASET
    assert graph.value(release, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert graph.value(release, DCTERMS.description) is not None
    urls = {str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(release, DCAT.distribution)}
    assert urls == {f"http://localhost/dumps/{p.name}" for p in (built_release / "dumps").iterdir()}
    assert served(client, "/.well-known/void").value(DATASET, URIRef(DCAT + "hasCurrentVersion")) == release


def test_no_publisher_or_contact_is_stated_unless_the_deployment_states_them(client):
    graph = served(client, "/.well-known/void")
    assert graph.value(DATASET, DCTERMS.publisher) is None and graph.value(DATASET, DCAT.contactPoint) is None


@pytest.mark.parametrize("contact, reach", [("mailto:graph@example.org", VCARD.hasEmail),
                                            ("https://example.org/contact", VCARD.hasURL)])
def test_a_deployments_publisher_and_contact_point_are_described(built_home, contact, reach):
    """A fictional publisher, as a deployment's settings would name its own."""
    config = load_config(environ={"FOOTPRINTS_HOME": str(built_home), "FOOTPRINTS_PUBLISHER": "Example Archive",
                                  "FOOTPRINTS_CONTACT": contact})
    client = create_app(config).test_client()
    void = served(client, "/.well-known/void")
    release = Graph().parse(data=client.get("/release.json").text, format="json-ld")
    for graph, subject in ((void, DATASET), (release, release.value(None, DCTERMS.isVersionOf, DATASET))):
        assert violations(graph) == []
        assert str(graph.value(graph.value(subject, DCTERMS.publisher), FOAF.name)) == "Example Archive"
        assert graph.value(graph.value(subject, DCAT.contactPoint), reach) == URIRef(contact)


def test_a_contact_that_is_not_a_url_is_refused_naming_the_setting():
    with pytest.raises(ConfigError, match="contact='graph at example.org' from the environment"):
        load_config(environ={"FOOTPRINTS_CONTACT": "graph at example.org"})
