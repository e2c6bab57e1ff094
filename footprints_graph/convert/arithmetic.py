"""The arithmetic of every breakdown, checked when the graph is built and kept as data.

A data set with a total (fp:total) is a breakdown: its other figures with a count are parts of that total.
Whatever the source claims about completeness, parts that add up to more than the total are an
inconsistency; for a complete breakdown (fp:completeBreakdown true), parts that add up to anything but the
total are one too. Neither figure is corrected or dropped: each keeps its source, and an fp:Inconsistency
node names the figures, the rule they break, the difference and the sources that state them, so that a
researcher finds the disagreement in the graph instead of a clean total.
"""

from collections.abc import Iterable

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, QB

from footprints_graph.convert import ConvertedRecord
from footprints_graph.iris import graph_iri, mint
from footprints_graph.vocab import FP, concept

RULES = "consistency-rules"


def breakdown_inconsistencies(converted: list[ConvertedRecord], base: str) -> list[ConvertedRecord]:
    """One fp:Inconsistency record per breakdown whose parts break a rule of `consistency-rules`."""
    graph = Graph()
    for record in converted:
        for triple in record.triples:
            graph.add(triple)
    origins = {record.subject: record.origin for record in converted}
    found = []
    for dataset, total in sorted(graph.subject_objects(FP.total)):
        checked = _check(graph, dataset, total)
        if checked:
            rule, parts, difference = checked
            found.append(_record(graph, dataset, total, parts, rule, difference, origins[dataset], base))
    return found


def _check(graph: Graph, dataset: URIRef, total: URIRef) -> tuple[str, list[URIRef], int] | None:
    """The rule the breakdown breaks, its parts and the difference (sum of parts − total), or None."""
    expected = graph.value(total, FP.count)
    parts = sorted(f for f in graph.subjects(QB.dataSet, dataset) if f != total and graph.value(f, FP.count) is not None)
    if expected is None or not parts:
        return None
    difference = sum(int(graph.value(f, FP.count)) for f in parts) - int(expected)
    if difference > 0:
        return "parts-exceed-total", parts, difference
    complete = graph.value(dataset, FP.completeBreakdown)
    if complete is not None and complete.toPython() is True and difference != 0:
        return "parts-differ-from-total", parts, difference
    return None


def _record(graph: Graph, dataset: URIRef, total: URIRef, parts: list[URIRef], rule: str, difference: int,
            origin, base: str) -> ConvertedRecord:
    key = f"{str(dataset).rsplit('/', 1)[1]}-{rule}"
    node = mint("inconsistency", key, base)
    out = ConvertedRecord(origin, node, graph_iri("inconsistencies", base))  # derived: a graph of its own
    out.add(node, RDF.type, FP.Inconsistency)
    out.add(node, FP.breakdown, dataset)
    out.add(node, FP.rule, concept(RULES, rule))
    out.add(node, FP.difference, Literal(difference, datatype=XSD.integer))
    for figure in (total, *parts):
        out.add(node, FP.involves, figure)
    for source in sorted(_sources(graph, (total, *parts))):
        out.add(node, DCTERMS.source, source)
    more_or_less = "more" if difference > 0 else "less"
    out.add(node, RDFS.label, Literal(f"{_label(graph, dataset)}: the parts add up to {abs(difference):,} "
                                      f"{more_or_less} than the total", lang="en"))
    return out


def _sources(graph: Graph, figures: Iterable[URIRef]) -> set[URIRef]:
    return {s for f in figures for s in graph.objects(f, DCTERMS.source)}


def _label(graph: Graph, dataset: URIRef) -> str:
    labels = [str(label) for label in graph.objects(dataset, RDFS.label) if getattr(label, "language", None) == "en"]
    return labels[0] if labels else str(dataset)
