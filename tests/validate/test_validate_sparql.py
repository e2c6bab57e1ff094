"""The SPARQL engine (footprints_graph/validate/sparql_engine.py) against pySHACL, the reference: the same results
on every shape fixture, on the engine's own fixtures (tests/data/shacl: each construct it checks, valid and
invalid, issue 12) and on a synthetic graph with faults; a constraint it cannot compile raises."""

import sys
from collections import Counter

import pytest
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from footprints_graph import validate
from footprints_graph.errors import UnsupportedConstraint
from footprints_graph.terms import nquads_lines
from footprints_graph.validate.pyshacl_engine import shacl_results, validation_graph
from footprints_graph.validate.render import report_graph
from footprints_graph.validate.shapes import FPS, ontology_facts, reporting_shapes
from footprints_graph.validate.sparql_compile import compile_shapes
from footprints_graph.validate.sparql_engine import validate_triples
from footprints_graph.vocab import FP
from support import ROOT

FIXTURES = ROOT / "tests" / "shapes"
FIXTURE_FILES = sorted(p for p in FIXTURES.glob("*.ttl") if not p.name.endswith(".context.ttl"))
ENGINE_FIXTURES = ROOT / "tests" / "data" / "shacl"
SHAPES = reporting_shapes(True)

# rdflib's SPARQL compares a plain string with an integer ("7,000" > 10) where SPARQL says it is a type
# error and the solution is dropped (as Oxigraph does): pySHACL alone reports this fixture's figure under
# DataSetPartsShape, a warning. The only divergence; any other fails.
KNOWN_DIVERGENCES = {("ObservationShape-count-invalid-02", FPS.DataSetPartsShape)}


def _key(result):
    return result.focus_node, result.source_shape, result.severity


def _both(parts: list[Graph], shapes=SHAPES):
    graph = validation_graph(*parts)
    return shacl_results(graph, parts[0], shapes), validate_triples([*parts, ontology_facts()], shapes)


@pytest.mark.slow  # both engines on every shape fixture: the cross-check, not the fast lane's (test_shapes runs each)
@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_both_engines_agree_on_every_fixture(fixture):
    context = fixture.with_name(f"{fixture.stem}.context.ttl")
    parts = [Graph().parse(fixture)] + ([Graph().parse(context)] if context.exists() else [])
    reference, ours = _both(parts)
    allowed = {k for k in map(_key, reference) if (fixture.stem, k[1]) in KNOWN_DIVERGENCES}
    assert {_key(r) for r in reference} - allowed == {_key(r) for r in ours}
    # beyond the agreement the brief asks for: path, value, messages, component and record agree too
    full = lambda r: (*_key(r), r.path, r.value, r.message, r.message_ko, r.constraint_component, r.record)  # noqa: E731
    assert {full(r) for r in reference if _key(r) not in allowed} == {full(r) for r in ours}


BLANK_NODE_FIXTURES = ["EventShape-invalid-01", "SourceDocumentShape-invalid-01", "VictimShape-invalid-01"]


@pytest.mark.parametrize("name", BLANK_NODE_FIXTURES)
def test_data_handed_over_as_nquads_lines_gives_the_same_results(name):
    """The build hands its records over as N-Quads lines (validate_records' `converted`): a line with a blank
    node, or with "_:" in a literal, must read back as the data's own term, as from rdflib's triples."""
    data = Graph().parse(FIXTURES / f"{name}.ttl")
    data.add((URIRef("https://example.org/note"), RDFS.comment, Literal("written _:N1 in a note")))
    graph = URIRef("https://example.org/graph")
    lines = list(nquads_lines((s, p, o, graph) for s, p, o in data))
    from_triples = validate_triples([data, ontology_facts()], SHAPES)
    from_lines = validate_triples([data, ontology_facts()], SHAPES, converted=lines)
    assert any(isinstance(r.focus_node, BNode) for r in from_triples)
    assert sorted(map(repr, from_triples)) == sorted(map(repr, from_lines))


def test_lines_that_all_may_hold_a_blank_node_give_the_same_results():
    """Handed over lines of which every one may hold a blank node, none is left for the engine's N-Triples loader."""
    data = Graph()
    for triple in Graph().parse(FIXTURES / "EventShape-invalid-01.ttl"):
        if any(isinstance(term, BNode) for term in triple):
            data.add(triple)
    lines = list(nquads_lines((s, p, o, URIRef("https://example.org/graph")) for s, p, o in data))
    assert lines and all(b"_:" in line for line in lines)
    from_triples = validate_triples([data, ontology_facts()], SHAPES)
    from_lines = validate_triples([data, ontology_facts()], SHAPES, converted=lines)
    assert from_triples and sorted(map(repr, from_triples)) == sorted(map(repr, from_lines))


def test_validate_graph_chooses_the_engine_and_both_agree():
    fixture = FIXTURES / "ListingShape-victim-invalid-01.ttl"
    data = Graph().parse(fixture)
    by_pyshacl = validate.validate_graph(data, public=True, engine="pyshacl")
    by_sparql = validate.validate_graph(data, public=True, engine="sparql")
    assert by_pyshacl.results and set(by_pyshacl.results) == set(by_sparql.results)
    with pytest.raises(ValueError):
        validate.validate_graph(data, engine="jena")


def _synthetic(victims: int) -> Graph:
    sys.path.insert(0, str(ROOT / "bench"))
    from validate_bench import graph_of
    graph, _records = graph_of(range(victims))
    return graph


def _inject_faults(graph: Graph) -> int:
    """A handful of faults of different kinds, on victims spread over the graph; how many were injected."""
    syn = "https://w3id.org/footprints-graph/synthetic/"
    person = lambda n: URIRef(f"{syn}person/v{n}")  # noqa: E731
    act = lambda n: URIRef(f"{syn}event/v{n}-act")  # noqa: E731
    graph.remove((person(3), RDFS.label, None))                                      # minCount
    graph.add((person(5), RDFS.label, Literal("Nameless", lang="en")))               # languageIn
    graph.add((person(7), FP.restricted, Literal("yes")))                            # maxCount, datatype
    graph.set((act(11), FP.date, Literal("1950-13-40", datatype=XSD.date)))          # ill-formed date
    graph.set((act(13), FP.date, Literal("sometime in 1951")))                       # sh:or of datatypes
    graph.set((act(16), FP.date, Literal("1949", datatype=XSD.gYear)))               # wartime window (pattern)
    graph.add((act(17), FP.perpetrator, URIRef(f"{syn}organisation/nobody")))        # sh:class
    graph.remove((URIRef(f"{syn}listing/v19.synthetic-list"), FP.listingOf, None))   # minCount
    graph.remove((act(23), RDF.type, None))                                          # victim's act (hasValue)
    graph.add((person(29), FP.victimCategory, URIRef(f"{FP}NotACategory")))          # sh:in
    graph.add((act(31), FP.ageAtTime, Literal(130)))                                 # maxInclusive
    graph.add((act(37), FP.startDate, Literal("1952", datatype=XSD.gYear)))
    graph.add((act(37), FP.endDate, Literal("1951", datatype=XSD.gYear)))            # SPARQL constraint
    return 13


@pytest.mark.slow  # pySHACL over 2,000 synthetic victims
def test_both_engines_agree_on_a_synthetic_graph_with_faults():
    graph = _synthetic(2_000)
    _inject_faults(graph)
    reference, ours = _both([graph], reporting_shapes(False))
    assert len({_key(r) for r in reference}) >= 10
    assert {_key(r) for r in reference} == {_key(r) for r in ours}
    full = lambda r: (*_key(r), r.path, r.value, r.constraint_component, r.record)  # noqa: E731
    assert {full(r) for r in reference} == {full(r) for r in ours}


def test_an_unsupported_constraint_component_raises_when_compiled():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:uniqueLang true .
        ex:T a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .
    """, format="turtle")
    for shape in ("S", "T"):
        with pytest.raises(UnsupportedConstraint, match="uniqueLang|closed"):
            compile_shapes((URIRef(f"https://example.org/{shape}"),), shapes)


def test_the_project_shapes_all_compile():
    assert compile_shapes(SHAPES)


# ---------------------------------------------------------------- the engine's own fixtures (issue 12)

sys.path.insert(0, str(ROOT / "scripts"))
from shacl_w3c_agreement import pyshacl_results, sparql_results  # noqa: E402 (a script, found once scripts/ is on the path)

EX = "https://example.org/shacl/"
# what each invalid fixture must report: (focus node, path) → how many results, the path as SPARQL text with
# ex: written out, None for a node shape
EXPECTED = {
    "targets": {("ann", "name"): 2, ("cat", "name"): 2, ("listed", "name"): 1, ("flag", "name"): 1},
    "paths": {("b", "^next"): 1, ("b", "(next/label)"): 1, ("b", "(label|title)"): 1, ("c", "(label|title)"): 1,
              **{(n, "next*"): 1 for n in "abcz"}, **{(n, "next+"): 1 for n in "abcz"}, ("c", "next?"): 1},
    "values": {("i1", "code"): 2, ("i1", "size"): 4, ("i1", "colour"): 1, ("i1", "maker"): 3, ("i1", "page"): 1,
               ("i1", "title"): 1, ("i1", "price"): 3, ("i1", "year"): 1, ("i1", "kind"): 1, ("i1", "first"): 1,
               ("i1", "when"): 1, ("i2", "code"): 1},
    "sparql": {("war", None): 1},
    # the address two people share is reached twice and reported twice (W3C validation-reports/shared)
    "nested": {("home", "city"): 2, ("office", "city"): 1},
    "deactivated": {("t", "label"): 1},
    "literal-target": {('"Pyongyang"@ko', "^capital"): 1, ('"Seoul"', "^capital"): 1},
    # sh:class ex:Victim and sh:class ex:Witness both fail on ex:kim: two results, not one
    "severity": {("kim", "name"): 1, ("kim", "note"): 1, ("kim", None): 2},
}


def _engine_fixture(name: str, kind: str) -> tuple[Graph, Graph]:
    return Graph().parse(ENGINE_FIXTURES / f"{name}-{kind}.ttl"), Graph().parse(ENGINE_FIXTURES / f"{name}.shapes.ttl")


def _focus_and_path(key: tuple) -> tuple:
    """A result's focus node and path as EXPECTED writes them: names in ex: without it."""
    focus, path = key[0], key[1]
    if focus.startswith(f"<{EX}"):
        focus = focus.removeprefix(f"<{EX}").removesuffix(">")
    return focus, path and path.replace(EX, "")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_both_engines_agree_on_the_engines_own_fixtures(name):
    valid, shapes = _engine_fixture(name, "valid")
    assert pyshacl_results(valid, shapes) == sparql_results(valid, shapes) == Counter()
    invalid, shapes = _engine_fixture(name, "invalid")
    reference, ours = pyshacl_results(invalid, shapes), sparql_results(invalid, shapes)
    assert ours == reference
    found = Counter()
    for key, times in ours.items():
        found[_focus_and_path(key)] += times
    assert found == EXPECTED[name]


def test_every_engine_fixture_is_tested():
    names = {p.name.removesuffix(".shapes.ttl") for p in ENGINE_FIXTURES.glob("*.shapes.ttl")}
    assert names == set(EXPECTED) | {"custom-severity"}


def test_the_engine_fixtures_use_every_constraint_it_checks():
    """A construct added to the engine without a fixture here fails this test."""
    used = {p for f in ENGINE_FIXTURES.glob("*.shapes.ttl") for p in Graph().parse(f).predicates()}
    checked = {SH.minCount, SH.maxCount, SH.datatype, SH["in"], SH["class"], SH.nodeKind, SH.pattern, SH.flags,
               SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.languageIn, SH.hasValue,
               SH.lessThanOrEquals, SH["or"], SH.sparql, SH.property, SH.deactivated, SH.severity,
               SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target,
               SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath}
    assert checked <= used


def test_a_custom_severity_is_refused_naming_the_shape():
    data, shapes = Graph(), Graph().parse(ENGINE_FIXTURES / "custom-severity.shapes.ttl")
    with pytest.raises(UnsupportedConstraint, match=f"sh:severity <{EX}Unusual> on <{EX}NameShape>"):
        sparql_results(data, shapes)


def test_a_shape_that_holds_itself_is_refused():
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .
        ex:P sh:path ex:p ; sh:property ex:P .
    """, format="turtle")
    with pytest.raises(UnsupportedConstraint, match="recursive"):
        compile_shapes((URIRef(f"{EX}S"),), shapes)


@pytest.mark.parametrize("engine", validate.ENGINES)
def test_a_report_with_warnings_only_does_not_conform_in_shacl_but_passes_the_gate(engine):
    data = Graph().parse(FIXTURES / "SourceDocumentShape-link-invalid-01.ttl")
    report = validate.validate_graph(data, public=True, engine=engine)
    assert report.results and not report.violations
    assert report.conforms and not report.shacl_conforms
    assert (None, SH.conforms, Literal(False)) in report_graph(report)
