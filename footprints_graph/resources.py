"""The one place that reads the data files shipped in the wheel: ontology, shapes and queries."""

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from rdflib import Graph

ONTOLOGY_FILES = ("footprints.ttl", "vocabularies.ttl", "uwazi.ttl", "linking.ttl", "external-terms.ttl", "alignments.ttl")
SHAPES_FILES = ("footprints-shapes.ttl",)


def resource(folder: str, name: str) -> Traversable:
    """A file under one of the packaged folders (ontology, shapes, queries)."""
    return files("footprints_graph").joinpath(folder, name)


def resource_names(folder: str, suffix: str) -> list[str]:
    """Sorted file names with `suffix` in a packaged folder."""
    return sorted(p.name for p in files("footprints_graph").joinpath(folder).iterdir() if p.name.endswith(suffix))


def _parse(folder: str, names: tuple[str, ...]) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(data=resource(folder, name).read_text(encoding="utf-8"), format="turtle")
    return graph


@cache
def ontology_graph() -> Graph:
    """The ontology, its SKOS vocabularies, the external terms it reuses and its alignments."""
    return _parse("ontology", ONTOLOGY_FILES)


@cache
def shapes_graph() -> Graph:
    """The SHACL shapes."""
    return _parse("shapes", SHAPES_FILES)


def query_text(name: str) -> str:
    """The text of a library query, by name without the `.rq` suffix."""
    return resource("queries", f"{name}.rq").read_text(encoding="utf-8")
