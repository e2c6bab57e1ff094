"""Link sets (issue 8): a partner's SSSOM/TSV or CSV mappings become a named graph with SSSOM provenance per
mapping, counted as a VoID linkset; a bad row stops everything with its file and line."""

import shutil
from pathlib import Path

import pytest
from rdflib import OWL, RDF, SKOS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, VOID, XSD

from footprints_graph import resources
from footprints_graph.cli import main
from footprints_graph.convert.linksets import LinkSetError, linkset_counts, mapping_node, read_link_set, read_link_sets
from footprints_graph.convert.records import convert_tables
from footprints_graph.releases.build import build
from footprints_graph.releases.serving import current_release
from footprints_graph.store.embedded import open_store
from footprints_graph.vocab import FP
from support import ROOT

LINKS = ROOT / "tests" / "data" / "links"
ID = "https://w3id.org/footprints-graph/id/"
SSSOM = Namespace("https://w3id.org/sssom/")
PAV = Namespace("http://purl.org/pav/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
ARCHIVE = ID + "graph/links.partner-archive"
REGISTRY = ID + "graph/links.partner-registry"
SSSOM_HEADER = """# curie_map:
#   fpid: https://w3id.org/footprints-graph/id/
# mapping_set_id: https://archive.example.org/mappings/test.sssom.tsv
# license: https://creativecommons.org/licenses/by/4.0/
subject_id\tpredicate_id\tobject_id\tmapping_justification\tconfidence\tauthor_label\tmapping_date
"""
CSV_HEADER = "subject,predicate,object,author,date,confidence\n"
GOOD_SSSOM_ROW = ("fpid:person/kim-won-ho\tskos:exactMatch\thttps://archive.example.org/victims/9"
                  "\tsemapv:ManualMappingCuration\t0.8\tAn Archivist\t2026-03-01\n")


@pytest.fixture(scope="module")
def linked(tmp_path_factory, copy_data) -> Path:
    """A release built from data/ plus the two example link sets of tests/data/links."""
    data = copy_data(tmp_path_factory.mktemp("linked"))
    shutil.copytree(LINKS, data / "links", dirs_exist_ok=True)
    return build(data, tmp_path_factory.mktemp("home")).release


@pytest.fixture(scope="module")
def dataset(linked) -> Dataset:
    return Dataset().parse(linked / "dumps" / "footprints.nq", format="nquads")


def records():
    return convert_tables(ROOT / "data")


# ---------------------------------------------------------------- good files


@pytest.mark.parametrize("name,count", [("partner-archive.sssom.tsv", 3), ("partner-registry.csv", 2)])
def test_the_example_link_sets_are_read_without_problems(name, count):
    link_set = read_link_set(LINKS / name)
    assert link_set.problems == [] and len(link_set.mappings) == count


def test_each_link_set_is_a_named_graph_of_its_own(dataset):
    archive = dataset.graph(URIRef(ARCHIVE))
    assert (URIRef(ID + "person/kim-jung-wook"), SKOS.exactMatch, URIRef("https://archive.example.org/victims/1001")) in archive
    assert (URIRef(ID + "person/choi-chun-gil"), SKOS.closeMatch, URIRef("https://archive.example.org/victims/1003")) in archive
    registry = dataset.graph(URIRef(REGISTRY))
    assert (URIRef(ID + "person/kim-won-ho"), OWL.sameAs, URIRef("https://archive.example.org/victims/2001")) in registry
    people = dataset.graph(URIRef(ID + "graph/people"))
    assert not list(people.triples((None, SKOS.exactMatch, None)))  # the records themselves are untouched


def test_each_mapping_carries_its_provenance(dataset):
    graph = dataset.graph(URIRef(ARCHIVE))
    (node,) = graph.subjects(OWL.annotatedTarget, URIRef("https://archive.example.org/victims/1001"))
    assert (node, RDF.type, OWL.Axiom) in graph
    assert graph.value(node, OWL.annotatedSource) == URIRef(ID + "person/kim-jung-wook")
    assert graph.value(node, OWL.annotatedProperty) == SKOS.exactMatch
    assert graph.value(node, SSSOM.mapping_justification) == SEMAPV.ManualMappingCuration
    assert graph.value(node, PAV.authoredBy) == URIRef("https://orcid.org/0000-0000-0000-0001")
    assert graph.value(node, DCTERMS.created) == Literal("2026-01-10", datatype=XSD.date)
    assert float(graph.value(node, SSSOM.confidence)) == 0.95
    assert (URIRef(ARCHIVE), SSSOM.mappings, node) in graph


def test_set_wide_values_fill_in_what_a_row_lacks(dataset):
    graph = dataset.graph(URIRef(ARCHIVE))
    (node,) = graph.subjects(OWL.annotatedTarget, URIRef("https://archive.example.org/victims/1002"))
    assert graph.value(node, PAV.authoredBy) == URIRef("https://orcid.org/0000-0000-0000-0000")  # creator_id
    assert graph.value(node, DCTERMS.created) == Literal("2026-01-15", datatype=XSD.date)  # mapping_date


def test_a_csv_author_is_an_iri_or_a_name(dataset):
    graph = dataset.graph(URIRef(REGISTRY))
    (by_name,) = graph.subjects(OWL.annotatedTarget, URIRef("https://archive.example.org/victims/2001"))
    (by_iri,) = graph.subjects(OWL.annotatedTarget, URIRef("https://archive.example.org/organisations/kwafu"))
    assert graph.value(by_name, SSSOM.author_label) == Literal("Example Partner Archive")
    assert graph.value(by_iri, PAV.authoredBy) == URIRef("https://orcid.org/0000-0000-0000-0002")
    assert graph.value(by_name, SSSOM.mapping_justification) == SEMAPV.UnspecifiedMatching


def test_the_link_set_describes_itself(dataset):
    graph, linkset = dataset.graph(URIRef(ARCHIVE)), URIRef(ARCHIVE)
    assert {FP.LinkSet, VOID.Linkset, SSSOM.MappingSet} <= set(graph.objects(linkset, RDF.type))
    assert set(graph.objects(linkset, VOID.linkPredicate)) == {SKOS.exactMatch, SKOS.closeMatch}
    assert graph.value(linkset, VOID.triples).toPython() == 3
    assert graph.value(linkset, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")) == \
        URIRef("https://archive.example.org/mappings/footprints-graph.sssom.tsv")
    assert graph.value(linkset, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert graph.value(linkset, FP.linkSetFile) == Literal("partner-archive.sssom.tsv")


def test_link_sets_are_counted_as_void_linksets(linked):
    assert linkset_counts(open_store(linked / "store")) == {
        ARCHIVE: {str(SKOS.closeMatch): 1, str(SKOS.exactMatch): 2},
        REGISTRY: {str(OWL.sameAs): 1, str(SKOS.exactMatch): 1},
    }


def test_the_build_counts_one_record_per_link_set(linked):
    import json
    summary = json.loads((linked / "summary.json").read_text())
    assert summary["graphs"][ARCHIVE]["records"] == 1 and summary["graphs"][REGISTRY]["records"] == 1


def test_every_term_a_link_set_uses_is_declared(dataset):
    ontology = resources.ontology_graph()
    declared = set(ontology.subjects(RDF.type, None))
    used = set()
    for name in (ARCHIVE, REGISTRY):
        graph = dataset.graph(URIRef(name))
        used |= set(graph.predicates()) | set(graph.objects(None, RDF.type))
    builtin = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
               "http://www.w3.org/2002/07/owl#")
    assert not sorted(str(t) for t in used if not str(t).startswith(builtin) and t not in declared)


def test_the_link_set_terms_are_declared_in_linking_ttl():
    graph = Graph().parse(data=resources.resource("ontology", "linking.ttl").read_text(encoding="utf-8"), format="turtle")
    assert {FP.LinkSet, FP.linkSetFile} <= set(graph.subjects(RDF.type, None))


def test_mapping_iris_do_not_depend_on_row_order(tmp_path, data):
    rows = GOOD_SSSOM_ROW + GOOD_SSSOM_ROW.replace("kim-won-ho", "ham-jin-woo").replace("/9", "/10")
    reordered = GOOD_SSSOM_ROW.replace("kim-won-ho", "ham-jin-woo").replace("/9", "/10") + GOOD_SSSOM_ROW
    first, second = tmp_path / "a" / "x.sssom.tsv", tmp_path / "b" / "x.sssom.tsv"
    for path, body in ((first, rows), (second, reordered)):
        path.parent.mkdir()
        path.write_text(SSSOM_HEADER + body)
    one, two = (read_link_sets(p.parent, records()) for p in (first, second))
    assert sorted(map(str, one[0].triples)) == sorted(map(str, two[0].triples))


# ---------------------------------------------------------------- bad files


BAD = [
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW.replace("kim-won-ho", "kim-nobody"), 6,
     "subject 'https://w3id.org/footprints-graph/id/person/kim-nobody' is not one of our records"),
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW.replace("fpid:person/kim-won-ho", "https://example.org/x"), 6,
     "our IRIs start with https://w3id.org/footprints-graph/id/"),
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW.replace("skos:exactMatch", "skos:broadMatch"), 6,
     "predicate 'skos:broadMatch' is not one of owl:sameAs, skos:exactMatch, skos:closeMatch"),
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW.replace("https://archive.example.org/victims/9", "victim 9"), 6,
     "object 'victim 9' is not an absolute IRI"),
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW.replace("https://archive.example.org/victims/9", "fpid:person/ham-jin-woo"),
     6, "is one of our own IRIs"),
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW.replace("\t0.8\t", "\t1.5\t"), 6,
     "confidence '1.5' is not a number from 0 to 1"),
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW.replace("\t0.8\t", "\thigh\t"), 6, "confidence 'high' is not a number"),
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW.replace("2026-03-01", "2026-02-30"), 6,
     "mapping date '2026-02-30' is not a real day"),
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW.replace("2026-03-01", "1 March 2026"), 6,
     "is not a real day (write YYYY-MM-DD)"),
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW.replace("An Archivist", ""), 6, "no author"),
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW.replace("semapv:ManualMappingCuration", "semapv:Guessing"), 6,
     "is not a semapv justification"),
    ("bad.sssom.tsv", SSSOM_HEADER + GOOD_SSSOM_ROW + GOOD_SSSOM_ROW, 7, "the same mapping as line 6"),
    ("bad.sssom.tsv", SSSOM_HEADER.replace("# license: https://creativecommons.org/licenses/by/4.0/\n", "") + GOOD_SSSOM_ROW,
     1, "the metadata header needs license"),
    ("bad.sssom.tsv", SSSOM_HEADER.replace("\tmapping_justification", "\tjustification") + GOOD_SSSOM_ROW, 5,
     "missing column(s) mapping_justification"),
    ("bad.sssom.tsv", "# curie_map: [unclosed\n" + SSSOM_HEADER.split("\n", 4)[4] + GOOD_SSSOM_ROW, 1, "is not YAML"),
    ("bad.csv", CSV_HEADER + f"{ID}person/kim-won-ho,owl:sameAs,https://archive.example.org/9,,2026-03-01,\n", 2, "no author"),
    ("bad.csv", CSV_HEADER + f"{ID}person/kim-won-ho,owl:sameAs,https://archive.example.org/9,Someone,,\n", 2, "no mapping date"),
    ("bad.csv", CSV_HEADER + f"{ID}person/kim-won-ho,rdfs:seeAlso,https://archive.example.org/9,Someone,2026-03-01,\n", 2,
     "predicate 'rdfs:seeAlso' is not one of"),
    ("bad.csv", "subject,object,author,date\n", 1, "missing column(s) predicate"),
]


@pytest.mark.parametrize("name,content,line,message", BAD)
def test_a_bad_row_is_reported_with_file_and_line(tmp_path, name, content, line, message):
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(LinkSetError) as error:
        read_link_sets(tmp_path, records())
    assert any(p.startswith(f"{tmp_path / name}:{line}: ") and message in p for p in error.value.problems), error.value.problems


def test_every_problem_is_reported_at_once(tmp_path):
    bad_rows = GOOD_SSSOM_ROW.replace("\t0.8\t", "\t2\t") + GOOD_SSSOM_ROW.replace("kim-won-ho", "nobody")
    (tmp_path / "two.sssom.tsv").write_text(SSSOM_HEADER + bad_rows)
    with pytest.raises(LinkSetError) as error:
        read_link_sets(tmp_path, records())
    assert [p.split(": ")[0].rsplit(":", 1)[1] for p in error.value.problems] == ["6", "7"]


def test_a_restricted_record_cannot_be_linked(tmp_path):
    restricted = [r for r in records() if r.subject == URIRef(ID + "person/kim-won-ho")]
    for record in restricted:
        record.restricted = True
    (tmp_path / "x.sssom.tsv").write_text(SSSOM_HEADER + GOOD_SSSOM_ROW)
    with pytest.raises(LinkSetError, match="no public record has this IRI"):
        read_link_sets(tmp_path, restricted)


def test_a_build_with_a_bad_link_set_writes_nothing(tmp_path, data):
    home = tmp_path / "home"
    before = build(data, home).release
    (data / "links" / "bad.sssom.tsv").write_text(SSSOM_HEADER + GOOD_SSSOM_ROW.replace("\t0.8\t", "\t9\t"))
    with pytest.raises(LinkSetError):
        build(data, home)
    assert current_release(home) == before
    assert [p.name for p in (home / "releases").iterdir()] == [before.name]


# ---------------------------------------------------------------- the link command


def test_link_command_adds_the_file_and_rebuilds(tmp_path, data, capsys):
    home = tmp_path / "home"
    assert main(["link", str(LINKS / "partner-registry.csv"), "--data", str(data), "--home", str(home), "--new-home"]) == 0
    assert (data / "links" / "partner-registry.csv").read_bytes() == (LINKS / "partner-registry.csv").read_bytes()
    assert REGISTRY in linkset_counts(open_store(current_release(home) / "store"))
    assert '"mappings": 2' in capsys.readouterr().out


def test_link_command_refuses_a_bad_file_and_copies_nothing(tmp_path, data, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV_HEADER + f"{ID}person/nobody,owl:sameAs,https://archive.example.org/9,Someone,2026-03-01,\n")
    assert main(["link", str(bad), "--data", str(data), "--home", str(tmp_path / "home"), "--new-home"]) == 2
    assert f"{bad}:2: subject" in capsys.readouterr().err
    assert not list((data / "links").glob("bad*")) and not (tmp_path / "home").exists()


def test_link_command_keeps_an_existing_link_set_unless_told(tmp_path, data, capsys):
    other = tmp_path / "partner-registry.csv"
    other.write_text(CSV_HEADER + f"{ID}person/ham-jin-woo,owl:sameAs,https://archive.example.org/7,Someone,2026-03-01,\n")
    shutil.copy(LINKS / "partner-registry.csv", data / "links")
    args = ["link", str(other), "--data", str(data), "--home", str(tmp_path / "home"), "--new-home"]
    assert main(args) == 2 and "--replace" in capsys.readouterr().err
    assert main([*args, "--replace"]) == 0
    assert (data / "links" / "partner-registry.csv").read_text() == other.read_text()


def test_a_mapping_node_is_under_its_link_set():
    link_set = read_link_set(LINKS / "partner-archive.sssom.tsv")
    node = mapping_node(link_set.graph(ID), link_set.mappings[0])
    assert str(node).startswith(ARCHIVE + "#mapping-")


def test_the_served_void_describes_each_partner_link_set(linked):
    from footprints_graph.web import EndpointConfig, create_app

    home = linked.parent.parent
    response = create_app(EndpointConfig(home=home)).test_client().get(
        "/.well-known/void", headers={"Accept": "text/turtle"})
    void = Graph().parse(data=response.data, format="turtle")
    served = {(str(void.value(ls, DCTERMS.source)), str(void.value(ls, VOID.linkPredicate)),
               int(void.value(ls, VOID.triples)))
              for ls in void.subjects(VOID.linkPredicate, None) if void.value(ls, DCTERMS.source)}
    assert served == {(ARCHIVE, str(SKOS.closeMatch), 1), (ARCHIVE, str(SKOS.exactMatch), 2),
                      (REGISTRY, str(OWL.sameAs), 1), (REGISTRY, str(SKOS.exactMatch), 1)}
