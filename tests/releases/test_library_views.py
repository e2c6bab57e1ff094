"""Issue 15: the release carries the query library's answers (releases/views/library.py). Each stored answer, in
every syntax, is the engine's answer to the same text on the same store (the endpoint's `evaluate`), on data/ and
on a small synthetic build; restricted records are in none; what cannot be stored exactly is left out."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from footprints_graph.endpoint.sparql.evaluation import evaluate
from footprints_graph.endpoint.sparql.library import library
from footprints_graph.endpoint.sparql.protocol import SOLUTIONS, QueryOperation, format_named
from footprints_graph.iris import DEFAULT_BASE, SYNTHETIC_BASE
from footprints_graph.releases.serving import current_release
from footprints_graph.releases.views import FOLDER
from footprints_graph.releases.views.library import SYNTAXES, LibraryAnswers, library_texts, write_library_answers
from footprints_graph.store.embedded import open_store
from support.answers import assert_same_answer, ordered, read_answer
from support.security import restricted_iris

QRF = ox.QueryResultsFormat
NAMES = sorted(library_texts())


def engine_answer(store, text: str, syntax: ox.QueryResultsFormat) -> bytes:
    """What the endpoint's engine sends for `text` without dataset parameters, written in `syntax`."""
    chosen = format_named(syntax.file_extension, SOLUTIONS)
    return evaluate(store, QueryOperation(text, base="http://127.0.0.1/sparql"), lambda kind: chosen).body


def assert_release_carries_the_engines_answers(release: Path, base: str = DEFAULT_BASE) -> int:
    """Every library query's stored answer, as a site under `base` serves the library, is the engine's, in each
    syntax; the number of rows compared."""
    store, answers = open_store(release / "store"), LibraryAnswers(release / FOLDER)
    compared = 0
    for name, text in library_texts(base).items():
        stored = answers.find(text)
        assert stored is not None, f"{name} is not carried"
        for syntax in SYNTAXES:
            engine = engine_answer(store, text, syntax)
            assert_same_answer(stored.file(syntax).read_bytes(), engine, syntax, ordered(text))
        compared += stored.rows
        assert stored.rows == len(read_answer(engine_answer(store, text, QRF.TSV), QRF.TSV)[1])
    return compared


def test_every_library_answer_on_data_is_the_engines(built_release):
    assert assert_release_carries_the_engines_answers(built_release) > 0


@pytest.mark.slow  # a build of its own
def test_every_library_answer_on_a_synthetic_build_is_the_engines(synthetic_release):
    assert assert_release_carries_the_engines_answers(synthetic_release, SYNTHETIC_BASE) >= 300


@pytest.mark.parametrize("base", [DEFAULT_BASE, SYNTHETIC_BASE])
def test_the_build_runs_the_texts_the_library_serves(base):
    assert library_texts(base) == {query.name: query.text for query in library(base)}


def test_the_manifest_knows_each_query_by_its_exact_text(built_release):
    answers = LibraryAnswers(built_release / FOLDER)
    for text in library_texts().values():
        assert answers.find(text) is not None
        assert answers.find(text.replace("\n", "\r\n")) is not None  # a browser form's line ends
        assert answers.find(text + " ") is None
        assert answers.find(text[:-1]) is None


def test_no_restricted_record_is_in_a_library_answer(restricted_home):
    release = current_release(restricted_home)
    hidden = restricted_iris(restricted_home)
    assert hidden
    files = sorted((release / FOLDER / "library").iterdir())
    assert len(files) == len(SYNTAXES) * len(NAMES)
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert not [iri for iri in hidden if iri in text], file.name


def test_ask_is_carried_and_what_the_build_cannot_answer_exactly_is_not(built_release, tmp_path):
    """An ASK in every syntax; a CONSTRUCT (the engine writes graphs), a relative IRI or IRI() (resolved against
    each request's URL) and a SERVICE (the build never calls out) are left to the engine."""
    store = open_store(built_release / "store")
    texts = {"ask": "ASK { ?s a ?class }", "construct": "CONSTRUCT WHERE { ?s a ?class } LIMIT 1",
             "relative": "SELECT * WHERE { ?s ?p <relative> }", "iri": 'SELECT (IRI("relative") AS ?iri) {}',
             "service": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}
    write_library_answers(store, tmp_path, texts)
    answers = LibraryAnswers(tmp_path)
    stored = answers.find(texts["ask"])
    for syntax in SYNTAXES:
        assert_same_answer(stored.file(syntax).read_bytes(), engine_answer(store, texts["ask"], syntax), syntax, True)
    assert read_answer(stored.file(QRF.JSON).read_bytes(), QRF.JSON) == ([], [True])
    assert [name for name, text in texts.items() if answers.find(text)] == ["ask"]
    assert sorted(p.name for p in (tmp_path / "library").iterdir()) == sorted(f"ask.{s.file_extension}" for s in SYNTAXES)


def test_a_release_without_library_answers_has_none(tmp_path):
    assert LibraryAnswers(tmp_path).find(library_texts()[NAMES[0]]) is None
