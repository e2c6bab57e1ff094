"""The reference SHACL engine: pySHACL checks shapes/footprints-shapes.ttl against a graph that holds the
records and the ontology's facts (the class hierarchy and the vocabulary schemes the shapes read)."""

from collections.abc import Iterable
from functools import cache, lru_cache

import pyshacl
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from footprints_graph.convert import Triple
from footprints_graph.resources import shapes_graph
from footprints_graph.validate.report import Severity, ValidationResult
from footprints_graph.validate.shapes import ontology_facts
from footprints_graph.vocab import FP


class _QueryOnceGraph(Graph):
    """A graph that parses each SPARQL text once: pySHACL sends the same text for every focus node of a
    SPARQL-based shape, and parsing (~25 ms) costs far more than evaluating (<1 ms)."""

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=64)
def _prepared(text: str):
    return prepareQuery(text)


class _MemoisedGraph(Graph):
    """The shapes graph as pySHACL reads it: it looks up a shape's path and parameters again for every focus
    node, so lookups are memoised; pySHACL adds a few system triples when it starts, which clears the memo."""

    def __init__(self, source: Graph):
        super().__init__()
        self._memo: dict = {}
        self += source
        self.namespace_manager = source.namespace_manager

    def add(self, triple):
        self._memo.clear()
        return super().add(triple)

    def triples(self, pattern):
        if pattern not in self._memo:
            self._memo[pattern] = list(super().triples(pattern))
        return iter(self._memo[pattern])


@cache
def _shapes() -> Graph:
    return _MemoisedGraph(shapes_graph())


def validation_graph(*parts: Iterable[Triple]) -> Graph:
    """The records and the ontology's facts in one graph: pySHACL reads class hierarchies (sh:targetClass,
    sh:class) from the data graph."""
    graph = _QueryOnceGraph()
    for part in (*parts, ontology_facts()):
        graph += part
    return graph


def shacl_results(graph: Graph, data: Graph, shapes: tuple[URIRef, ...]) -> list[ValidationResult]:
    """The results of `shapes` over `graph` (made by validation_graph); `data`, the records among it, says
    which record a listing belongs to and which of alternative paths holds a value."""
    _conforms, report, _text = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none", advanced=True,
                                                inplace=True, use_shapes=list(shapes))
    return [_result(report, node, data) for node in report.subjects(RDF.type, SH.ValidationResult)]


def _result(report: Graph, node: Node, data: Graph) -> ValidationResult:
    shape = report.value(node, SH.sourceShape)
    focus = report.value(node, SH.focusNode)
    messages = {m.language: str(m) for m in report.objects(node, SH.resultMessage)}
    value = report.value(node, SH.value)
    return ValidationResult(
        severity=Severity(report.value(node, SH.resultSeverity)), focus_node=focus,
        path=_result_path(report.value(node, SH.resultPath), shape, focus, value, data), value=value,
        message=messages.get("en", ""), source_shape=shape, record=data.value(focus, FP.listingOf) or focus,
        message_ko=messages.get("ko", ""), constraint_component=report.value(node, SH.sourceConstraintComponent))


def _result_path(path: Node | None, shape: Node, focus: Node, value: Node | None, data: Graph) -> Node | None:
    """The field: of alternatives (fp:date|fp:startDate|…), the one that holds the value; else the shape's
    own path node (pySHACL reports a copy of it, which `render.path_text` cannot read)."""
    if not isinstance(path, BNode):
        return path
    own = shapes_graph().value(shape, SH.path)
    alternatives = shapes_graph().value(own, SH.alternativePath)
    holding = [p for p in Collection(shapes_graph(), alternatives) if (focus, p, value) in data] if alternatives else []
    return holding[0] if len(holding) == 1 else own
