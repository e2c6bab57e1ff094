"""terms.py, the one converter between rdflib and pyoxigraph terms: every kind of term survives the
round trip both ways, and a plain literal stays plain (pyoxigraph calls it xsd:string, rdflib does not)."""

import pyoxigraph as ox
import pytest
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from footprints_graph.terms import nquads_lines, rdflib_graph, to_oxigraph, to_rdflib, to_triple

TERMS = [URIRef("https://w3id.org/footprints-graph/id/person/kim"), BNode("b0"), Literal("plain"),
         Literal("김", lang="ko"), Literal("1969-12-11", datatype=XSD.date), Literal(3)]


@pytest.mark.parametrize("term", TERMS, ids=repr)
def test_a_term_survives_the_round_trip(term):
    assert to_rdflib(to_oxigraph(term)) == term


def test_a_plain_literal_is_xsd_string_in_oxigraph_and_plain_in_rdflib():
    assert to_oxigraph(Literal("plain")).datatype == ox.NamedNode(str(XSD.string))
    assert to_rdflib(ox.Literal("plain")).datatype is None


def test_rdflib_graph_holds_the_triples_given():
    triples = [(URIRef("urn:s"), URIRef("urn:p"), term) for term in TERMS if not isinstance(term, BNode)]
    graph = rdflib_graph(to_triple(*t) for t in triples)
    expected = Graph()
    for triple in triples:
        expected.add(triple)
    assert isomorphic(graph, expected) and len(graph) == len(triples)


@pytest.mark.parametrize("not_a_term", ["a string", 3, None])
def test_something_else_is_refused(not_a_term):
    with pytest.raises(TypeError, match="not an RDF term"):
        to_rdflib(not_a_term)
    with pytest.raises(TypeError, match="not an RDF term"):
        to_oxigraph(not_a_term)


SPELT = [*TERMS, Literal('a "quote", a \\ backslash,\na new line, a tab\t, \x01 and \x7f'),
         Literal("Kim", lang="EN-gb"), Literal(True), Literal("1.50", datatype=XSD.decimal), BNode("b1")]


def test_nquads_lines_are_the_lines_pyoxigraph_writes():
    """The build writes its N-Quads dump from these lines: each term spelt as Oxigraph's own serialiser spells it
    (escapes, a language tag in lower case, no xsd:string), once per quad, whichever terms repeat."""
    graph = URIRef("https://w3id.org/footprints-graph/id/graph/people")
    quads = [(TERMS[1] if isinstance(o, BNode) else TERMS[0], URIRef("urn:p"), o, graph) for o in SPELT * 2]
    expected = ox.serialize([ox.Quad(*map(to_oxigraph, quad)) for quad in quads], format=ox.RdfFormat.N_QUADS)
    assert b"".join(nquads_lines(quads)) == expected


def test_nquads_lines_refuse_what_is_not_an_iri():
    with pytest.raises(ValueError):
        list(nquads_lines([(URIRef("urn:s"), URIRef("urn:p"), URIRef("not an iri"), URIRef("urn:g"))]))
