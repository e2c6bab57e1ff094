"""Issue 15: /sparql answers a library query's exact text from the answer its release carries
(releases/views/library.py), in the negotiated format, before the answer cache and without a query slot; the
answer is the engine's. Any other text, a dataset parameter, or a release built before answers were carried goes
to the engine, as does every query served from a SPARQL server (serve --store) until it holds the release. A stored
answer is sent whole past the row cap (`max_result_rows` bounds the engine's work, and a stored answer is a file
sent as it is), and the editor shows its first rows and its number of rows. Which one answered is seen by a copy of
the release whose stored answer to one query was replaced by a marker: the engine never gives that."""

import json
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from werkzeug.test import EnvironBuilder

from footprints_graph.endpoint.sparql import editor
from footprints_graph.endpoint.sparql.cache import EXTENSION
from footprints_graph.endpoint.sparql.guard import QuerySlots
from footprints_graph.iris import release_graph
from footprints_graph.releases.serving import current_release
from footprints_graph.releases.views import FOLDER, library
from footprints_graph.releases.views.library import MANIFEST, SYNTAXES, LibraryAnswers, StoredAnswer, library_texts
from footprints_graph.store.loading import load_release
from footprints_graph.web import EndpointConfig, create_app
from support.answers import assert_same_answer, ordered, read_answer
from support.security import restricted_iris
from support.servers import running_oxigraph

QRF = ox.QueryResultsFormat
SYNTAX_OF = {"application/sparql-results+json": QRF.JSON, "application/json": QRF.JSON,
             "application/sparql-results+xml": QRF.XML, "text/csv": QRF.CSV, "text/tab-separated-values": QRF.TSV}
MARKED = "victims-by-category"
MARKER = "answered from the files of the release"
MARKER_JSON = json.dumps({"head": {"vars": ["marker"]},
                          "results": {"bindings": [{"marker": {"type": "literal", "value": MARKER}}]}})
MARKER_TSV = f'?marker\n"{MARKER}"\n'
TEXT = library_texts()[MARKED]
LOADED_LATE = "<urn:example:loaded-late> <urn:example:p> <urn:example:o> .\n"


def _copy(home: Path, folder: Path) -> Path:
    """A copy of `home` (the same release: the same build id and store)."""
    return Path(shutil.copytree(home, folder / "home", symlinks=True))


def _client(home: Path, **settings):
    return create_app(EndpointConfig(home=home, query_timeout=10, cache_bytes=0, **settings)).test_client()


@pytest.fixture(scope="module")
def engine_only_home(built_home, tmp_path_factory) -> Path:
    """The release as one built before the library's answers were carried: no manifest."""
    home = _copy(built_home, tmp_path_factory.mktemp("old"))
    (current_release(home) / FOLDER / MANIFEST).unlink()
    return home


@pytest.fixture(scope="module")
def engine_only(engine_only_home):
    return _client(engine_only_home)


@pytest.fixture(scope="module")
def marked_home(built_home, tmp_path_factory) -> Path:
    """The release with MARKED's stored JSON and TSV answers (the TSV is the editor's) replaced by the marker."""
    home = _copy(built_home, tmp_path_factory.mktemp("marked"))
    stored = LibraryAnswers(current_release(home) / FOLDER).find(TEXT)
    stored.file(QRF.JSON).write_text(MARKER_JSON)
    stored.file(QRF.TSV).write_text(MARKER_TSV)
    return home


@pytest.fixture(scope="module")
def marked(marked_home):
    return _client(marked_home)


def _marker_rows(response) -> list:
    assert response.status_code == 200, response.text
    return read_answer(response.data, QRF.JSON)[1]


FROM_THE_RELEASE = [(ox.Literal(MARKER),)]


@pytest.mark.parametrize("media_type", sorted(SYNTAX_OF))
def test_each_library_query_is_answered_as_the_engine_answers(built_home, engine_only, media_type):
    carried = _client(built_home)
    syntax = SYNTAX_OF[media_type]
    for text in library_texts().values():
        stored, engine = (client.get("/sparql", query_string={"query": text}, headers={"Accept": media_type})
                          for client in (carried, engine_only))
        assert stored.status_code == engine.status_code == 200, (stored.text, engine.text)
        assert stored.headers["Content-Type"] == engine.headers["Content-Type"]
        assert stored.headers["Vary"] == engine.headers["Vary"] == "Accept"
        assert_same_answer(stored.data, engine.data, syntax, ordered(text))


def test_the_exact_text_is_answered_from_the_release(marked):
    assert _marker_rows(marked.get("/sparql", query_string={"query": TEXT, "format": "json"})) == FROM_THE_RELEASE
    sent_as_body = marked.post("/sparql", data=TEXT.encode(), content_type="application/sparql-query",
                               headers={"Accept": "application/sparql-results+json"})
    assert _marker_rows(sent_as_body) == FROM_THE_RELEASE
    from_the_editor_form = TEXT.replace("\n", "\r\n")  # a browser sends a textarea's lines so
    assert _marker_rows(marked.get("/sparql", query_string={"query": from_the_editor_form, "format": "json"})) \
        == FROM_THE_RELEASE


def test_the_editor_shows_the_stored_answer(marked):
    page = marked.get("/sparql", query_string={"query": TEXT}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert MARKER in page.text


@pytest.mark.parametrize("change", [
    lambda text: text + " ",
    lambda text: text.replace("SELECT", "SELECT ", 1),
    lambda text: text.replace("# title", "#title", 1),
])
def test_a_text_differing_by_one_character_goes_to_the_engine(marked, change):
    changed = change(TEXT)
    assert len(changed) - len(TEXT) in (-1, 1)
    rows = _marker_rows(marked.get("/sparql", query_string={"query": changed, "format": "json"}))
    assert rows and rows != FROM_THE_RELEASE


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_go_to_the_engine(marked, built_release, parameter):
    graphs = json.loads((built_release / "summary.json").read_text(encoding="utf-8"))["graphs"]
    asked = {"query": TEXT, "format": "json", parameter: sorted(graphs)}
    rows = _marker_rows(marked.get("/sparql", query_string=asked))
    assert rows != FROM_THE_RELEASE


def _largest_answer(release: Path) -> tuple[str, StoredAnswer]:
    answers = LibraryAnswers(release / FOLDER)
    return max(((text, answers.find(text)) for text in library_texts().values()), key=lambda found: found[1].rows)


@pytest.mark.parametrize("media_type", sorted(SYNTAX_OF))
def test_a_stored_answer_over_the_row_cap_is_sent_whole(built_home, built_release, media_type):
    """A researcher asking a library query gets its whole answer whatever the cap, in every syntax, and without a
    query slot; the engine, which the cap is for, still refuses the same result to a text it must evaluate."""
    text, stored = _largest_answer(built_release)
    assert stored.rows > 2
    client = _client(built_home, max_result_rows=2, max_concurrent_queries=1)
    with QuerySlots(built_home, 1).hold():
        sent = client.get("/sparql", query_string={"query": text}, headers={"Accept": media_type})
    assert sent.status_code == 200, sent.text
    assert sent.data == stored.file(SYNTAX_OF[media_type]).read_bytes()
    assert len(read_answer(sent.data, SYNTAX_OF[media_type])[1]) == stored.rows
    evaluated = client.get("/sparql", query_string={"query": text + " "}, headers={"Accept": media_type})
    assert evaluated.status_code == 400 and "more than 2" in evaluated.text


def _shown(page) -> tuple[int, list[str]]:
    """The number of rows a results page says the answer has, and the rows of its table as text."""
    assert page.status_code == 200, page.text
    total = int(re.search(r'data-total="(\d+)"', page.text)[1])
    body = page.text[page.text.index("<tbody>"):page.text.index("</tbody>")]
    return total, re.findall(r"<tr>.*?</tr>", body, re.DOTALL)


def test_the_editor_shows_a_stored_answer_as_the_engines(built_home, engine_only):
    """The page made from the stored TSV is the page made from the engine's JSON, for every library query."""
    carried = _client(built_home)
    for text in library_texts().values():
        stored, engine = (client.get("/sparql", query_string={"query": text}, headers={"Accept": "text/html"})
                          for client in (carried, engine_only))
        assert _shown(stored) == _shown(engine) if "<tbody>" in engine.text else stored.text == engine.text


def test_the_editor_shows_the_first_rows_of_a_long_stored_answer(built_home, built_release, monkeypatch):
    """Past the table's bound (here 2 rows, the cap lower still) the page shows the answer's first rows in its
    order, says how many it has and offers the whole answer for download."""
    monkeypatch.setattr(editor, "TABLE_ROWS", 2)
    text, stored = _largest_answer(built_release)
    page = _client(built_home, max_result_rows=1).get("/sparql", query_string={"query": text},
                                                      headers={"Accept": "text/html"})
    whole = _client(built_home, max_result_rows=0).get("/sparql", query_string={"query": text + " "},
                                                       headers={"Accept": "text/html"})
    total, rows = _shown(page)
    assert (total, len(rows)) == (stored.rows, 2)
    assert rows == _shown(whole)[1][:2]
    assert "format=csv" in page.text


def test_with_the_answer_cache_on_a_repeat_is_the_stored_answer(built_home, built_release):
    """The whole-response cache (cache.ResponseCache) keeps the file's bytes as sent, not an emptied file."""
    app = create_app(EndpointConfig(home=built_home))
    client, cache = app.test_client(), app.extensions[EXTENSION]
    stored = LibraryAnswers(built_release / FOLDER).find(TEXT).file(QRF.CSV).read_bytes()
    answers = [client.get("/sparql", query_string={"query": TEXT, "format": "csv"}).data for _ in range(3)]
    assert answers == [stored] * 3 and cache.hits == 2


def test_with_the_answer_cache_on_an_answer_larger_than_the_cache_is_sent_a_block_at_a_time(built_home, built_release,
                                                                                             monkeypatch):
    """A stored answer the cache cannot keep, and too large to be kept by the worker, is streamed from its file,
    never joined whole in the worker's memory (persons-by-source at 100,000 victims is 73 MB of JSON: joined on
    every request with the cache on)."""
    text, stored = _largest_answer(built_release)
    file = stored.file(QRF.JSON)
    assert file.stat().st_size > 2 * 8192  # more than one of the file wrapper's blocks
    monkeypatch.setattr(library, "SMALL_ANSWER_BYTES", 2 * 8192)  # the fixture's answers are all small
    app = create_app(EndpointConfig(home=built_home, cache_bytes=file.stat().st_size - 1))
    environ = EnvironBuilder(path="/sparql", query_string={"query": text},
                             headers={"Accept": "application/sparql-results+json"}).get_environ()
    statuses = []
    chunks = list(app.wsgi_app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert statuses == ["200 OK"] and b"".join(chunks) == file.read_bytes()
    assert len(chunks) > 1 and len(app.extensions[EXTENSION]) == 0


def test_an_old_release_is_answered_by_the_engine(engine_only):
    for text in library_texts().values():
        assert engine_only.get("/sparql", query_string={"query": text}).status_code == 200


def test_a_stored_answer_takes_no_query_slot(marked_home):
    """With every query slot held by others, the engine is busy (503) but a stored answer is still sent."""
    client = _client(marked_home, max_concurrent_queries=1)
    with QuerySlots(marked_home, 1).hold():
        busy = client.get("/sparql", query_string={"query": TEXT + " ", "format": "json"})
        answered = client.get("/sparql", query_string={"query": TEXT, "format": "json"})
    assert busy.status_code == 503
    assert _marker_rows(answered) == FROM_THE_RELEASE


def test_no_restricted_record_is_in_a_library_answer(restricted_home):
    client, hidden = _client(restricted_home), restricted_iris(restricted_home)
    assert hidden
    for text in library_texts().values():
        for media_type in ("application/sparql-results+json", "text/csv"):
            answer = client.get("/sparql", query_string={"query": text}, headers={"Accept": media_type}).text
            assert not [iri for iri in hidden if iri in answer]


@pytest.fixture
def server(built_home, tmp_path):
    """An Oxigraph server of the test's own holding the built release, and a marked copy of the home whose first
    graph has one triple more: a release built but not loaded yet (as test_serving_follows_the_store)."""
    with running_oxigraph(tmp_path / "oxigraph") as (oxigraph, _):
        load_release(current_release(built_home), oxigraph.store(graph_store=True), tmp_path / "load.json")
        home = _copy(built_home, tmp_path)
        release = current_release(home)
        LibraryAnswers(release / FOLDER).find(TEXT).file(QRF.JSON).write_text(MARKER_JSON)
        summary = json.loads((release / "summary.json").read_text(encoding="utf-8"))
        graph = sorted(summary["graphs"])[0]
        summary["graphs"][graph]["triples"] += 1
        (release / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
        yield oxigraph, home, release_graph(summary["build_id"], graph)


def test_serving_from_a_sparql_server_the_stored_answer_is_sent_once_it_holds_the_release(server):
    oxigraph, home, graph = server
    client = _client(home, store_url=oxigraph.query_url)
    asked = {"query": TEXT, "format": "json"}
    assert _marker_rows(client.get("/sparql", query_string=asked)) != FROM_THE_RELEASE  # being loaded: the engine
    oxigraph.store(graph_store=True).add(graph, [LOADED_LATE])  # the load finishes
    assert _marker_rows(client.get("/sparql", query_string=asked)) == FROM_THE_RELEASE


def test_every_syntax_is_stored(built_release):
    stored = LibraryAnswers(built_release / FOLDER).find(TEXT)
    assert sorted(stored.files) == sorted(s.file_extension for s in SYNTAXES)


def test_a_small_stored_answer_is_sent_whole_from_the_workers_memory(built_home, built_release):
    """An answer of at most SMALL_ANSWER_BYTES is read once with the release's answers and sent as those bytes, in
    one piece (sending its file cost a small answer more than its bytes); the same bytes as the file."""
    text, stored = _largest_answer(built_release)
    file = stored.file(QRF.JSON)
    assert 2 * 8192 < file.stat().st_size <= library.SMALL_ANSWER_BYTES  # a file would go in the wrapper's blocks
    app = create_app(EndpointConfig(home=built_home, cache_bytes=0))
    environ = EnvironBuilder(path="/sparql", query_string={"query": text},
                             headers={"Accept": "application/sparql-results+json"}).get_environ()
    chunks = list(app.wsgi_app(environ, lambda status, headers, exc_info=None: None))
    assert chunks == [file.read_bytes()]
