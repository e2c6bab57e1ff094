"""Run the W3C SHACL Core test suite through both validation engines and say where they agree.

    python3 scripts/shacl_w3c_agreement.py /path/to/data-shapes-test-suite/tests/core [-v]

The suite is not part of this repository: take a copy of w3c/data-shapes and point this script at its
data-shapes-test-suite/tests/core folder. Each case (an sht:Validate entry of a manifest) is run by
pySHACL (the reference) and by the SPARQL engine (footprints_graph/validate/sparql_engine.py). A case the SPARQL
engine refuses (UnsupportedConstraint) is counted as refused; on every other case both engines' results
are compared as multisets of (focus node, path, value, source shape, constraint component, severity).
Each engine is also compared with the results the manifest expects. Exit status 1 if any accepted case
disagrees or the SPARQL engine fails with anything but UnsupportedConstraint.
"""

import sys
from collections import Counter
from pathlib import Path

import pyshacl
from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from footprints_graph.errors import UnsupportedConstraint
from footprints_graph.validate.sparql_compile import compile_shapes
from footprints_graph.validate.sparql_engine import load_store, run_checks

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SHAPE_MARKS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.property)


def cases(folder: Path):
    """(name, data file, shapes file, manifest graph, expected result node) for every case under `folder`."""
    for manifest in sorted(folder.rglob("*.ttl")):
        graph = Graph().parse(manifest)
        for case in sorted(graph.subjects(RDF.type, SHT.Validate)):
            action, result = graph.value(case, MF.action), graph.value(case, MF.result)
            data, shapes = graph.value(action, SHT.dataGraph), graph.value(action, SHT.shapesGraph)
            name = str(manifest.relative_to(folder).with_suffix(""))
            yield name, _local(data), _local(shapes), graph, result


def _local(iri: URIRef) -> Path:
    return Path(str(iri).removeprefix("file://"))


def path_text(graph: Graph, path) -> str | None:
    """A property path as text, whichever graph its blank nodes are in."""
    if path is None or not isinstance(path, BNode):
        return None if path is None else str(path)
    if (path, RDF.first, None) in graph:
        return "(" + "/".join(path_text(graph, p) for p in Collection(graph, path)) + ")"
    if (members := graph.value(path, SH.alternativePath)) is not None:
        return "(" + "|".join(path_text(graph, p) for p in Collection(graph, members)) + ")"
    for predicate, form in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                            (SH.zeroOrOnePath, "{}?")):
        if (inner := graph.value(path, predicate)) is not None:
            return form.format(path_text(graph, inner))
    raise ValueError(f"not a property path: {path.n3()}")


def _node(term) -> str:
    """A term to compare: blank nodes are parsed apart in each graph, so one blank node is like another."""
    return "[]" if isinstance(term, BNode) else None if term is None else term.n3()


def report_results(report: Graph, node) -> Counter:
    """The results of a SHACL report graph (the manifest's or pySHACL's)."""
    return Counter((_node(report.value(r, SH.focusNode)), path_text(report, report.value(r, SH.resultPath)),
                    _node(report.value(r, SH.value)), _node(report.value(r, SH.sourceShape)),
                    _node(report.value(r, SH.sourceConstraintComponent)), _node(report.value(r, SH.resultSeverity)))
                   for r in report.objects(node, SH.result))


def pyshacl_results(data: Graph, shapes: Graph) -> Counter:
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    return report_results(report, next(report.subjects(RDF.type, SH.ValidationReport)))


def shapes_of(graph: Graph) -> tuple:
    """Every shape: declared, or with a target, or holding property shapes."""
    declared = {s for kind in (SH.NodeShape, SH.PropertyShape) for s in graph.subjects(RDF.type, kind)}
    marked = {s for mark in SHAPE_MARKS for s in graph.subjects(mark, None)}
    return tuple(sorted(declared | marked, key=str))


def sparql_results(data: Graph, shapes: Graph) -> Counter:
    checks = compile_shapes(shapes_of(shapes), shapes)
    store, blanks = load_store(data)
    return Counter((_node(r.focus_node), path_text(shapes, _shape_path(shapes, r)), _node(r.value),
                    _node(r.source_shape), _node(r.constraint_component), _node(r.severity.value))
                   for r in run_checks(store, blanks, checks))


def _shape_path(shapes: Graph, result):
    """The result's path as SHACL reports it: of an alternative path, the SPARQL engine names the branch
    that held the value (as pyshacl_engine._result_path does for pySHACL's results); SHACL names the whole path."""
    own = shapes.value(result.source_shape, SH.path)
    return own if own is not None and shapes.value(own, SH.alternativePath) is not None else result.path


def run_case(name, data_file, shapes_file, manifest, expected_node, verbose) -> str:
    """One case's outcome: "refused", "agreeing", "disagreeing" or "failed"; tallies the manifest too."""
    data = Graph().parse(data_file)
    shapes = data if shapes_file == data_file else Graph().parse(shapes_file)
    expected = report_results(manifest, expected_node)
    reference = pyshacl_results(data, shapes)
    try:
        ours = sparql_results(data, shapes)
    except UnsupportedConstraint as refusal:
        _say(verbose, f"refused      {name}: {refusal}")
        return "refused", reference == expected, None
    except Exception as error:  # noqa: BLE001 - a crash is a finding of this script, not a reason to stop it
        _say(True, f"failed       {name}: {type(error).__name__}: {error}")
        return "failed", reference == expected, False
    outcome = "agreeing" if ours == reference else "disagreeing"
    _say(verbose or outcome == "disagreeing", f"{outcome:<12} {name}" + (
        "" if ours == reference else f"\n  pySHACL only: {reference - ours}\n  SPARQL only:  {ours - reference}"))
    return outcome, reference == expected, ours == expected


def _say(verbose: bool, line: str) -> None:
    if verbose:
        print(line)


def main(argv: list[str]) -> int:
    if not argv or not Path(argv[0]).is_dir():
        print(__doc__.strip(), file=sys.stderr)
        return 2
    verbose = "-v" in argv[1:]
    outcomes, reference_expected, ours_expected = Counter(), 0, Counter()
    for case in cases(Path(argv[0]).resolve()):
        outcome, reference_ok, ours_ok = run_case(*case, verbose)
        outcomes[outcome] += 1
        reference_expected += reference_ok
        if ours_ok is not None:
            ours_expected[ours_ok] += 1
    total = sum(outcomes.values())
    print(f"cases {total}: implemented {total - outcomes['refused']}, refused {outcomes['refused']}, "
          f"agreeing {outcomes['agreeing']}, disagreeing {outcomes['disagreeing']}, failed {outcomes['failed']}")
    print(f"results as the manifest expects: pySHACL {reference_expected} of {total}; "
          f"SPARQL engine {ours_expected[True]} of the {total - outcomes['refused']} it implements")
    return 1 if outcomes["disagreeing"] or outcomes["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
