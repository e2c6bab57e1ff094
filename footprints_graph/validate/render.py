"""A report's forms: text for people, JSON for programs, and the SHACL validation report graph, all derived
from the one `ValidationReport`."""

import json
from functools import cache

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from footprints_graph.iris import PREFIXES
from footprints_graph.resources import shapes_graph
from footprints_graph.validate.report import Severity, ValidationReport, ValidationResult

REPORT_FORMATS = ("text", "json", "turtle", "json-ld")


def render_report(report: ValidationReport, form: str) -> str:
    """The report as text, JSON, or the SHACL report graph in Turtle or JSON-LD."""
    if form == "text":
        return report_text(report)
    if form == "json":
        return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
    return report_graph(report).serialize(format=form)


@cache
def _namespaces() -> dict[str, str]:
    """Prefixes for the text report: the store's, and the shapes file's own (fps:, status:, outcome:, …)."""
    ours = {p: str(ns) for p, ns in shapes_graph().namespaces() if str(ns).startswith("https://w3id.org/footprints-graph/")}
    return {**PREFIXES, **ours, "sh": str(SH)}


def _short(term: Node | None) -> str | None:
    """A term as people read it: prefixed names for vocabulary terms, full IRIs for records."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        prefix = next((p for p, ns in _namespaces().items() if term.startswith(ns) and "/" not in term[len(ns):]), None)
        return f"{prefix}:{term[len(_namespaces()[prefix]):]}" if prefix else f"<{term}>"
    if isinstance(term, Literal) and term.datatype:
        return f"{json.dumps(str(term), ensure_ascii=False)}^^{_short(term.datatype)}"
    return term.n3()


def path_text(path: Node | None) -> str | None:
    """A SHACL property path in SPARQL's syntax: fp:date|fp:startDate, ^fp:victim/rdf:type."""
    if path is None or isinstance(path, URIRef):
        return _short(path)
    shapes = shapes_graph()
    if (path, RDF.first, None) in shapes:
        return "/".join(path_text(p) for p in Collection(shapes, path))
    for predicate, form in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
                            (SH.zeroOrOnePath, "({})?")):
        if (inner := shapes.value(path, predicate)) is not None:
            return form.format(path_text(inner))
    return "|".join(path_text(p) for p in Collection(shapes, shapes.value(path, SH.alternativePath)))


def _by_record(results: list[ValidationResult]) -> list[tuple[Node, list[ValidationResult]]]:
    """Results grouped by record, records with the worst results first; within a record, worst first."""
    groups: dict[Node, list[ValidationResult]] = {}
    worst_first = sorted(results, key=lambda r: (r.severity.rank, str(r.source_shape), str(r.focus_node), str(r.value)))
    for result in worst_first:
        groups.setdefault(result.record, []).append(result)
    return sorted(groups.items(), key=lambda item: (item[1][0].severity.rank, str(item[0])))


# ---------------------------------------------------------------- text


def _counts(report: ValidationReport) -> str:
    counts = [f"{len(report.of(s))} {s.label.lower()}{'s' if len(report.of(s)) != 1 else ''}" for s in Severity]
    return ", ".join(counts)


def report_text(report: ValidationReport) -> str:
    """The report for people: a summary line, then each record with its results, worst first."""
    verdict = "Conforms" if report.conforms else "Does not conform"
    lines = [f"{verdict}: {_counts(report)}."]
    for record, results in _by_record(report.results):
        origin = report.origins.get(record)
        lines += ["", f"{_short(record)}" + (f"  ({origin})" if origin else "")]
        # two constraints of one shape can fail on one value (datatype and language): say it once
        lines += [line for result in dict.fromkeys(map(_result_lines, results)) for line in result]
    return "\n".join(lines) + "\n"


def _result_lines(result: ValidationResult) -> tuple[str, ...]:
    where = [path_text(result.path) or "", _short(result.value) or ""]
    if result.focus_node != result.record:
        where.insert(0, f"on {_short(result.focus_node)}")
    head = f"  {result.severity.label:<9} {' '.join(w for w in where if w)}  [{_short(result.source_shape)}]"
    return head.rstrip(), f"            {result.message}"


# ---------------------------------------------------------------- JSON


def report_json(report: ValidationReport) -> dict:
    """The report for programs: counts, then records with their results."""
    return {
        **report.counts(),
        "records": [{"record": str(record), "origin": report.origins.get(record),
                     "results": [_result_json(r) for r in results]} for record, results in _by_record(report.results)],
    }


def _result_json(result: ValidationResult) -> dict:
    return {
        "severity": result.severity.label, "focus_node": str(result.focus_node), "path": path_text(result.path),
        "value": _short(result.value), "message": {"en": result.message, "ko": result.message_ko},
        "source_shape": str(result.source_shape),
    }


# ---------------------------------------------------------------- the SHACL report graph


def report_graph(report: ValidationReport) -> Graph:
    """The SHACL validation report graph."""
    graph = Graph()
    for prefix, namespace in _namespaces().items():
        graph.bind(prefix, namespace)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.shacl_conforms)))
    for result in report.results:
        graph.add((node, SH.result, _add_result(graph, result)))
    return graph


def _add_result(graph: Graph, result: ValidationResult) -> BNode:
    node = BNode()
    values = ((RDF.type, SH.ValidationResult), (SH.resultSeverity, result.severity.value),
              (SH.focusNode, result.focus_node), (SH.sourceShape, result.source_shape),
              (SH.resultMessage, Literal(result.message, lang="en")), (SH.value, result.value),
              (SH.resultPath, _copy_path(graph, result.path)),
              (SH.sourceConstraintComponent, result.constraint_component))
    for predicate, value in values:
        if value is not None:
            graph.add((node, predicate, value))
    if result.message_ko:
        graph.add((node, SH.resultMessage, Literal(result.message_ko, lang="ko")))
    return node


def _copy_path(graph: Graph, path: Node | None) -> Node | None:
    """A complex path is blank nodes of the shapes graph: copy their closure into the report."""
    if isinstance(path, BNode):
        for predicate, value in shapes_graph().predicate_objects(path):
            graph.add((path, predicate, _copy_path(graph, value) if isinstance(value, BNode) else value))
    return path
