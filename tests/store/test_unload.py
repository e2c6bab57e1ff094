"""`footprints-graph unload` (issue 20): a release's named graphs leave the server, nothing else does, and a
password comes from $FOOTPRINTS_REMOTE_PASSWORD as well as from the flag. On an Oxigraph server of the test's
own (tests/support/servers.py), since other test modules keep the release loaded in the shared ones."""

import json
import shutil

import pytest

from footprints_graph.cli import main, parser
from footprints_graph.releases.serving import current_release, make_current
from support.servers import running_oxigraph

OTHER = "urn:example:another-dataset"


@pytest.fixture
def server(tmp_path):
    with running_oxigraph(tmp_path / "oxigraph") as (oxigraph, _):
        yield oxigraph


def _release_counts(built_home) -> dict[str, int]:
    summary = json.loads((current_release(built_home) / "summary.json").read_text(encoding="utf-8"))
    return {graph: figures["triples"] for graph, figures in summary["graphs"].items()}


def test_unload_removes_the_releases_graphs_and_nothing_else(server, built_home, tmp_path, capsys):
    home = shutil.copytree(built_home, tmp_path / "home", symlinks=True)  # load keeps its progress there
    store = server.store(graph_store=True)
    store.add(OTHER, ["<urn:example:s> <urn:example:p> <urn:example:o> .\n"])
    assert main(["load", "--home", str(home), *server.load_arguments(graph_store=True)]) == 0
    counts = _release_counts(built_home)
    assert store.triple_counts(sorted(counts)) == counts
    capsys.readouterr()
    assert main(["unload", "--home", str(home), "--from", server.query_url,
                 "--update-url", server.update_url, "--graph-store-url", server.graph_store_url]) == 0
    assert json.loads(capsys.readouterr().out) == {"release": current_release(home).name,
                                                   "dropped": sorted(counts)}
    assert set(store.triple_counts(sorted(counts)).values()) == {0}
    assert store.triple_counts([OTHER]) == {OTHER: 1}


def test_unload_of_a_release_that_is_not_there_is_exit_2(built_home, capsys):
    code = main(["unload", "--home", str(built_home), "--release", "no-such-build", "--from", "http://127.0.0.1:9/q"])
    assert code == 2 and "no release no-such-build" in capsys.readouterr().err


def test_the_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FOOTPRINTS_REMOTE_PASSWORD", "from-the-environment")
    for command in (["load", "--to", "http://127.0.0.1:9/q"], ["unload", "--from", "http://127.0.0.1:9/q"]):
        assert parser().parse_args(command).password == "from-the-environment"


def _release_without(built_home, tmp_path, graph: str):
    """A copy of the built home with a second release: the first without `graph` (a table removed from the
    records), made current."""
    home = tmp_path / "home"
    shutil.copytree(built_home, home, symlinks=True)
    first = current_release(home)
    second = first.parent / "second-release"
    (second / "dumps").mkdir(parents=True)
    lines = (first / "dumps" / "footprints.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    (second / "dumps" / "footprints.nq").write_text("".join(q for q in lines if f"<{graph}> .\n" not in q),
                                                    encoding="utf-8")
    summary = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    summary["triples"] -= summary["graphs"].pop(graph)["triples"]
    summary["build_id"] = second.name
    (second / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return home, second


def test_a_load_drops_the_graphs_the_previous_release_had_and_this_one_lacks(server, built_home, tmp_path, capsys):
    """Issue 20: a table removed from the records left its graph on the server, even after --replace."""
    counts = _release_counts(built_home)
    gone = next(graph for graph in sorted(counts) if not graph.endswith("/ontology"))
    home, second = _release_without(built_home, tmp_path, gone)
    assert main(["load", "--home", str(home), *server.load_arguments(graph_store=True)]) == 0
    make_current(home, second)
    capsys.readouterr()
    assert main(["load", "--home", str(home), *server.load_arguments(graph_store=True)]) == 0
    assert json.loads(capsys.readouterr().out)["dropped"] == [gone]
    store = server.store()
    assert store.triple_counts([gone]) == {gone: 0}
    del counts[gone]
    assert store.triple_counts(sorted(counts)) == counts


PREF_LABEL = "<https://w3id.org/footprints-graph/id/person/kim-jung-wook> <http://www.w3.org/2004/02/skos/core#prefLabel> "
NEW_LABEL = '"Kim Jung-wook (changed)"@en'


def _release_changing_a_label(built_home, tmp_path):
    """A copy of the built home with a second release: the first with a person's preferred label changed (the
    same number of triples). The label it had, the release and the graph."""
    home = tmp_path / "home"
    shutil.copytree(built_home, home, symlinks=True)
    first = current_release(home)
    second = first.parent / "changed-release"
    (second / "dumps").mkdir(parents=True)
    lines = (first / "dumps" / "footprints.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(number for number, line in enumerate(lines) if line.startswith(PREF_LABEL))
    old_label, graph = lines[index].removeprefix(PREF_LABEL).removesuffix(" .\n").rsplit(" ", 1)
    lines[index] = f"{PREF_LABEL}{NEW_LABEL} {graph} .\n"
    (second / "dumps" / "footprints.nq").write_text("".join(lines), encoding="utf-8")
    summary = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    (second / "summary.json").write_text(json.dumps(summary | {"build_id": second.name}), encoding="utf-8")
    return old_label, home, second, graph.strip("<>")


def test_a_value_changed_since_the_last_load_is_replaced_not_added(server, built_home, tmp_path, capsys):
    """Issue 20: loading a release whose record changed a value left both values on the server (exit 2)."""
    old_label, home, second, graph = _release_changing_a_label(built_home, tmp_path)
    assert main(["load", "--home", str(home), *server.load_arguments(graph_store=True)]) == 0
    make_current(home, second)
    capsys.readouterr()
    assert main(["load", "--home", str(home), *server.load_arguments(graph_store=True)]) == 0
    assert json.loads(capsys.readouterr().out)["replaced"] == [graph]
    store = server.store()
    labels = {str(row["label"]) for row in store.select(f"SELECT ?label WHERE {{ GRAPH <{graph}> {{ {PREF_LABEL} ?label }} }}")}
    assert labels == {"Kim Jung-wook (changed)"}, (old_label, labels)
    assert store.triple_counts([graph]) == {graph: _release_counts(built_home)[graph]}


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
