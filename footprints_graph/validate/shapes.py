"""What both engines read besides the data: which shapes report, and the ontology's facts the shapes need."""

from functools import cache

from rdflib import RDF, RDFS, SKOS, Graph, Namespace, URIRef
from rdflib.namespace import SH

from footprints_graph.resources import ontology_graph, shapes_graph

FPS = Namespace("https://w3id.org/footprints-graph/shapes#")
PRIVACY_SHAPES = (FPS.PrivacyShape,)


@cache
def ontology_facts() -> Graph:
    """What the shapes read from the ontology: class hierarchy, types, vocabulary schemes."""
    facts = Graph()
    for predicate in (RDF.type, RDFS.subClassOf, SKOS.inScheme):
        facts += ontology_graph().triples((None, predicate, None))
    return facts


@cache
def named_shapes() -> tuple[URIRef, ...]:
    """Every shape with an IRI. pySHACL's `use_shapes` drops a shape another one refers to by IRI unless it
    is listed too, so a selection lists them all."""
    kinds = (SH.NodeShape, SH.PropertyShape)
    return tuple(sorted({s for k in kinds for s in shapes_graph().subjects(RDF.type, k) if isinstance(s, URIRef)}))


def reporting_shapes(public: bool) -> tuple[URIRef, ...]:
    """The shapes to run: all of them on the public graph, all but the privacy rule otherwise."""
    return tuple(s for s in named_shapes() if public or s not in PRIVACY_SHAPES)
