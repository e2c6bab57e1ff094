"""The shapes, tested both ways (STYLE lesson 6): for every shape a fixture that conforms and at least one
that the shape reports, a test that fails when some shape reports on no fixture, and the documentation
every shape carries. Fixtures: tests/shapes/<shape>-valid.ttl and <shape>-invalid-NN.ttl; a fixture with a
<name>.context.ttl beside it is checked as a submission against those published records.

`PYTHONPATH=tests python3 tests/validate/test_shapes.py` rewrites the table of shapes in docs/submitting.md from the
shapes file (tests/ on the path for `support`, as pytest puts it there)."""

import calendar
import re
import sys
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import OWL, RDF, SKOS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from footprints_graph.resources import ontology_graph, shapes_graph
from footprints_graph.validate import FPS, ValidationReport, render_report, validate_graph
from footprints_graph.validate.shapes import named_shapes
from support import ROOT

FIXTURES = ROOT / "tests" / "shapes"
DOC = ROOT / "docs" / "submitting.md"
FIXTURE_FILES = sorted(p for p in FIXTURES.glob("*.ttl") if not p.name.endswith(".context.ttl"))
SHAPES = named_shapes()
BUILTIN = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
           "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#", "http://www.w3.org/ns/shacl#",
           str(FPS))


def _shape_of(fixture: Path) -> URIRef:
    return FPS[re.sub(r"-(valid|invalid-\d\d)$", "", fixture.stem)]


@cache
def report_of(fixture: Path) -> ValidationReport:
    """Checked with the privacy rule too: a fixture stands for the public graph."""
    context_file = fixture.with_name(f"{fixture.stem}.context.ttl")
    context = Graph().parse(context_file) if context_file.exists() else None
    return validate_graph(Graph().parse(fixture), context, public=True)


def _reported(shape: URIRef) -> set[URIRef]:
    """What a report names for a shape: the shape, or for a node shape that groups property shapes, them."""
    return {shape, *shapes_graph().objects(shape, SH.property)}


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture(fixture):
    report = report_of(fixture)
    fired = {r.source_shape for r in report.results}
    text = render_report(report, "text")
    if fixture.stem.endswith("-valid"):
        assert not report.results, text
    else:
        assert fired & _reported(_shape_of(fixture)), f"{fixture.name} should be reported by its shape:\n{text}"


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.removeprefix(str(FPS)))
def test_every_shape_has_a_valid_and_an_invalid_fixture(shape):
    name = shape.removeprefix(str(FPS))
    assert (FIXTURES / f"{name}-valid.ttl").is_file()
    assert list(FIXTURES.glob(f"{name}-invalid-[0-9][0-9].ttl"))


def test_no_shape_is_vacuous():
    """A shape that reports on no fixture matches nothing (wrong namespace, misspelled term, a class no data
    has): the field's most common bug."""
    fired = {r.source_shape for f in FIXTURE_FILES if "-invalid-" in f.stem for r in report_of(f).results}
    silent = [str(s) for s in SHAPES if not fired & _reported(s)]
    assert not silent


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.removeprefix(str(FPS)))
def test_every_shape_has_a_name_description_message_in_english_and_korean_and_a_severity(shape):
    graph = shapes_graph()
    for predicate in (SH.name, SH.description, SH.message):
        languages = {value.language for value in graph.objects(shape, predicate)}
        assert {"en", "ko"} <= languages, f"{shape} lacks {predicate} in {({'en', 'ko'} - languages)}"
    assert graph.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info)


def test_the_shapes_file_is_one_versioned_ontology():
    ontologies = list(shapes_graph().subjects(RDF.type, OWL.Ontology))
    assert ontologies == [URIRef("https://w3id.org/footprints-graph/shapes")]
    assert shapes_graph().value(ontologies[0], OWL.versionIRI) is not None
    assert shapes_graph().value(ontologies[0], OWL.versionInfo) is not None


def _terms_of_shapes() -> set[URIRef]:
    """Every IRI the shapes use, in triples and in the SPARQL texts, outside the built-in vocabularies."""
    graph = shapes_graph()
    iris = {t for triple in graph for t in triple if isinstance(t, URIRef)}
    prefixes = {"fp": "https://w3id.org/footprints-graph/ontology#", "fpv": "https://w3id.org/footprints-graph/vocab/",
                "qb": "http://purl.org/linked-data/cube#", "skos": str(SKOS)}
    for text in graph.objects(None, SH.select):
        iris |= {URIRef(prefixes[p] + name) for p, name in re.findall(r"\b(fp|fpv|qb|skos):([\w-]+)", text)}
    return {i for i in iris if not str(i).startswith(BUILTIN)}


def test_every_term_the_shapes_use_is_declared_in_the_ontology():
    declared = set(ontology_graph().subjects(RDF.type, None))
    own = {URIRef("https://w3id.org/footprints-graph/shapes"), URIRef("https://w3id.org/footprints-graph/shapes/0.1.0"),
           URIRef("https://w3id.org/footprints-graph/ontology"), URIRef("https://creativecommons.org/licenses/by/4.0/")}
    assert not sorted(str(t) for t in _terms_of_shapes() - declared - own)


def _in_lists() -> dict[URIRef, set[URIRef]]:
    graph = shapes_graph()
    return {s: set(Collection(graph, values)) for s, values in graph.subject_objects(SH["in"])}


@pytest.mark.parametrize("shape", [s for s, values in _in_lists().items()
                                   if any((v, SKOS.inScheme, None) in ontology_graph() for v in values)],
                         ids=lambda s: s.removeprefix(str(FPS)))
def test_a_vocabulary_list_is_exactly_its_scheme(shape):
    """The sh:in lists copy ontology/vocabularies.ttl (pySHACL checks sh:in at once, sh:node per value): the
    copy must not drift."""
    listed = _in_lists()[shape]
    schemes = {s for v in listed for s in ontology_graph().objects(v, SKOS.inScheme)}
    assert len(schemes) == 1, f"{shape} mixes schemes {schemes}"
    assert listed == set(ontology_graph().subjects(SKOS.inScheme, schemes.pop()))


# ---------------------------------------------------------------- the date-window patterns

WAR_START, WAR_END = date(1950, 6, 25), date(1953, 7, 27)
WINDOW_RULES = {  # pattern shape → what the pattern must say of a partial date's (earliest, latest) days
    FPS["WartimeAbductionShape-from"]: lambda first, last: last >= WAR_START,
    FPS["WartimeAbductionShape-until"]: lambda first, last: first <= WAR_END,
    FPS["WartimeCaptureShape-from"]: lambda first, last: last >= WAR_START,
    FPS["WartimeCaptureShape-until"]: lambda first, last: first <= WAR_END,
    FPS["PostWarAbductionShape"]: lambda first, last: last > WAR_END,
}


def _days(year: int, month: int | None, day: int | None) -> tuple[date, date]:
    """The first and last day a partial date may stand for."""
    if day:
        return date(year, month, day), date(year, month, day)
    if month:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 1, 1), date(year, 12, 31)


@st.composite
def partial_dates(draw) -> tuple[str, tuple[date, date]]:
    year = draw(st.one_of(st.integers(1940, 1965), st.integers(1, 9999)))
    month = draw(st.one_of(st.none(), st.integers(1, 12)))
    day = draw(st.integers(1, calendar.monthrange(year, month)[1])) if month and draw(st.booleans()) else None
    zone = draw(st.sampled_from(["", "Z", "+09:00"]))
    text = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "") + zone
    return text, _days(year, month, day)


@pytest.mark.parametrize("shape", list(WINDOW_RULES), ids=lambda s: s.removeprefix(str(FPS)))
@given(value=partial_dates())
def test_a_date_window_pattern_says_what_the_days_say(shape, value):
    text, (first, last) = value
    pattern = str(shapes_graph().value(shape, SH.pattern))
    assert bool(re.search(pattern, text)) == WINDOW_RULES[shape](first, last), text


@pytest.mark.parametrize("text,within", [("1950", True), ("1950-06", True), ("1950-06-24", False),
                                             ("1950-06-25", True), ("1953-07-27", True), ("1953-07-28", False)])
def test_the_war_window_at_its_edges(text, within):
    fits = all(re.search(str(shapes_graph().value(FPS[f"WartimeAbductionShape-{end}"], SH.pattern)), text)
               for end in ("from", "until"))
    assert fits == within


# ---------------------------------------------------------------- the table in docs/submitting.md

TABLE_START, TABLE_END = "<!-- shapes table: generated by tests/test_shapes.py -->", "<!-- end of shapes table -->"


def shapes_table() -> str:
    """The Markdown table of what each shape checks, from the shapes file."""
    graph = shapes_graph()
    rows = ["| shape | severity | what it checks | how to fix |", "|---|---|---|---|"]
    for shape in SHAPES:
        texts = [_english(graph, shape, p).replace("|", "\\|") for p in (SH.description, SH.message)]
        severity = str(graph.value(shape, SH.severity)).removeprefix(str(SH))
        rows.append(f"| `fps:{shape.removeprefix(str(FPS))}` | {severity} | {texts[0]} | {texts[1]} |")
    return "\n".join(rows)


def _english(graph: Graph, subject: URIRef, predicate: URIRef) -> str:
    return next(str(v) for v in graph.objects(subject, predicate) if v.language == "en")


def _documented_table() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(TABLE_START) + len(TABLE_START):text.index(TABLE_END)].strip()


def test_the_documentation_table_is_the_shapes_file():
    rewrite = "PYTHONPATH=tests python3 tests/validate/test_shapes.py"
    assert _documented_table() == shapes_table(), f"docs/submitting.md is out of date: run `{rewrite}`"


if __name__ == "__main__":
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    DOC.write_text(f"{text[:start]}\n{shapes_table()}\n{text[end:]}", encoding="utf-8")
    sys.exit(0)
