"""The SOSA-style integrity check: every ontology and data file parses, each ontology file declares one
versioned owl:Ontology, and every term that the data, converter, shapes and queries use is declared once,
with an English and a Korean label and a definition."""

import tomllib

import pytest
from rdflib import OWL, PROV, QB, RDF, RDFS, SDO, SKOS, Dataset, Graph, Literal, URIRef, paths
from rdflib.namespace import DCTERMS, DefinedNamespace
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query

from footprints_graph import resources
from footprints_graph.vocab import FP
from support import ROOT

BUILTIN = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
           "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#", "http://www.w3.org/ns/shacl#")
OURS = "https://w3id.org/footprints-graph/"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return resources.ontology_graph()


@pytest.fixture(scope="module")
def built_quads_graph(built_release) -> Graph:
    """The union of every named graph a build of data/ writes."""
    dataset = Dataset()
    dataset.parse(built_release / "dumps" / "footprints.nq", format="nquads")
    graph = Graph()
    for quad in dataset.quads():
        graph.add(quad[:3])
    return graph


@pytest.mark.parametrize("name", resources.ONTOLOGY_FILES)
def test_each_ontology_file_parses_and_declares_one_versioned_ontology(name):
    graph = Graph().parse(data=resources.resource("ontology", name).read_text(encoding="utf-8"), format="turtle")
    ontologies = list(graph.subjects(RDF.type, OWL.Ontology))
    assert len(ontologies) == 1, f"{name} declares {len(ontologies)} owl:Ontology"
    assert graph.value(ontologies[0], OWL.versionIRI) is not None, f"{name} has no owl:versionIRI"
    assert graph.value(ontologies[0], OWL.versionInfo) is not None, f"{name} has no owl:versionInfo"


def test_every_ontology_file_in_the_folder_is_loaded():
    on_disk = {p.name for p in (ROOT / "ontology").glob("*.ttl")}
    assert on_disk == set(resources.ONTOLOGY_FILES)


def _declared(ontology: Graph) -> set[URIRef]:
    return {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}


def _problems_with(term: URIRef, ontology: Graph) -> list[str]:
    labels = {getattr(label, "language", None) for label in ontology.objects(term, RDFS.label)}
    problems = [f"no @{lang} label" for lang in ("en", "ko") if lang not in labels]
    if ontology.value(term, SKOS.definition) is None:
        problems.append("no skos:definition")
    if ontology.value(term, RDFS.isDefinedBy) is None:
        problems.append("no rdfs:isDefinedBy")
    return problems


def _terms_used(graph: Graph) -> set[URIRef]:
    """Predicates and classes a graph uses, outside the built-in RDF/RDFS/OWL/XSD/SHACL vocabularies."""
    used = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    return {t for t in used if isinstance(t, URIRef) and not str(t).startswith(BUILTIN)}


def test_every_declared_term_has_labels_in_english_and_korean_and_a_definition(ontology):
    ontologies = set(ontology.subjects(RDF.type, OWL.Ontology))
    terms = [t for t in _declared(ontology) - ontologies if not str(t).startswith(BUILTIN)]
    failures = {str(t): problems for t in terms if (problems := _problems_with(t, ontology))}
    assert not failures


def test_every_term_defined_here_has_its_definition_in_english_and_in_korean(ontology):
    """Issue 14, finding 8: our classes, properties and concepts, and the external terms re-declared in
    external-terms.ttl (SKOS, Dublin Core, schema.org, Data Cube, PROV-O, VoID, SSSOM, PAV), are defined in Korean
    beside English."""
    defined = [t for t in _declared(ontology) if ontology.value(t, SKOS.definition) is not None]
    assert not _without_definition_in_both_languages(defined, ontology)
    external = {SKOS.Concept, QB.Observation, PROV.Activity, DCTERMS.source, SDO.url}
    assert {FP.Abduction, FP.population, FP.Listing} | external <= set(defined)  # ours, and theirs


def test_a_term_defined_only_in_english_is_found():
    graph = Graph().parse(format="turtle", data="""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix ex: <https://example.org/> .
        ex:a a skos:Concept ; skos:definition "defined"@en , "정의됨"@ko .
        ex:b a skos:Concept ; skos:definition "defined in English only"@en .""")
    terms = [URIRef("https://example.org/a"), URIRef("https://example.org/b")]
    assert _without_definition_in_both_languages(terms, graph) == ["https://example.org/b"]
    assert _english_only(graph) == [("https://example.org/b", str(SKOS.definition))]


def test_every_english_text_of_the_ontology_has_a_korean_one(ontology):
    """Labels, definitions, titles and descriptions alike (issue 14: Korean throughout)."""
    assert not _english_only(ontology)


def _english_only(graph: Graph) -> list[tuple[str, str]]:
    """(subject, predicate) that have an @en literal and no @ko one."""
    languages: dict[tuple, set] = {}
    for subject, predicate, text in graph.triples((None, None, None)):
        if isinstance(text, Literal) and text.language:
            languages.setdefault((str(subject), str(predicate)), set()).add(text.language)
    return sorted(pair for pair, found in languages.items() if "en" in found and "ko" not in found)


def _without_definition_in_both_languages(terms: list[URIRef], ontology: Graph) -> list[str]:
    return sorted(str(t) for t in terms if {"en", "ko"} - {d.language for d in ontology.objects(t, SKOS.definition)})


def test_every_term_the_data_uses_is_declared(ontology, built_quads_graph):
    missing = sorted(str(t) for t in _terms_used(built_quads_graph) - _declared(ontology))
    assert not missing, f"used by the data but not declared in ontology/: {missing}"


def test_every_term_the_shapes_use_is_declared(ontology):
    shapes = resources.shapes_graph()
    shape_paths = set(shapes.objects(None, URIRef("http://www.w3.org/ns/shacl#path"))) | set(
        shapes.objects(None, URIRef("http://www.w3.org/ns/shacl#targetClass")))
    missing = sorted(str(t) for t in shape_paths if isinstance(t, URIRef) and not str(t).startswith(BUILTIN)
                     and t not in _declared(ontology))
    assert not missing, f"used by the shapes but not declared: {missing}"


def test_every_term_the_queries_use_is_declared(ontology):
    names = resources.resource_names("queries", ".rq")
    assert len(names) >= 15, f"the researcher query library has {len(names)} queries"
    iris = {i for n in names for i in _iris_in(translateQuery(parseQuery(resources.query_text(n.removesuffix(".rq")))))}
    ours = {i for i in iris if str(i).startswith("https://w3id.org/footprints-graph/ontology#")}
    missing = sorted(str(i) for i in ours - _declared(ontology))
    assert not missing, f"used by queries but not declared: {missing}"


def _iris_in(node) -> set[URIRef]:
    """Every IRI in a translated query: rdflib's parser has expanded the prefixed names, and left the prologue out."""
    if isinstance(node, URIRef):
        return {node}
    if isinstance(node, Query):
        return _iris_in(node.algebra)
    if isinstance(node, paths.Path):  # fp:a/fp:b, ^fp:a, fp:a*: the path's parts are its attributes
        return _iris_in(list(vars(node).values()))
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list | tuple | set) else ()
    return {iri for child in children for iri in _iris_in(child)}


def test_python_constants_and_the_ontology_agree(ontology):
    declared = {str(t).removeprefix(str(FP._NS)) for t in _declared(ontology) if str(t).startswith(str(FP._NS))}
    in_python = {name for name in FP.__annotations__}
    assert in_python <= declared, f"vocab.FP names terms the ontology lacks: {sorted(in_python - declared)}"
    assert issubclass(FP, DefinedNamespace)
    with pytest.raises(AttributeError):
        FP.NoSuchTerm  # noqa: B018 — the namespace is closed


def test_every_class_the_converter_emits_is_a_declared_class(ontology, built_quads_graph):
    classes = set(built_quads_graph.objects(None, RDF.type))
    ours = {c for c in classes if str(c).startswith(OURS)}
    not_classes = sorted(str(c) for c in ours if (c, RDF.type, OWL.Class) not in ontology)
    assert not not_classes


def _strings_in(value) -> list[str]:
    """Every string in a TOML document's values, at any depth."""
    if isinstance(value, str):
        return [value]
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [text for child in children for text in _strings_in(child)]


def test_every_term_the_uwazi_mappings_in_data_use_is_declared(ontology):
    namespaces = {"fp": "https://w3id.org/footprints-graph/ontology#", "fpv": "https://w3id.org/footprints-graph/vocab/",
                  "dct": "http://purl.org/dc/terms/", "schema": "https://schema.org/",
                  "skos": "http://www.w3.org/2004/02/skos/core#", "prov": "http://www.w3.org/ns/prov#"}
    curies = [text.partition(":") for path in (ROOT / "data" / "uwazi").glob("*.toml")
              for text in _strings_in(tomllib.loads(path.read_text(encoding="utf-8")))]
    used = {URIRef(namespaces[prefix] + local) for prefix, _, local in curies if prefix in namespaces and local}
    known = _declared(ontology) | set(ontology.subjects(RDF.type, SKOS.ConceptScheme))
    assert used, "no mapping found in data/uwazi"
    assert not sorted(str(t) for t in used - known)
