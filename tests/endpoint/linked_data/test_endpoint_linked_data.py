"""Linked data on the Flask test client: every minted IRI dereferences under /id/, with content negotiation,
Vary/Link/ETag/Last-Modified and 304s; the ontology, vocabularies, shapes, VoID, dumps and validation report."""

import csv
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from footprints_graph import resources
from footprints_graph.endpoint.linked_data import routes
from footprints_graph.endpoint.sparql.library import library
from footprints_graph.terms import to_oxigraph
from footprints_graph.web import EndpointConfig, create_app
from support import ROOT
from support.html import hrefs, main_of

ID = "https://w3id.org/footprints-graph/id/"
FP = "https://w3id.org/footprints-graph/ontology#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
KIM = "/id/person/kim-jung-wook"
RDF_FORMATS = [("text/turtle", "ttl", "turtle"), ("application/ld+json", "jsonld", "json-ld"),
               ("application/n-triples", "nt", "nt"), ("application/rdf+xml", "rdf", "xml")]


def parse(response, rdflib_format: str = "turtle") -> Graph:
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.data, format=rdflib_format)


def minted_iris(store) -> set[str]:
    found = set()
    for quad in store:
        found |= {t.value for t in (quad.subject, quad.object, quad.graph_name) if t.value.startswith(ID)}
    return found


# ----------------------------------------------------------------------------- resources


def test_every_minted_iri_dereferences(client, store):
    iris = minted_iris(store)
    failures = {i: r.status_code for i in sorted(iris)
                if (r := client.get(i.replace(ID, "/id/"), headers={"Accept": "text/turtle"})).status_code != 200}
    assert len(iris) > 150 and not failures


@pytest.mark.parametrize("media_type, extension, rdflib_format", RDF_FORMATS)
def test_a_person_as_rdf_by_accept_and_by_extension(client, media_type, extension, rdflib_format):
    by_accept = client.get(KIM, headers={"Accept": media_type})
    by_extension = client.get(f"{KIM}.{extension}")
    assert by_accept.headers["Content-Type"].startswith(media_type)
    assert isomorphic(parse(by_accept, rdflib_format), parse(by_extension, rdflib_format))


def test_a_persons_description_holds_its_claims_and_their_sources(client):
    graph = parse(client.get(KIM, headers={"Accept": "text/turtle"}))
    person = URIRef(ID + "person/kim-jung-wook")
    listings = set(graph.subjects(URIRef(FP + "listingOf"), person))
    assert {str(x).rsplit("/", 1)[1] for x in listings} == {"kim-jung-wook.footprints-south-korean-victims",
                                                           "kim-jung-wook.mou-detainees-2024-03-27"}
    assert (None, URIRef(FP + "statusOf"), person) in graph and (None, URIRef(FP + "victim"), person) in graph
    page = URIRef(ID + "document/footprints-south-korean-victims")
    assert (page, URIRef("https://schema.org/url"), None) in graph  # each source, with where to read it
    assert all((x, DCTERMS.source, None) in graph for x in listings)


def test_a_persons_page_for_people(client):
    response = client.get(KIM, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    html = response.text
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Kim Jung-Wook" in html and "Kim Jong-wook" in html  # names, with variants
    assert "억류자" in html and "detainee" in html  # types in English and Korean
    assert 'href="/id/document/mou-detainees-2024-03-27"' in html  # each claim's source, locally
    assert 'href="https://nkfootprints.info/en/page/a8qsigmjdnd/south-korean-victims"' in html  # and out
    assert 'href="/id/listing/kim-jung-wook.footprints-south-korean-victims"' in html  # incoming links
    assert not [h for h in hrefs(main_of(html)) if h.startswith(ID)]  # links to our resources point to local pages


def test_an_organisation_page_links_out_to_wikidata(client):
    html = client.get("/id/organisation/dprk", headers={"Accept": "text/html"}).text
    assert 'href="http://www.wikidata.org/entity/Q423"' in html
    document = client.get("/id/document/a-hrc-25-63", headers={"Accept": "text/html"}).text
    assert 'href="https://undocs.org/A/HRC/25/63"' in document and 'href="/id/figure/pow-not-repatriated"' in document


def test_headers_vary_link_etag_last_modified(client, built_release):
    response = client.get(KIM, headers={"Accept": "text/turtle"})
    assert response.headers["Vary"] == "Accept"
    link = response.headers["Link"]
    assert f'<{ID}person/kim-jung-wook>; rel="canonical"' in link
    for media_type, extension, _ in RDF_FORMATS:
        assert f'<{KIM}.{extension}>; rel="alternate"; type="{media_type}"' in link
    assert built_release.name in response.headers["ETag"] and "turtle" in response.headers["ETag"]
    assert response.headers["Last-Modified"].endswith("GMT")
    assert client.get(KIM, headers={"Accept": "text/html"}).headers["ETag"] != response.headers["ETag"]


def test_304_when_the_clients_copy_is_current(client):
    first = client.get(KIM, headers={"Accept": "text/turtle"})
    again = client.get(KIM, headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data and again.headers["ETag"] == first.headers["ETag"]
    since = client.get(KIM, headers={"Accept": "text/turtle", "If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other = client.get(KIM, headers={"Accept": "application/ld+json", "If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200


def test_an_unknown_iri_is_a_helpful_404(client):
    page = client.get("/id/person/nobody-at-all", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert 'href="/"' in page.text and "<form" in page.text and "nobody at all" in page.text
    machine = client.get("/id/person/nobody-at-all", headers={"Accept": "text/turtle"})
    assert machine.status_code == 404 and machine.headers["Content-Type"].startswith("text/plain")
    assert client.get("/id/person/kim-jung-wook.docx").status_code == 404


def test_no_acceptable_format_for_a_resource_is_a_406(client):
    assert client.get(KIM, headers={"Accept": "image/png"}).status_code == 406


def test_a_named_graph_iri_gives_its_contents(client, store):
    people = ID + "graph/people"
    graph = parse(client.get("/id/graph/people.nt"), "nt")
    assert len(graph) == len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(people))))
    assert "Kim Kook-kie" in client.get("/id/graph/people", headers={"Accept": "text/html"}).text


def test_a_description_past_the_limit_is_refused_with_where_to_ask(built_home, store, monkeypatch):
    import pyoxigraph as ox

    people = ox.NamedNode(ID + "graph/people")
    in_graph = len(list(store.quads_for_pattern(None, None, None, people)))
    monkeypatch.setattr(routes, "DESCRIPTION_LIMIT", in_graph - 1)  # the graph is one triple too many
    client = create_app(EndpointConfig(home=built_home, cache_bytes=0)).test_client()  # no answer kept from before
    refused = client.get("/id/graph/people.nt")
    assert refused.status_code == 500 and refused.headers["Content-Type"].startswith("text/plain")
    assert f"<{people.value}> has more than {in_graph - 1:,} statements" in refused.text and "/sparql" in refused.text
    assert client.get(KIM, headers={"Accept": "text/turtle"}).status_code == 200  # a record is far below it


def test_resource_pages_allow_cross_origin_requests(client):
    response = client.get(f"{KIM}.jsonld", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://example.org")
    json.loads(response.data)


# ----------------------------------------------------------------------------- ontology, vocabularies, shapes


def test_the_ontology_documentation(client, store):
    html = client.get("/ontology", headers={"Accept": "text/html"}).text
    for anchor, english, korean in [("Victim", "victim", "피해자"), ("WartimeAbductee", "wartime abductee", "전시납북자"),
                                    ("listingOf", None, None), ("asOf", None, None)]:
        assert f'id="{anchor}"' in html
        assert english is None or (english in html and korean in html)
    assert 'href="/vocab/outcomes/taken"' in html  # concepts link to their pages
    assert "Refusal to release and repatriate prisoners of war" in html  # definitions


def test_the_ontology_as_turtle_is_its_named_graph(client, store):
    import pyoxigraph as ox
    graph = parse(client.get("/ontology", headers={"Accept": "text/turtle"}))
    named = list(store.quads_for_pattern(None, None, None, ox.NamedNode("https://w3id.org/footprints-graph/ontology")))
    assert len(graph) == len(named)
    assert (URIRef(FP + "Victim"), RDF.type, OWL.Class) in graph


@pytest.mark.parametrize("path", ["/vocab/outcomes/taken", "/vocab/victim-categories", "/vocab",
                                  "/ontology/alignments", "/ontology/0.1.0"])
def test_vocabulary_and_ontology_iris_dereference(client, path):
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 200
    assert len(parse(client.get(path, headers={"Accept": "text/turtle"}))) > 0


def test_the_shapes(client):
    html = client.get("/shapes", headers={"Accept": "text/html"})
    assert html.status_code == 200
    served = parse(client.get("/shapes.ttl"))
    assert isomorphic(served, resources.shapes_graph())


# ----------------------------------------------------------------------------- VoID, dumps, validation


def test_void_describes_the_dataset(client, store, built_release):
    graph = parse(client.get("/.well-known/void", headers={"Accept": "text/turtle"}))
    dataset = URIRef("https://w3id.org/footprints-graph/.well-known/void#footprints-graph")  # not the host
    assert (dataset, RDF.type, URIRef(VOID + "Dataset")) in graph
    assert graph.value(dataset, URIRef(VOID + "triples")).toPython() == len(store)
    assert graph.value(dataset, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert graph.value(dataset, URIRef(VOID + "sparqlEndpoint")) == URIRef("http://localhost/sparql")
    partitions = {graph.value(p, URIRef(VOID + "class")): graph.value(p, URIRef(VOID + "entities")).toPython()
                  for p in graph.objects(dataset, URIRef(VOID + "classPartition"))}
    victims = {q.subject for q in store.quads_for_pattern(None, to_oxigraph(RDF.type), to_oxigraph(URIRef(FP + "Victim")))}
    assert partitions[URIRef(FP + "Victim")] == len(victims) == 13


def test_void_distributions_are_the_dumps_with_their_sizes(client, built_release):
    graph = parse(client.get("/.well-known/void.ttl"))
    dataset = URIRef("https://w3id.org/footprints-graph/.well-known/void#footprints-graph")  # not the host
    dumps = {p.name: p.stat().st_size for p in (built_release / "dumps").iterdir()}
    assert {str(u).rsplit("/", 1)[1] for u in graph.objects(dataset, URIRef(VOID + "dataDump"))} == set(dumps)
    sizes = {}
    for distribution in graph.objects(dataset, URIRef(DCAT + "distribution")):
        url = graph.value(distribution, URIRef(DCAT + "downloadURL"))
        if url is not None:
            sizes[str(url).rsplit("/", 1)[1]] = graph.value(distribution, URIRef(DCAT + "byteSize"))
            assert str(graph.value(distribution, URIRef(DCAT + "mediaType"))).startswith("https://www.iana.org/assignments/media-types/")
    assert sizes == {name: Literal(size, datatype=XSD.nonNegativeInteger) for name, size in dumps.items()}


def _csv_cells(name: str, column: str) -> list[str]:
    with (ROOT / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return [v for row in csv.DictReader(file) for v in row.get(column, "").split("|") if v]


def test_void_linksets_count_the_links_out(client):
    graph = parse(client.get("/.well-known/void.ttl"))
    linksets = {graph.value(s, URIRef(VOID + "objectsTarget")): graph.value(s, URIRef(VOID + "triples")).toPython()
                for s in graph.subjects(RDF.type, URIRef(VOID + "Linkset"))}
    wikidata = [v for name in ("organisations", "events", "instruments") for v in _csv_cells(name, "same_as")
                if v.startswith("http://www.wikidata.org/entity/")]
    urls = [v for name in ("documents", "instruments", "organisations") for v in _csv_cells(name, "url")]
    assert linksets[URIRef("http://localhost/.well-known/void#wikidata")] == len(wikidata) > 0
    to_sites = sum(n for target, n in linksets.items() if "#site-" in str(target))
    assert to_sites == len(urls)
    assert linksets[URIRef("http://localhost/.well-known/void#site-undocs.org")] == sum("undocs.org" in u for u in urls)


def test_void_for_people_is_a_page(client):
    assert "Dataset description" in client.get("/.well-known/void", headers={"Accept": "text/html"}).text


def test_dumps_are_served(client, built_release):
    response = client.get("/dumps/footprints.nq")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/n-quads")
    assert response.data == (built_release / "dumps" / "footprints.nq").read_bytes()
    assert client.get("/dumps/footprints.ttl").headers["Content-Type"].startswith("text/turtle")
    assert client.get("/dumps/").status_code == 200
    assert client.get("/dumps/secret.nq").status_code == 404
    assert client.get("/dumps/..%2Fsummary.json").status_code == 404


def _home_sharing(built_release: Path, folder: Path, files: dict[str, str]) -> Path:
    """A home whose release shares the built store and dumps and holds `files` of its own."""
    release = folder / "releases" / built_release.name
    release.mkdir(parents=True)
    for part in ("store", "dumps"):
        (release / part).symlink_to(built_release / part)
    shutil.copy(built_release / "summary.json", release / "summary.json")
    for name, text in files.items():
        (release / name).write_text(text, encoding="utf-8")
    (folder / "current").symlink_to(release.relative_to(folder))
    return folder


def test_validation_is_404_with_a_reason_until_a_report_exists(built_release, tmp_path):
    client = create_app(EndpointConfig(home=_home_sharing(built_release, tmp_path, {}))).test_client()
    response = client.get("/validation")
    assert response.status_code == 404 and "validation.ttl" in response.text and "build" in response.text


def test_the_validation_report_when_present(built_release, tmp_path):
    report = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n[] a sh:ValidationReport ; sh:conforms true .\n"
    home = _home_sharing(built_release, tmp_path, {"validation.ttl": report, "validation.json": '{"conforms": true}'})
    client = create_app(EndpointConfig(home=home)).test_client()
    assert client.get("/validation", headers={"Accept": "text/turtle"}).text == report
    assert client.get("/validation", headers={"Accept": "application/json"}).get_json() == {"conforms": True}
    assert client.get("/validation.json").get_json() == {"conforms": True}
    assert "sh:conforms true" in client.get("/validation", headers={"Accept": "text/html"}).text


def test_no_release_is_a_503_that_says_what_to_do(tmp_path):
    response = create_app(EndpointConfig(home=tmp_path)).test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 503 and "footprints-graph build" in response.text


# ----------------------------------------------------------------------------- pages


def test_the_home_page_lists_people_and_documents(client):
    html = client.get("/").text
    assert 'href="/id/person/kim-jung-wook"' in html and 'href="/id/document/a-hrc-25-63"' in html


def test_the_query_page_lists_every_library_query(client):
    html = client.get("/queries").text
    for query in library():
        assert f'href="/queries/{query.name}"' in html and query.title.replace("'", "&#39;") in html
        raw = client.get(f"/queries/{query.name}.rq")
        assert raw.text == query.text and raw.headers["Content-Type"].startswith("application/sparql-query")
        assert query.question.replace("'", "&#39;") in client.get(f"/queries/{query.name}").text
    assert client.get("/queries/no-such-query").status_code == 404


def test_a_page_lists_the_first_links_to_its_resource_and_says_more_exist(client, store, monkeypatch):
    """A document that thousands of listings cite is never read whole for its page: the page lists the first
    INCOMING_SHOWN links (here 3) and says there are more; the Turtle carries the document's own triples."""
    counts = store.query("SELECT ?doc (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://purl.org/dc/terms/source> ?doc } }"
                         " GROUP BY ?doc ORDER BY DESC(?n) LIMIT 1")
    most_cited, links = next((row["doc"].value, int(row["n"].value)) for row in counts)
    assert links > 3
    monkeypatch.setattr(routes, "INCOMING_SHOWN", 3)
    path = "/" + most_cited.split("/", 3)[3].removeprefix("footprints-graph/")
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    linked_from = main_of(html).find("h3", string="Linked from").find_next("table")
    assert len(linked_from.find_all("tr")) == 3 and "The first 3; more link here" in html


def test_a_graph_page_lists_its_first_resources_and_its_rdf_holds_them_all(client, store, monkeypatch):
    """A graph of 100,000 victims is read whole only for its RDF: its page lists the first MEMBERS_SHOWN (here 3)
    resources and says the endpoint has the rest."""
    people = ox.NamedNode(ID + "graph/people")
    monkeypatch.setattr(routes, "MEMBERS_SHOWN", 3)
    html = client.get("/id/graph/people", headers={"Accept": "text/html"}).get_data(as_text=True)
    listed = main_of(html).find("h3", string="Resources in this graph").find_next("ul")
    assert len(listed.find_all("li")) == 3 and "The first 3 resources in it" in html
    graph = parse(client.get("/id/graph/people.nt"), "nt")
    assert len(graph) == len(list(store.quads_for_pattern(None, None, None, people))) > 3
