"""Issue 20, clear failures: a SPARQL server that cannot be reached makes every route that reads the store
answer 503 with Retry-After and a page that says so (home included), never a 500; /health answers while the
store is down, /ready does not, and /ready compares the store's triples with the serving release's."""

import json
import shutil

import pytest

from footprints_graph.releases.serving import current_release
from footprints_graph.store.loading import load_release
from footprints_graph.web import EndpointConfig, create_app
from support.servers import running_oxigraph
from support.serving import free_port

RECONCILE = "/reconcile?queries=" + json.dumps({"q0": {"query": "Kim"}})
STORE_ROUTES = ["/", "/search?q=kim", "/browse", "/id/person/kim-jung-wook", "/.well-known/void", "/ontology", "/ready"]
SELECT = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}


def _site(home, store_url=None):
    return create_app(EndpointConfig(home=home, store_url=store_url, query_timeout=10, cache_bytes=0)).test_client()


def _assert_unavailable(response, path):
    assert response.status_code == 503, (path, response.status_code, response.data[:300])
    assert int(response.headers["Retry-After"]) > 0, path
    page = response.get_data(as_text=True)
    assert "cannot be reached" in page and "<html" in page.lower(), path


def _assert_every_route_unavailable(client, routes=(*STORE_ROUTES, RECONCILE)):
    for path in routes:
        _assert_unavailable(client.get(path, headers={"Accept": "text/html"}), path)
    response = client.post("/sparql", data=SELECT, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 503 and response.headers["Retry-After"] and b"cannot be reached" in response.data
    assert client.get("/health").status_code == 200


def test_nothing_listening_is_503_on_every_route(built_home):
    nowhere = f"http://127.0.0.1:{free_port()}/sparql"  # a port nothing listens on: connection refused
    _assert_every_route_unavailable(_site(built_home, nowhere))


def test_the_503_page_does_not_show_the_stores_address(built_home):
    port = free_port()
    page = _site(built_home, f"http://127.0.0.1:{port}/sparql").get("/", headers={"Accept": "text/html"})
    assert page.status_code == 503 and str(port) not in page.get_data(as_text=True)


def test_health_and_ready_on_the_embedded_store(built_home):
    client = _site(built_home)
    assert client.get("/health").json == {"status": "up"}
    ready = client.get("/ready")
    summary = json.loads((current_release(built_home) / "summary.json").read_text(encoding="utf-8"))
    assert ready.status_code == 200 and ready.headers["Cache-Control"] == "no-store"
    assert ready.json == {"status": "ready", "release": current_release(built_home).name,
                          "triples": summary["triples"]}


def test_ready_is_503_when_the_store_does_not_hold_the_release(built_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(built_home, home, symlinks=True)
    summary_file = current_release(home) / "summary.json"
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    graph = sorted(summary["graphs"])[0]
    summary["graphs"][graph]["triples"] += 1  # the release claims a triple its store lacks
    summary_file.write_text(json.dumps(summary), encoding="utf-8")
    ready = _site(home).get("/ready")
    assert ready.status_code == 503 and int(ready.headers["Retry-After"]) > 0
    claimed = summary["graphs"][graph]["triples"]
    release = current_release(home).name
    assert ready.json["mismatches"] == [f"{graph}: {claimed - 1} in the store, {claimed} in release {release}"]


@pytest.fixture
def server(built_home, tmp_path):
    """An Oxigraph server of this test's own, holding the release, that the test may stop."""
    with running_oxigraph(tmp_path / "oxigraph") as (oxigraph, stop):
        load_release(current_release(built_home), oxigraph.store(graph_store=True), tmp_path / "load.json")
        yield oxigraph, stop


def test_a_server_that_stops_is_503_on_every_route(server, built_home):
    oxigraph, stop = server
    client = _site(built_home, oxigraph.query_url)
    assert client.get("/ready").json["status"] == "ready"
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
    matched = client.get(RECONCILE)
    assert matched.status_code == 200 and matched.json["q0"]["result"]
    stop()
    _assert_every_route_unavailable(client, STORE_ROUTES)
    # names are matched on the release's name index (a view it carries, read once the server was seen to hold
    # the release), so reconciliation answers as before; with no server ever reached it is a 503 (test above)
    assert client.get(RECONCILE).json == matched.json
