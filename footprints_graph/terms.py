"""The one place that turns rdflib terms into pyoxigraph terms and back: rdflib builds and validates graphs,
pyoxigraph stores, queries and serialises them."""

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """A pyoxigraph term as the equal rdflib term. pyoxigraph gives every plain literal the datatype
    xsd:string; rdflib keeps it without one, as its parsers do, so the two sides compare equal."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == str(XSD.string) else Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"not an RDF term: {term!r}")


def to_triple(s: Node, p: Node, o: Node) -> ox.Triple:
    return ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))


def rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    """An rdflib graph holding pyoxigraph triples."""
    graph = Graph()
    for triple in triples:
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return graph


def to_quad(s: Node, p: Node, o: Node, graph: URIRef) -> ox.Quad:
    return ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(graph)))


def to_quads(triples: Iterable[tuple[Node, Node, Node, URIRef]]) -> Iterator[ox.Quad]:
    """pyoxigraph quads from rdflib (subject, predicate, object, graph) tuples. IRIs and blank nodes recur
    across records (every predicate, class and graph name), so each is converted once; literals are mostly
    unique and are converted as they come (this halves the conversion of a build at 100k victims)."""
    converted: dict[Node, ox.NamedNode | ox.BlankNode] = {}

    def term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(node, Literal):
            return to_oxigraph(node)
        if node not in converted:
            converted[node] = to_oxigraph(node)
        return converted[node]

    return (ox.Quad(term(s), term(p), term(o), term(g)) for s, p, o, g in triples)
