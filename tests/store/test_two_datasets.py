"""Issue 20, finding 5: a real dataset (data/) and a synthetic one loaded into one Virtuoso, each served by its own
`serve --store`, never see each other — counts, library answers and VoID are each dataset's own, as from its
embedded store — and a `--replace` load or an `unload` of the synthetic one leaves the real one whole. Before,
the two shared the ontology graph's name, so the synthetic load's --replace dropped the real dataset's ontology."""

import json
import shutil
from pathlib import Path

import pytest
import requests
from rdflib import Graph
from rdflib.namespace import VOID

from footprints_graph.cli import main
from footprints_graph.convert.synth import write_synthetic
from footprints_graph.endpoint.sparql.library import library_query
from footprints_graph.iris import SYNTHETIC_BASE
from footprints_graph.releases.build import build
from footprints_graph.releases.serving import current_release
from footprints_graph.web import EndpointConfig, create_app
from support.servers import Server
from support.serving import serving

SYNTHETIC_VICTIMS = 40
LIBRARY = ("victims-by-category", "named-detainees")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def homes(built_home, tmp_path_factory) -> dict[str, Path]:
    """A copy of the built home (its own load progress) and a home with a synthetic release."""
    folder = tmp_path_factory.mktemp("two-datasets")
    write_synthetic(folder / "synthetic-records", SYNTHETIC_VICTIMS, 0)
    build(folder / "synthetic-records", folder / "synthetic", base=SYNTHETIC_BASE)
    return {"real": Path(shutil.copytree(built_home, folder / "real", symlinks=True)), "synthetic": folder / "synthetic"}


def _load(server: Server, home: Path, *flags: str) -> None:
    assert main(["load", "--home", str(home), *server.load_arguments(graph_store=True), *flags]) == 0


def _summary(home: Path) -> dict:
    return json.loads((current_release(home) / "summary.json").read_text(encoding="utf-8"))


def _rows(body: dict) -> list[tuple]:
    """Solutions as sorted (variable, value) pairs: values only, since Virtuoso keeps an xsd:nonNegativeInteger
    that Oxigraph writes as xsd:integer (docs/scaling.md)."""
    return sorted(tuple(sorted((name, term["value"]) for name, term in row.items()))
                  for row in body["results"]["bindings"])


def _ask(url: str, query: str) -> dict:
    response = requests.post(f"{url}/sparql", data={"query": query}, headers=JSON, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def _void(url: str) -> Graph:
    response = requests.get(f"{url}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=60)
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="turtle")


def _embedded_rows(home: Path, query: str) -> list[tuple]:
    client = create_app(EndpointConfig(home=home, cache_bytes=0)).test_client()
    response = client.post("/sparql", data={"query": query}, headers=JSON)
    assert response.status_code == 200, response.data
    return _rows(response.json)


def _what_it_serves(url: str, home: Path) -> dict:
    """The dataset as a site shows it: its triple count, library answers and VoID graphs and triples."""
    void = _void(url)
    return {"count": int(_rows(_ask(url, COUNT))[0][0][1]),
            # one newline more: a text whose answer the release does not carry, so Virtuoso answers it
            "library": {name: _rows(_ask(url, library_query(name).text + "\n")) for name in LIBRARY},
            "void graphs": {str(graph) for graph in void.subjects(VOID.triples, None)} & set(_summary(home)["graphs"]),
            "void triples": {str(s): int(o) for s, o in void.subject_objects(VOID.triples)
                             if str(s) in _summary(home)["graphs"]}}


def _expected(home: Path) -> dict:
    summary = _summary(home)
    return {"count": summary["triples"],
            "library": {name: _embedded_rows(home, library_query(name).text) for name in LIBRARY},
            "void graphs": set(summary["graphs"]),
            "void triples": {graph: figures["triples"] for graph, figures in summary["graphs"].items()}}


@pytest.fixture(scope="module")
def sites(virtuoso, homes, tmp_path_factory):
    """Both datasets loaded into the one Virtuoso, each served by `serve --store` of its own."""
    for home in homes.values():
        _load(virtuoso, home)
    logs = tmp_path_factory.mktemp("serve")
    read_url = virtuoso.query_url.removesuffix("-auth")  # the anonymous endpoint
    with serving(homes["real"], logs / "real.log", ["--store", read_url, "--workers", "1"]) as (real, _), \
            serving(homes["synthetic"], logs / "synthetic.log", ["--store", read_url, "--workers", "1"]) as (synth, _):
        yield {"real": real, "synthetic": synth}


def test_each_site_serves_its_own_dataset_alone(sites, homes):
    assert _summary(homes["real"])["build_id"] != _summary(homes["synthetic"])["build_id"]
    for name, url in sites.items():
        assert _what_it_serves(url, homes[name]) == _expected(homes[name]), name
    real_void = _void(sites["real"])
    assert not any(SYNTHETIC_BASE in str(term) for term in real_void.all_nodes())


def test_replacing_or_unloading_the_synthetic_dataset_leaves_the_real_one_whole(sites, homes, virtuoso):
    real = _what_it_serves(sites["real"], homes["real"])
    _load(virtuoso, homes["synthetic"], "--replace")
    assert _what_it_serves(sites["real"], homes["real"]) == real == _expected(homes["real"])
    assert main(["unload", "--home", str(homes["synthetic"]), "--from", virtuoso.query_url,
                 "--graph-store-url", virtuoso.graph_store_url, "--user", virtuoso.user,
                 "--password", virtuoso.password]) == 0
    assert _what_it_serves(sites["real"], homes["real"]) == real
    assert requests.get(f"{sites['synthetic']}/ready", timeout=60).status_code == 503  # its graphs are gone
