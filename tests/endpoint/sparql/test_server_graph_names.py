"""Issue 20: a SPARQL server keeps each graph of a release under a name of that release (iris.release_graph), and
`serve --store` rewrites the graphs a query names (backends.in_store_graphs) so that researchers see the public
names of the dumps. Here the server is an Oxigraph store holding the built release under the server's names, as
`load` writes it (the Oxigraph server runs the same engine; tests/endpoint/test_serve_remote.py asks the real
servers, the query library included): every query naming graphs answers as the embedded store does."""

import json

import pyoxigraph as ox
import pytest

from footprints_graph.endpoint.sparql.backends import _without_variables, in_store_graphs
from footprints_graph.endpoint.sparql.lexer import QueryText
from footprints_graph.iris import ONTOLOGY_GRAPH, RELEASE_GRAPH_SCHEME
from footprints_graph.store.loading import store_graphs
from footprints_graph.store.remote import read_solutions

PEOPLE = "https://w3id.org/footprints-graph/id/graph/people"
GRAPH_QUERIES = {
    "graph names and counts": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "a graph joined with what it holds about itself":
        "SELECT * WHERE { GRAPH ?g { ?g a <http://www.w3.org/2002/07/owl#Ontology> } }",
    "a graph compared with a constant":
        f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s a ?c }} FILTER(?g = <{PEOPLE}>) }} ORDER BY ?s LIMIT 5",
    "graphs given by VALUES": f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ <{PEOPLE}> <{ONTOLOGY_GRAPH}> }} "
                              "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "a graph by a prefixed name": "PREFIX graph: <https://w3id.org/footprints-graph/id/graph/> "
                                  "SELECT (COUNT(*) AS ?n) WHERE { GRAPH graph:people { ?s ?p ?o } }",
    "a graph in an OPTIONAL, after a join":
        "SELECT ?s ?g WHERE { ?s a ?c OPTIONAL { GRAPH ?g { ?s ?p ?o } } } ORDER BY ?s LIMIT 20",
    "FROM": f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}",
    "FROM NAMED": f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{PEOPLE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
    "a $variable graph in CONSTRUCT": f"CONSTRUCT {{ ?s a ?c }} WHERE {{ GRAPH $g {{ ?s a ?c }} FILTER(?g = <{PEOPLE}>) }}",
    "ASK": f"ASK {{ GRAPH ?g {{ ?g a ?c }} FILTER(?g = <{ONTOLOGY_GRAPH}>) }}",
}


@pytest.fixture(scope="module")
def in_store(built_release) -> dict[str, str]:
    return store_graphs(json.loads((built_release / "summary.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def server(store, in_store) -> ox.Store:
    """The built release under the server's graph names, as `load` writes it."""
    renamed = ox.Store()
    renamed.extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(in_store[q.graph_name.value]))
                   for q in store)
    return renamed


def _answer(results) -> list[str] | set[str]:
    if isinstance(results, ox.QueryBoolean):
        return [str(bool(results))]
    if isinstance(results, ox.QueryTriples):
        return {str(triple) for triple in results}
    return sorted(str({v.value: row[v] for v in results.variables if row[v] is not None}) for row in results)


def _on_server(server: ox.Store, in_store: dict[str, str], query: str):
    """What `serve --store` gets back: the rewritten query over the release's graphs (unless it has FROM), its
    hidden variables taken out of SPARQL JSON results."""
    text, hidden = in_store_graphs(QueryText(query), in_store)
    graphs = None if "FROM" in QueryText(query).keywords else [ox.NamedNode(g) for g in in_store.values()]
    results = server.query(text, default_graph=graphs, named_graphs=graphs)
    if not isinstance(results, ox.QuerySolutions):
        return results
    return read_solutions(_without_variables(results.serialize(format=ox.QueryResultsFormat.JSON), hidden))


@pytest.mark.parametrize("name", GRAPH_QUERIES)
def test_a_query_answers_on_the_servers_names_as_on_the_embedded_store(store, server, in_store, name):
    embedded = store.query(GRAPH_QUERIES[name], use_default_graph_as_union="FROM" not in QueryText(GRAPH_QUERIES[name]).keywords)
    assert _answer(_on_server(server, in_store, GRAPH_QUERIES[name])) == _answer(embedded)


def test_the_server_names_are_never_in_an_answer(server, in_store):
    body = _on_server(server, in_store, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }").serialize(
        format=ox.QueryResultsFormat.JSON)
    assert RELEASE_GRAPH_SCHEME.encode() not in body and b"fp_store_graph" not in body


def test_a_graph_the_release_lacks_is_left_alone(in_store):
    text, hidden = in_store_graphs(QueryText("SELECT * FROM NAMED <urn:x:other> WHERE { GRAPH <urn:x:other> {} }"),
                                   in_store)
    assert text.count("<urn:x:other>") == 2 and hidden == []


def test_results_without_the_hidden_variables_are_left_as_they_came():
    body = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": []}}).encode()
    assert _without_variables(body, ["fp_store_graph_of_g"]) is body
