"""The dumps a build writes beside its N-Quads dump (store/embedded.py's write_dumps, which reads that dump back
without checking its text again) hold what it holds, read by another parser than the one that wrote them (rdflib):
TriG and JSON-LD the same named graphs, Turtle and N-Triples their triples merged into one graph."""

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic


def named_graphs(path, rdf_format: str) -> dict[str, Graph]:
    dataset = Dataset()
    dataset.parse(path, format=rdf_format)
    graphs = {}
    for s, p, o, g in dataset.quads():
        graphs.setdefault(str(g), Graph()).add((s, p, o))
    return graphs


def merged(graphs: dict[str, Graph]) -> Graph:
    union = Graph()
    for graph in graphs.values():
        union += graph
    return union


@pytest.fixture(scope="module")
def nquads(synthetic_release) -> dict[str, Graph]:
    return named_graphs(synthetic_release / "dumps" / "footprints.nq", "nquads")


@pytest.mark.parametrize("name, rdf_format", [("footprints.trig", "trig"), ("footprints.jsonld", "json-ld")])
def test_a_dump_with_named_graphs_holds_the_n_quads_dumps_graphs(synthetic_release, nquads, name, rdf_format):
    graphs = named_graphs(synthetic_release / "dumps" / name, rdf_format)
    assert sorted(graphs) == sorted(nquads) and len(graphs) > 5
    for graph, triples in nquads.items():
        assert isomorphic(graphs[graph], triples), graph


@pytest.mark.parametrize("name, rdf_format", [("footprints.ttl", "turtle"), ("footprints.nt", "nt")])
def test_a_dump_of_one_graph_holds_the_n_quads_dumps_triples_merged(synthetic_release, nquads, name, rdf_format):
    graph = Graph().parse(synthetic_release / "dumps" / name, format=rdf_format)
    expected = merged(nquads)
    assert len(graph) == len(expected) > 1000
    assert isomorphic(graph, expected)
