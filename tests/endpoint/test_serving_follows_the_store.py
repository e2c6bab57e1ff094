"""Issue 20, drift: `build` makes a release current before `load` has put it on the server, so a site served
from a SPARQL server must not keep what it computes from a server that does not hold the release yet — neither
/sparql answers (the answer cache and the whole-response cache) nor per-release models (VoID statistics, the
reconciliation index) — and must keep them once it does. On an Oxigraph server of the test's own."""

import json
import shutil

import pytest

from footprints_graph.endpoint.sparql.cache import EXTENSION
from footprints_graph.iris import release_graph
from footprints_graph.releases.serving import current_release
from footprints_graph.store.loading import load_release
from footprints_graph.web import EndpointConfig, create_app
from support.servers import running_oxigraph

COUNT = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
JSON = {"Accept": "application/sparql-results+json"}
MISSING = "<urn:example:loaded-late> <urn:example:p> <urn:example:o> .\n"


@pytest.fixture
def server(built_home, tmp_path):
    """The Oxigraph server holding the built release, and a home whose current release has one triple more in
    its first graph: a release built but not loaded yet."""
    with running_oxigraph(tmp_path / "oxigraph") as (oxigraph, _):
        load_release(current_release(built_home), oxigraph.store(graph_store=True), tmp_path / "load.json")
        home = tmp_path / "home"
        shutil.copytree(built_home, home, symlinks=True)
        summary_file = current_release(home) / "summary.json"
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        graph = sorted(summary["graphs"])[0]
        summary["graphs"][graph]["triples"] += 1
        summary["triples"] += 1
        summary_file.write_text(json.dumps(summary), encoding="utf-8")
        yield oxigraph, home, release_graph(summary["build_id"], graph)  # the graph as the server names it


def _count(client) -> int:
    response = client.post("/sparql", data=COUNT, headers=JSON)
    assert response.status_code == 200, response.data
    return int(response.json["results"]["bindings"][0]["n"]["value"])


def test_nothing_is_kept_until_the_server_holds_the_release(server):
    oxigraph, home, graph = server
    app = create_app(EndpointConfig(home=home, store_url=oxigraph.query_url, query_timeout=10))
    client, answers = app.test_client(), app.extensions[EXTENSION]
    before = _count(client)
    assert _count(client) == before and answers.hits == 0 and len(answers) == 0
    assert client.get("/.well-known/void", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/reconcile").status_code == 200
    assert app.extensions["footprints"].release().cache == {}
    assert client.get("/ready").status_code == 503

    oxigraph.store(graph_store=True).add(graph, [MISSING])  # the load finishes
    assert _count(client) == before + 1  # not the answer given before the load
    assert _count(client) == before + 1 and answers.hits == 1
    assert client.get("/ready").status_code == 200
    client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert app.extensions["footprints"].release().cache
