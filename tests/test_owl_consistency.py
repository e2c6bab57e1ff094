"""The graph as an OWL reasoner sees it with the vocabularies we align to (issue 18): the published dump, our
ontology and alignments, and the axioms of PROV-O, FOAF, SKOS and the Data Cube that
ontology/external-terms.ttl states, closed under the OWL 2 RL rules (owlrl). The closure is consistent, gives
no victim, listing or event a type that would surprise a reader, gives no resource one schema.org class
in both of its namespaces, and every literal fits the range its property declares."""

from decimal import Decimal

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from footprints_graph import resources
from footprints_graph.vocab import FP
from support.dumps import dump_graph

pytestmark = pytest.mark.slow  # an OWL RL closure of the whole release (~4 s)

PROV = Namespace("http://www.w3.org/ns/prov#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
QB = Namespace("http://purl.org/linked-data/cube#")
SCHEMA_NAMESPACES = ("http://schema.org/", "https://schema.org/")

# Types no resource of a kind may be inferred to have: what a consumer would find absurd.
SURPRISING = {
    FP.Victim: {PROV.Entity, PROV.Activity, SKOS.Concept, FOAF.Document, FOAF.Organization, QB.Observation},
    FP.Listing: {PROV.Agent, PROV.Activity, FOAF.Person, FOAF.Agent},
    FP.Event: {PROV.Entity, PROV.Agent, FOAF.Agent},
}

# The value spaces of the integer datatypes our ontology and the vocabularies name as ranges.
INTEGER_BOUNDS = {XSD.integer: (None, None), XSD.nonNegativeInteger: (0, None), XSD.int: (-2**31, 2**31 - 1)}


def closure(graph: Graph) -> list[str]:
    """Close `graph` in place under OWL 2 RL; the inconsistencies found, as the reasoner words them."""
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    return sorted(str(message) for message in graph.objects(None, ERRNS.error))


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return resources.ontology_graph()


@pytest.fixture(scope="module")
def closed(built_release, ontology) -> tuple[Graph, list[str]]:
    graph = dump_graph(built_release) + ontology
    return graph, closure(graph)


def test_the_closure_with_prov_foaf_skos_and_qb_is_consistent(closed):
    graph, inconsistencies = closed
    assert len(set(graph.subjects(RDF.type, FP.Victim))) >= 10, "the dump holds the victims"
    assert inconsistencies == []


def test_the_reasoner_sees_the_vocabularies_axioms(ontology):
    """An act event given a PROV value, as fp:statement once was through its alignment, is inconsistent."""
    graph = Graph() + ontology
    event = URIRef("https://example.org/event")
    graph.add((event, RDF.type, FP.Event))
    graph.add((event, PROV.value, Literal("words")))
    assert any("prov#Activity" in m and "prov#Entity" in m for m in closure(graph))


@pytest.mark.parametrize("kind", SURPRISING, ids=lambda k: k.fragment)
def test_no_surprising_inferred_type(closed, kind):
    graph, _ = closed
    resources_of_kind = set(graph.subjects(RDF.type, kind))
    assert resources_of_kind, f"no {kind} in the dump"
    surprising = {(str(r), str(t)) for r in resources_of_kind for t in graph.objects(r, RDF.type) if t in SURPRISING[kind]}
    assert surprising == set()


def test_no_resource_has_a_schema_org_class_in_both_namespaces(closed):
    """FOAF maps foaf:Person and foaf:Document to http://schema.org/; our alignments must not add the same
    classes under https://schema.org/ (people were typed Person twice)."""
    graph, _ = closed
    twice = set()
    for s in set(graph.subjects(RDF.type, None)):
        names = [str(t) for t in graph.objects(s, RDF.type)]
        local = {ns: {n[len(ns):] for n in names if n.startswith(ns)} for ns in SCHEMA_NAMESPACES}
        twice |= {(str(s), name) for name in local[SCHEMA_NAMESPACES[0]] & local[SCHEMA_NAMESPACES[1]]}
    assert twice == set()


def fits(value: Literal, datatype: URIRef) -> bool:
    """Whether a literal is a value of `datatype`: an integer range takes any integer in its bounds."""
    if datatype == RDFS.Literal:
        return True
    if datatype in INTEGER_BOUNDS and isinstance(value.toPython(), (int, Decimal)) and value.datatype in INTEGER_BOUNDS:
        low, high = INTEGER_BOUNDS[datatype]
        return (low is None or value.toPython() >= low) and (high is None or value.toPython() <= high)
    return value.datatype == datatype


def test_every_literal_fits_its_propertys_declared_range(built_release, ontology):
    graph = dump_graph(built_release) + ontology
    ranges = {(p, r) for p, r in ontology.subject_objects(RDFS.range)
              if r == RDFS.Literal or str(r).startswith(str(XSD))}
    misfits = {(str(p), str(o), str(o.datatype)) for p, datatype in ranges for o in graph.objects(None, p)
               if isinstance(o, Literal) and not fits(o, datatype)}
    assert misfits == set()


def test_the_range_check_fails_a_count_written_as_text(ontology):
    assert not fits(Literal("3,835"), XSD.integer)
    assert not fits(Literal(-1), XSD.nonNegativeInteger)
    assert fits(Literal(3835), XSD.integer) and fits(Literal(1), XSD.int)
