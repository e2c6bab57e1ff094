"""`footprints-graph unload` and the release switch (issue 20): a release's graphs leave the server, nothing else
does; a load puts a release in graphs of its own, so the release served meanwhile is answered unchanged, and its
graphs go only after the switch; a password comes from $FOOTPRINTS_REMOTE_PASSWORD as well as from the flag. On
an Oxigraph server of the test's own (tests/support/servers.py), since other test modules keep the release loaded
in the shared ones."""

import json
import shutil

import pyoxigraph as ox
import pytest
import requests

from footprints_graph.cli import main, parser
from footprints_graph.releases.serving import current_release, make_current
from footprints_graph.store.loading import store_graphs
from footprints_graph.store.remote import RemoteStore
from footprints_graph.web import EndpointConfig, create_app
from support.servers import running_oxigraph

OTHER = "urn:example:another-dataset"


@pytest.fixture
def server(tmp_path):
    with running_oxigraph(tmp_path / "oxigraph") as (oxigraph, _):
        yield oxigraph


def _summary(release) -> dict:
    return json.loads((release / "summary.json").read_text(encoding="utf-8"))


def _counts_on_server(store, release) -> dict[str, int]:
    """The server's count of each graph of `release`, by the server's names."""
    return store.triple_counts(sorted(store_graphs(_summary(release)).values()))


def _release_counts(release) -> dict[str, int]:
    """Each graph's count in `release`, by the server's names."""
    in_store = store_graphs(_summary(release))
    return {in_store[graph]: figures["triples"] for graph, figures in _summary(release)["graphs"].items()}


def test_unload_removes_the_releases_graphs_and_nothing_else(server, built_home, tmp_path, capsys):
    home = shutil.copytree(built_home, tmp_path / "home", symlinks=True)  # load keeps its progress there
    store = server.store(graph_store=True)
    store.add(OTHER, ["<urn:example:s> <urn:example:p> <urn:example:o> .\n"])
    assert main(["load", "--home", str(home), *server.load_arguments(graph_store=True)]) == 0
    counts = _release_counts(current_release(home))
    assert _counts_on_server(store, current_release(home)) == counts
    capsys.readouterr()
    assert main(["unload", "--home", str(home), "--from", server.query_url,
                 "--update-url", server.update_url, "--graph-store-url", server.graph_store_url]) == 0
    assert json.loads(capsys.readouterr().out) == {"release": current_release(home).name,
                                                   "dropped": sorted(counts)}
    assert set(_counts_on_server(store, current_release(home)).values()) == {0}
    assert store.triple_counts([OTHER]) == {OTHER: 1}


def test_unload_of_a_release_that_is_not_there_is_exit_2(built_home, capsys):
    code = main(["unload", "--home", str(built_home), "--release", "no-such-build", "--from", "http://127.0.0.1:9/q"])
    assert code == 2 and "no release no-such-build" in capsys.readouterr().err


def test_the_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FOOTPRINTS_REMOTE_PASSWORD", "from-the-environment")
    for command in (["load", "--to", "http://127.0.0.1:9/q"], ["unload", "--from", "http://127.0.0.1:9/q"]):
        assert parser().parse_args(command).password == "from-the-environment"


def _second_release(built_home, tmp_path, name: str):
    """A copy of the built home, its current release `first` and a folder `name` beside it for a second one;
    the first's N-Quads dump lines and summary, for the test to change and write into the second."""
    home = tmp_path / "home"
    shutil.copytree(built_home, home, symlinks=True)
    first = current_release(home)
    second = first.parent / name
    (second / "dumps").mkdir(parents=True)
    lines = (first / "dumps" / "footprints.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    return home, second, lines, json.loads((first / "summary.json").read_text(encoding="utf-8"))


def _write_release(second, lines: list[str], summary: dict) -> None:
    (second / "dumps" / "footprints.nq").write_text("".join(lines), encoding="utf-8")
    (second / "summary.json").write_text(json.dumps(summary | {"build_id": second.name}), encoding="utf-8")


def _release_without(built_home, tmp_path, graph: str):
    """A copy of the built home with a second release: the first without `graph` (a table removed from the
    records), made current."""
    home, second, lines, summary = _second_release(built_home, tmp_path, "second-release")
    summary["triples"] -= summary["graphs"].pop(graph)["triples"]
    _write_release(second, [q for q in lines if f"<{graph}> .\n" not in q], summary)
    return home, second


def test_after_the_switch_the_previous_releases_graphs_go(server, built_home, tmp_path, capsys):
    """Issue 20: a table removed from the records left its graph on the server, even after --replace. Now every
    graph of the release loaded before goes, once the new one is current."""
    counts = _summary(built_home / "current")["graphs"]
    gone = next(graph for graph in sorted(counts) if not graph.endswith("/ontology"))
    home, second = _release_without(built_home, tmp_path, gone)
    first = current_release(home)
    assert main(["load", "--home", str(home), *server.load_arguments(graph_store=True)]) == 0
    make_current(home, second)
    capsys.readouterr()
    assert main(["load", "--home", str(home), *server.load_arguments(graph_store=True)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["previous"] == first.name and report["dropped"] == sorted(_release_counts(first))
    store = server.store()
    assert set(_counts_on_server(store, first).values()) == {0}
    assert _counts_on_server(store, second) == _release_counts(second)


def test_with_keep_previous_the_previous_release_stays_until_unloaded(server, built_home, tmp_path, capsys):
    """Replicas on their own homes still serve the previous release after this home's switch: `--keep-previous`
    leaves its graphs for them, and `unload --release` removes them once they have switched."""
    counts = _summary(built_home / "current")["graphs"]
    home, second = _release_without(built_home, tmp_path, next(graph for graph in sorted(counts)
                                                               if not graph.endswith("/ontology")))
    first = current_release(home)
    assert main(["load", "--home", str(home), *server.load_arguments(graph_store=True)]) == 0
    capsys.readouterr()
    assert main(["load", "--home", str(home), "--release", second.name, "--keep-previous",
                 *server.load_arguments(graph_store=True)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["previous"] == first.name and report["dropped"] == []
    store = server.store()
    assert _counts_on_server(store, first) == _release_counts(first)
    assert main(["unload", "--home", str(home), "--release", first.name, "--from", server.query_url,
                 "--update-url", server.update_url, "--graph-store-url", server.graph_store_url]) == 0
    assert set(_counts_on_server(store, first).values()) == {0}
    assert _counts_on_server(store, second) == _release_counts(second)


PREF_LABEL = "<https://w3id.org/footprints-graph/id/person/kim-jung-wook> <http://www.w3.org/2004/02/skos/core#prefLabel> "
NEW_LABEL = '"Kim Jung-wook (changed)"@en'


def _release_changing_a_label(built_home, tmp_path):
    """A copy of the built home with a second release: the first with a person's preferred label changed (the
    same number of triples). The label it had, the release and the graph."""
    home, second, lines, summary = _second_release(built_home, tmp_path, "changed-release")
    index = next(number for number, line in enumerate(lines) if line.startswith(PREF_LABEL))
    old_label, graph = lines[index].removeprefix(PREF_LABEL).removesuffix(" .\n").rsplit(" ", 1)
    lines[index] = f"{PREF_LABEL}{NEW_LABEL} {graph} .\n"
    _write_release(second, lines, summary)
    return old_label, home, second, graph.strip("<>")


def _served_labels(client) -> set[str]:
    query = f"SELECT ?label WHERE {{ {PREF_LABEL} ?label }}"
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.data
    return {row["label"]["value"] for row in response.json["results"]["bindings"]}


def test_while_a_release_loads_the_one_served_is_unchanged_then_the_switch(server, built_home, tmp_path,
                                                                            monkeypatch):
    """Issue 20: two releases of one dataset shared graph names, so a load in progress served a mix (here: both
    labels of a person whose label changed). The site, asked between two batches of the second release's load,
    answers the first release alone; once the load is checked it answers the second alone."""
    _, home, second, _ = _release_changing_a_label(built_home, tmp_path)
    first = current_release(home)
    assert main(["load", "--home", str(home), *server.load_arguments(graph_store=True)]) == 0
    client = create_app(EndpointConfig(home=home, store_url=server.query_url, cache_bytes=0)).test_client()
    first_labels = _served_labels(client)
    assert "Kim Jung-wook (changed)" not in first_labels
    real_add, seen_while_loading = RemoteStore.add, []

    def add_then_ask(store, graph, lines, replace=False):
        real_add(store, graph, lines, replace)
        seen_while_loading.append((current_release(home), _served_labels(client)))

    monkeypatch.setattr(RemoteStore, "add", add_then_ask)
    batch = "500"  # several requests, so the site is asked with part of the second release on the server
    assert main(["load", "--home", str(home), "--release", second.name, "--batch", batch,
                 *server.load_arguments(graph_store=True)]) == 0
    assert len(seen_while_loading) > 2
    assert seen_while_loading == [(first, first_labels)] * len(seen_while_loading)
    assert current_release(home) == second and _served_labels(client) == {"Kim Jung-wook (changed)"}
    assert set(_counts_on_server(server.store(), first).values()) == {0}


def test_load_of_a_named_release_makes_it_current_once_the_server_holds_it(server, built_home, tmp_path):
    """Issue 20, the switch: load, check the counts, then make current — and not when the load fails."""
    _, home, second, _ = _release_changing_a_label(built_home, tmp_path)
    first = current_release(home)
    unreachable = ["--to", "http://127.0.0.1:9/sparql"]
    assert main(["load", "--home", str(home), "--release", second.name, *unreachable]) == 2
    assert current_release(home) == first
    assert main(["load", "--home", str(home), "--release", second.name, *server.load_arguments(graph_store=True)]) == 0
    assert current_release(home) == second


@pytest.mark.slow
def test_build_can_leave_the_served_release_current(built_home, data, tmp_path):
    """`build --keep-current` writes a new release without serving it: `load --release` switches once loaded."""
    home = shutil.copytree(built_home, tmp_path / "home", symlinks=True)
    served = current_release(home)
    people = data / "people.csv"
    people.write_text(people.read_text(encoding="utf-8").replace("Kim Jung-Wook", "Kim Jung-Wook (renamed)", 1),
                      encoding="utf-8")
    assert main(["build", "--data", str(data), "--home", str(home), "--keep-current"]) == 0
    assert current_release(home) == served
    built = [release for release in (home / "releases").iterdir() if release != served]
    assert len(built) == 1 and (built[0] / "summary.json").is_file()


def test_a_release_written_for_a_bulk_loader_is_served_once_loaded(server, built_home, tmp_path):
    """`load --nquads FILE` writes the release under the graph names a server keeps it in, for the server's own
    bulk loader (Virtuoso's ld_dir, `oxigraph load`): loaded as it is, `serve --store` finds the release."""
    nquads = tmp_path / "for-the-server.nq"
    assert main(["load", "--home", str(built_home), "--nquads", str(nquads)]) == 0
    graphs = {quad.graph_name.value for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS)}
    assert graphs == set(store_graphs(_summary(current_release(built_home))).values())
    posted = requests.post(server.graph_store_url, data=nquads.read_bytes(),
                           headers={"Content-Type": "application/n-quads"}, timeout=60)
    assert posted.ok, posted.text
    site = create_app(EndpointConfig(home=built_home, store_url=server.query_url, cache_bytes=0)).test_client()
    assert site.get("/ready").json["status"] == "ready"


def test_load_without_a_server_or_a_file_is_exit_2(built_home, capsys):
    assert main(["load", "--home", str(built_home)]) == 2
    assert "load needs --to URL" in capsys.readouterr().err
