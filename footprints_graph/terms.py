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


def nquads_lines(quads: Iterable[tuple[Node, Node, Node, URIRef]]) -> Iterator[bytes]:
    """The N-Quads line of each rdflib (subject, predicate, object, graph), every term spelt as pyoxigraph spells
    it (`to_oxigraph`, which also refuses what is not a valid IRI, blank node label or language tag). Terms recur
    across records (every predicate, class and graph name, most dates, counts and flags), so each is converted and
    spelt once, and no quad object is made: at 10k victims 0.26 s of CPU where making pyoxigraph quads and
    serialising them took 1.02 s."""
    spelt: dict[Node, bytes] = {}

    def spelling(node: Node) -> bytes:  # a term met for the first time (a spelling is never empty)
        text = spelt[node] = str(to_oxigraph(node)).encode()
        return text

    return (b" ".join((spelt.get(s) or spelling(s), spelt.get(p) or spelling(p), spelt.get(o) or spelling(o),
                       spelt.get(g) or spelling(g), b".\n")) for s, p, o, g in quads)


def line_triple(line: bytes) -> bytes:
    """The triple of an N-Quads line of a named graph as N-Triples text, without its ` .`: the graph cut off (an
    IRI holds no space)."""
    return line.rsplit(b" ", 2)[0]


def line_graph(line: bytes) -> str:
    """The graph IRI of an N-Quads line of a named graph (an IRI has no spaces)."""
    return line.rsplit(b" ", 2)[1][1:-1].decode()
