"""A real build of data/ pushed into Virtuoso 7 and into the Oxigraph server with `footprints-graph load`:
every named graph arrives whole, researchers' queries answer as on the embedded store, a load that fails
half-way continues where it stopped, loading twice changes nothing, and Virtuoso's silent truncation at
ResultSetMaxRows becomes a clear error. The servers come from tests/support/servers.py (installed when missing)."""

import json
import shutil
from pathlib import Path

import pytest
from rdflib import URIRef

from footprints_graph.cli import main
from footprints_graph.store.embedded import open_store
from footprints_graph.store.loading import store_graphs
from footprints_graph.store.remote import RemoteStore, RemoteStoreError, TruncatedResults
from support.servers import VIRTUOSO_MAX_ROWS, Server

DOC = "https://w3id.org/footprints-graph/id/document/"
PREFIXES = """PREFIX fp: <https://w3id.org/footprints-graph/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
RESEARCHER_QUERIES = {
    "wartime abductees in their 20s, with the source": """
        SELECT ?count ?asOf ?source WHERE { ?figure a qb:Observation ; fp:victimCategory fp:WartimeAbductee ;
          fp:ageGroup/skos:notation "20s" ; fp:count ?count ; fp:asOf ?asOf ; dct:source ?source }""",
    "people by category": """
        SELECT ?category (COUNT(DISTINCT ?person) AS ?people) WHERE {
          ?person a fp:Victim ; fp:victimCategory/skos:notation ?category } GROUP BY ?category""",
    "detainees and the document that lists them": """
        SELECT ?person ?source WHERE { ?listing a fp:Listing ; fp:listingOf ?person ;
          fp:victimCategory fp:Detainee ; dct:source ?source }""",
    "complete breakdowns add up to their totals": """
        SELECT ?dataset ?total (SUM(?part) AS ?sum) WHERE { ?dataset fp:completeBreakdown true ;
          fp:total/fp:count ?total . ?observation qb:dataSet ?dataset ; fp:count ?part } GROUP BY ?dataset ?total""",
    "sources of each event of a named person": """
        SELECT ?event ?source WHERE { GRAPH ?g { ?event fp:victim ?person ; dct:source ?source } }""",
}
FAIL_AFTER = 5  # requests that succeed before the simulated server error


@pytest.fixture
def home(built_home, tmp_path) -> Path:
    """A private copy of the built home: its own load progress files, the same release."""
    return Path(shutil.copytree(built_home, tmp_path / "home", symlinks=True))


@pytest.fixture
def release_counts(built_home) -> dict[str, int]:
    summary = json.loads((built_home / "current" / "summary.json").read_text())
    return {graph: figures["triples"] for graph, figures in summary["graphs"].items()}


@pytest.fixture
def in_store(built_home) -> dict[str, str]:
    """The release's graphs by the names the server keeps them under (iris.release_graph)."""
    return store_graphs(json.loads((built_home / "current" / "summary.json").read_text()))


def _counts_on(server: Server, in_store: dict[str, str]) -> dict[str, int]:
    """The server's count of each release graph, by public name."""
    counts = server.store().triple_counts(sorted(in_store.values()))
    return {graph: counts[stored] for graph, stored in in_store.items()}


@pytest.fixture(params=["virtuoso", "oxigraph"])
def server(request) -> Server:
    return request.getfixturevalue(request.param)


def _load(capsys, server: Server, home: Path, *flags: str, graph_store: bool = False) -> tuple[int, dict]:
    code = main(["load", "--home", str(home), *server.load_arguments(graph_store), *flags])
    out = capsys.readouterr()
    return code, json.loads(out.out) if code == 0 else {"error": out.err}


@pytest.mark.parametrize("graph_store", [False, True], ids=["update", "graph-store"])
def test_a_load_holds_every_named_graph_of_the_release(capsys, server, home, release_counts, in_store, graph_store):
    code, report = _load(capsys, server, home, "--replace", graph_store=graph_store)
    assert code == 0, report
    assert report["counts"] == release_counts
    assert _counts_on(server, in_store) == release_counts
    assert set(server.store().triple_counts(sorted(release_counts)).values()) == {0}  # no graph by a public name


def _rows(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(sorted((name, str(value)) for name, value in row.items())) for row in rows)


def _embedded(home: Path, query: str) -> list[dict]:
    results = open_store(home / "current" / "store").query(query, use_default_graph_as_union=True)
    return [{v.value: row[v].value for v in results.variables if row[v] is not None} for row in results]


@pytest.mark.parametrize("question", RESEARCHER_QUERIES)
def test_researchers_get_the_same_answers_as_from_the_embedded_store(capsys, server, home, question):
    assert _load(capsys, server, home, "--replace", graph_store=True)[0] == 0
    query = PREFIXES + RESEARCHER_QUERIES[question]
    remote = server.store().select(query)
    assert remote and _rows(remote) == _rows(_embedded(home, query))


def test_the_count_of_wartime_abductees_in_their_20s_comes_with_its_source(capsys, server, home):
    assert _load(capsys, server, home, "--replace", graph_store=True)[0] == 0
    rows = server.store().select(PREFIXES + RESEARCHER_QUERIES["wartime abductees in their 20s, with the source"])
    assert [(int(r["count"]), str(r["source"])) for r in rows] == [(56437, DOC + "footprints-south-korean-victims")]


def test_ask_and_construct_come_back_parsed(capsys, server, home):
    assert _load(capsys, server, home, "--replace", graph_store=True)[0] == 0
    store, person = server.store(), URIRef("https://w3id.org/footprints-graph/id/person/kim-jung-wook")
    assert store.ask(PREFIXES + f"ASK {{ <{person}> a fp:Victim }}")  # his sources disagree on the category (issue 14)
    graph = store.construct(PREFIXES + f"CONSTRUCT {{ ?l fp:listingOf <{person}> }} WHERE {{ ?l fp:listingOf <{person}> }}")
    assert len(graph) == 2  # listed by the page and by MOU


@pytest.mark.parametrize("graph_store", [False, True], ids=["update", "graph-store"])
def test_a_load_that_fails_half_way_continues_where_it_stopped(capsys, server, home, release_counts, in_store,
                                                               monkeypatch, graph_store):
    real_add, calls = RemoteStore.add, []

    def add_then_fail(store, graph, lines, replace=False):
        calls.append(graph)
        if len(calls) > FAIL_AFTER:
            raise RemoteStoreError("simulated server error")
        real_add(store, graph, lines, replace)

    monkeypatch.setattr(RemoteStore, "add", add_then_fail)
    code, failed = _load(capsys, server, home, "--replace", "--batch", "200", graph_store=graph_store)
    assert code == 2 and "simulated server error" in failed["error"] and "run the same load again" in failed["error"]
    [progress_file] = (home / "loads").glob("*.json")
    acknowledged = json.loads(progress_file.read_text())["acknowledged"]
    assert 0 < acknowledged <= FAIL_AFTER
    assert sum(_counts_on(server, in_store).values()) < sum(release_counts.values())

    monkeypatch.undo()
    code, resumed = _load(capsys, server, home, "--replace", "--batch", "200", graph_store=graph_store)
    assert code == 0, resumed
    assert resumed["batches_resumed_after"] == acknowledged
    assert resumed["counts"] == release_counts  # every triple there, none twice (blank nodes included)


@pytest.mark.parametrize("graph_store", [False, True], ids=["update", "graph-store"])
def test_loading_twice_gives_the_same_counts(capsys, server, home, release_counts, graph_store):
    first = _load(capsys, server, home, "--replace", graph_store=graph_store)
    second = _load(capsys, server, home, graph_store=graph_store)
    assert first[0] == second[0] == 0
    assert second[1]["batches_resumed_after"] == 0 and second[1]["triples_sent"] == sum(release_counts.values())
    assert first[1]["counts"] == second[1]["counts"] == release_counts


def test_a_stray_triple_in_a_releases_graph_fails_the_check_until_replace(capsys, server, home, in_store):
    """A release's graphs on the server hold that release alone, so a triple written there by hand makes the check
    fail, naming the graph; --replace starts clean. The same triple under the public name is no concern of ours."""
    people = "https://w3id.org/footprints-graph/id/graph/people"
    assert _load(capsys, server, home, "--replace", graph_store=True)[0] == 0
    for graph in (in_store[people], people):
        server.store().update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:stray> <urn:x:p> 'left over' }} }}")
    code, report = _load(capsys, server, home, graph_store=True)
    assert code == 2 and in_store[people] in report["error"] and "--replace" in report["error"]
    assert _load(capsys, server, home, "--replace", graph_store=True)[0] == 0
    assert not server.store().ask(f"ASK {{ GRAPH <{in_store[people]}> {{ <urn:x:stray> ?p ?o }} }}")
    assert server.store().triple_counts([people]) == {people: 1}
    server.store().drop(people)  # the servers are the session's


@pytest.mark.parametrize("graph_store", [False, True], ids=["update", "graph-store"])
def test_dropping_many_missing_graphs_is_no_error(server, graph_store):
    """Regression: urllib's digest handler stopped authenticating after a few 404s (Virtuoso, graph store)."""
    store = server.store(graph_store)
    for number in range(10):
        store.drop(f"urn:x:missing-{number}")


def test_virtuoso_truncation_at_result_set_max_rows_is_an_error(capsys, virtuoso, home, release_counts):
    assert sum(release_counts.values()) > VIRTUOSO_MAX_ROWS
    assert _load(capsys, virtuoso, home, "--replace", graph_store=True)[0] == 0
    with pytest.raises(TruncatedResults, match="ResultSetMaxRows"):
        virtuoso.store().select("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len(virtuoso.store().select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 10")) == 10


def test_an_unreachable_server_is_exit_2_with_a_message(capsys, home):
    code = main(["load", "--home", str(home), "--to", "http://127.0.0.1:9/sparql"])
    assert code == 2
    assert "cannot reach http://127.0.0.1:9/sparql" in capsys.readouterr().err


def test_loading_before_any_build_is_exit_2(capsys, tmp_path):
    assert main(["load", "--home", str(tmp_path), "--to", "http://127.0.0.1:9/sparql"]) == 2
    assert "run 'footprints-graph build' first" in capsys.readouterr().err
