"""Documentation pages generated from RDF: the ontology (from its named graph in the store: classes,
properties and concept schemes with English and Korean labels and definitions) and the SHACL shapes.

Our own Jinja template rather than pyLODE: the pages share the site's navigation and links (every term
links to its local page), show Korean labels beside English ones, and need no extra dependency."""

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from footprints_graph import resources
from footprints_graph.endpoint.linked_data.presentation import SITE, Presenter, compact
from footprints_graph.endpoint.linked_data.routes import Representation, ontology_triples, respond
from footprints_graph.endpoint.site import current_site
from footprints_graph.iris import ONTOLOGY, VOCAB
from footprints_graph.terms import rdflib_graph, to_triple

SH = "http://www.w3.org/ns/shacl#"
SHAPES = SITE + "shapes#"
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
RELATIONS = (("subclass of", RDFS.subClassOf), ("sub-property of", RDFS.subPropertyOf), ("domain", RDFS.domain),
             ("range", RDFS.range), ("in scheme", SKOS.inScheme), ("same as", OWL.equivalentClass))

blueprint = Blueprint("documentation", __name__)


@dataclass
class TermDoc:
    iri: str
    anchor: str
    english: str | None
    korean: str | None
    definition: str | None
    notation: str | None
    kinds: list[str] = field(default_factory=list)
    relations: list[tuple[str, list]] = field(default_factory=list)


def _text(graph: Graph, subject: Node, predicate: URIRef, language: str | None = "en") -> str | None:
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    chosen = [o for o in values if o.language == language] or ([] if language == "ko" else values)
    return str(chosen[0]) if chosen else None


def anchor(iri: str) -> str:
    """The id of a term on its documentation page: the fragment of our hash IRIs (…ontology#Victim,
    …shapes#PersonShape), else its compact name."""
    if iri.startswith((ONTOLOGY, SHAPES)):
        return iri.rsplit("#", 1)[1]
    return compact(iri).replace(":", "-").replace("/", "-")


def term_doc(graph: Graph, term: URIRef, presenter: Presenter) -> TermDoc:
    kinds = sorted(compact(str(t)) for t in graph.objects(term, RDF.type))
    relations = [(label, [presenter.iri(str(o)) for o in graph.objects(term, p) if isinstance(o, URIRef)])
                 for label, p in RELATIONS]
    return TermDoc(str(term), anchor(str(term)), _text(graph, term, RDFS.label), _text(graph, term, RDFS.label, "ko"),
                   _text(graph, term, SKOS.definition), _text(graph, term, SKOS.notation, None), kinds,
                   [(label, values) for label, values in relations if values])


def _ours(term: URIRef) -> bool:
    return str(term).startswith((ONTOLOGY, VOCAB))


def _typed(graph: Graph, types: tuple, ours: bool = True) -> list[URIRef]:
    found = {s for t in types for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef) and _ours(s) == ours}
    return sorted(found, key=lambda s: str(s).lower())


def ontology_model(graph: Graph, presenter: Presenter) -> dict:
    def docs(terms):
        return [term_doc(graph, t, presenter) for t in terms]

    schemes = _typed(graph, (SKOS.ConceptScheme,))
    return {
        "ontologies": [_ontology(graph, o) for o in sorted(graph.subjects(RDF.type, OWL.Ontology), key=str)],
        "classes": docs(_typed(graph, (OWL.Class, RDFS.Class))),
        "object_properties": docs(_typed(graph, (OWL.ObjectProperty,))),
        "datatype_properties": docs(_typed(graph, (OWL.DatatypeProperty,))),
        "schemes": [(term_doc(graph, s, presenter), docs(sorted(graph.subjects(SKOS.inScheme, s), key=str)))
                    for s in schemes],
        "external": docs(_typed(graph, (OWL.Class, RDFS.Class, *PROPERTY_TYPES), ours=False)),
    }


def _ontology(graph: Graph, ontology: Node) -> dict:
    return {"iri": str(ontology), "title": _text(graph, ontology, DCTERMS.title),
            "title_ko": _text(graph, ontology, DCTERMS.title, "ko"),
            "description": _text(graph, ontology, DCTERMS.description),
            "version": _text(graph, ontology, OWL.versionInfo, None),
            "version_iri": str(graph.value(ontology, OWL.versionIRI) or ""),
            "license": str(graph.value(ontology, DCTERMS.license) or "")}


# ----------------------------------------------------------------------------- shapes


def shapes_model(graph: Graph) -> list[dict]:
    shapes = {s for t in (URIRef(SH + "NodeShape"), URIRef(SH + "PropertyShape"))
              for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}
    return [{"iri": str(s), "name": anchor(str(s)), "anchor": anchor(str(s)), "rows": _shape_rows(graph, s),
             "properties": [_shape_rows(graph, p) for p in graph.objects(s, URIRef(SH + "property"))]}
            for s in sorted(shapes, key=str)]


def _shape_rows(graph: Graph, node: Node) -> list[tuple[str, str]]:
    return sorted((compact(str(p)), _shape_value(graph, o)) for p, o in graph.predicate_objects(node)
                  if p != URIRef(SH + "property"))


def _shape_value(graph: Graph, value: Node) -> str:
    if isinstance(value, URIRef):
        return compact(str(value))
    if isinstance(value, Literal):
        return str(value)
    items = list(graph.items(value)) if graph.value(value, RDF.first) is not None else []
    if items:
        return "( " + " ".join(_shape_value(graph, i) for i in items) + " )"
    return "[ " + "; ".join(f"{compact(str(p))} {_shape_value(graph, o)}" for p, o in graph.predicate_objects(value)) + " ]"


# ----------------------------------------------------------------------------- routes



@blueprint.route("/ontology", defaults={"extension": None})
@blueprint.route("/ontology.<extension>")
def ontology(extension: str | None) -> Response:
    release = current_site().release()
    triples = release.memo("ontology-triples", lambda: ontology_triples(release.store))
    return respond(Representation(SITE + "ontology", "/ontology", lambda: triples,
                                  lambda: _ontology_page(release, triples)), extension)


def _ontology_page(release, triples: list[ox.Triple]) -> str:
    def model():
        graph = rdflib_graph(triples)
        iris = {str(o) for o in graph.objects() if isinstance(o, URIRef)}
        return ontology_model(graph, Presenter(release.store, current_site().space, iris))

    return render_template("ontology.html", model=release.memo("ontology-model", model))


@blueprint.route("/shapes", defaults={"extension": None})
@blueprint.route("/shapes.<extension>")
def shapes(extension: str | None) -> Response:
    try:
        graph = resources.shapes_graph()
    except (OSError, ValueError) as error:
        abort(404, description=f"The SHACL shapes are not available in this installation: {error}")
    triples = [to_triple(*triple) for triple in graph]
    return respond(Representation(SITE + "shapes", "/shapes", lambda: sorted(triples, key=str),
                                  lambda: render_template("shapes.html", shapes=shapes_model(graph))), extension)
