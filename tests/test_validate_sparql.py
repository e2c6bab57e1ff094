"""The SPARQL engine (footprints_graph/validate_sparql.py) against pySHACL, the reference: the same results
on every shape fixture and on a synthetic graph with faults; a constraint it cannot compile raises."""

import sys
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from footprints_graph import validate
from footprints_graph.validate import FPS
from footprints_graph.validate_sparql import UnsupportedConstraint, compile_shapes, validate_triples
from footprints_graph.vocab import FP

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "shapes"
FIXTURE_FILES = sorted(p for p in FIXTURES.glob("*.ttl") if not p.name.endswith(".context.ttl"))
SHAPES = validate._reporting_shapes(True)

# rdflib's SPARQL compares a plain string with an integer ("7,000" > 10) where SPARQL says it is a type
# error and the solution is dropped (as Oxigraph does): pySHACL alone reports this fixture's figure under
# DataSetPartsShape, a warning. The only divergence; any other fails.
KNOWN_DIVERGENCES = {("ObservationShape-count-invalid-02", FPS.DataSetPartsShape)}


def _key(result):
    return result.focus_node, result.source_shape, result.severity


def _both(parts: list[Graph], shapes=SHAPES):
    graph = validate._validation_graph(*parts)
    return validate._shacl(graph, parts[0], shapes), validate_triples([*parts, validate._ontology_facts()], shapes)


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


def test_both_engines_agree_on_a_synthetic_graph_with_faults():
    graph = _synthetic(2_000)
    _inject_faults(graph)
    reference, ours = _both([graph], validate._reporting_shapes(False))
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
