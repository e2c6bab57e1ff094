"""A release's published graph as a consumer loads it: every named graph of its N-Quads dump in one graph."""

from pathlib import Path

from rdflib import Dataset, Graph


def dump_graph(release: Path) -> Graph:
    dataset = Dataset()
    dataset.parse(release / "dumps" / "footprints.nq", format="nquads")
    graph = Graph()
    for quad in dataset.quads():
        graph.add(quad[:3])
    return graph
