"""The vocabularies as a thesaurus tool reads them (issue 18): every concept scheme names its top concepts
(skos:hasTopConcept, the inverse of each concept's skos:topConceptOf), and concepts of different schemes that
share a label are mapped to each other, so a reader sees whether they are the same thing or only related."""

from collections import defaultdict
from itertools import combinations

import pytest
from rdflib import RDF, SKOS, Graph, URIRef

from footprints_graph import resources

MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch, SKOS.broadMatch, SKOS.narrowMatch)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return resources.ontology_graph()


def top_concept_mismatches(graph: Graph) -> dict[str, tuple[set, set]]:
    """Scheme → (its hasTopConcept, the concepts that are topConceptOf it), where they differ."""
    found = {}
    for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme):
        stated, inverse = set(graph.objects(scheme, SKOS.hasTopConcept)), set(graph.subjects(SKOS.topConceptOf, scheme))
        if stated != inverse or not stated:
            found[str(scheme)] = (stated, inverse)
    return found


def unmapped_shared_labels(graph: Graph) -> set[tuple[str, str, str]]:
    """(label, concept, concept) for concepts of different schemes with the same preferred label and no
    mapping between them."""
    by_label: dict[tuple[str, str | None], set[URIRef]] = defaultdict(set)
    for concept, label in graph.subject_objects(SKOS.prefLabel):
        if (concept, SKOS.inScheme, None) in graph:
            by_label[(str(label), label.language)].add(concept)
    unmapped = set()
    for (label, _), concepts in by_label.items():
        for a, b in combinations(sorted(concepts), 2):
            if set(graph.objects(a, SKOS.inScheme)) == set(graph.objects(b, SKOS.inScheme)):
                continue
            if not any((a, m, b) in graph or (b, m, a) in graph for m in MAPPINGS):
                unmapped.add((label, str(a), str(b)))
    return unmapped


def test_every_scheme_states_its_top_concepts(ontology):
    assert len(set(ontology.subjects(RDF.type, SKOS.ConceptScheme))) >= 10
    assert top_concept_mismatches(ontology) == {}


def test_concepts_of_different_schemes_sharing_a_label_are_mapped(ontology):
    assert unmapped_shared_labels(ontology) == set()


def test_the_checks_fire_on_a_scheme_without_top_concepts_and_an_unmapped_label():
    graph = Graph().parse(format="turtle", data="""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix ex: <https://example.org/> .
        ex:a a skos:ConceptScheme . ex:b a skos:ConceptScheme .
        ex:x skos:inScheme ex:a ; skos:topConceptOf ex:a ; skos:prefLabel "dead"@en .
        ex:y skos:inScheme ex:b ; skos:topConceptOf ex:b ; skos:prefLabel "dead"@en .
        ex:b skos:hasTopConcept ex:y .""")
    assert set(top_concept_mismatches(graph)) == {"https://example.org/a"}
    assert unmapped_shared_labels(graph) == {("dead", "https://example.org/x", "https://example.org/y")}
