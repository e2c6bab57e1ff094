"""`footprints-graph query` (local store or any endpoint, one media-type table) and `footprints-graph serve`'s
settings (defaults < TOML file < FOOTPRINTS_* variables < flags), run in-process through cli.main."""

import csv
import io

import pytest

from footprints_graph import cli
from footprints_graph.endpoint.config import ConfigError, EndpointConfig, load_config
from footprints_graph.releases.serving import current_release
from footprints_graph.server import FootprintsServer, ensure_release, gunicorn_settings
from support import ROOT

ID = "https://w3id.org/footprints-graph/id/"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ----------------------------------------------------------------------------- query


def test_a_library_query_as_a_table(capsys, built_home):
    code, out, _ = run(capsys, "query", "--home", str(built_home), "victims-by-category")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["category", "label", "persons", "disputedPersons"]
    assert set(lines[1]) <= {"-", " "}
    # five detainees all of whose sources agree, and Kim Jung-wook, whom the page lists as a post-war abductee
    assert any(line.split()[0] == "detainee" and line.split()[-2:] == ["5", "1"] for line in lines[2:])
    assert lines[-1] == "(3 rows)"


def test_query_text_and_a_query_file_give_the_same_answer(capsys, built_home, tmp_path):
    text = "SELECT ?p WHERE { ?p a <https://w3id.org/footprints-graph/ontology#Detainee> } ORDER BY ?p"
    (tmp_path / "detainees.rq").write_text(text, encoding="utf-8")
    _, from_text, _ = run(capsys, "query", "--home", str(built_home), "--format", "csv", text)
    code, from_file, _ = run(capsys, "query", "--home", str(built_home), "--format", "csv", str(tmp_path / "detainees.rq"))
    assert code == 0 and from_text == from_file
    assert len(list(csv.DictReader(io.StringIO(from_file)))) == 5  # all sources agree (issue 14)


def test_a_construct_as_a_table_and_as_turtle(capsys, built_home):
    query = f"CONSTRUCT WHERE {{ <{ID}person/kim-kook-kie> a ?type }}"
    _, table, _ = run(capsys, "query", "--home", str(built_home), query)
    assert table.splitlines()[0].split() == ["subject", "predicate", "object"] and "(2 rows)" in table
    _, turtle, _ = run(capsys, "query", "--home", str(built_home), "--format", "ttl", query)
    assert turtle.startswith("@prefix") and "fp:Detainee" in turtle


def test_the_same_answer_from_the_local_store_and_the_endpoint(capsys, live_server):
    for fmt in ("table", "json", "ttl"):
        query = "pow-escapees-fate" if fmt != "ttl" else f"DESCRIBE <{ID}person/kim-kook-kie>"
        _, local, _ = run(capsys, "query", "--home", str(live_server.home), "--format", fmt, query)
        code, remote, err = run(capsys, "query", "--endpoint", live_server.sparql, "--format", fmt, query)
        assert code == 0, err
        assert local == remote


def test_dataset_options_reach_the_endpoint(capsys, live_server):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    options = ["--default-graph", ID + "graph/people", "--format", "csv", query]
    _, local, _ = run(capsys, "query", "--home", str(live_server.home), *options)
    _, remote, _ = run(capsys, "query", "--endpoint", live_server.sparql, *options)
    assert local == remote and 0 < int(local.split()[-1]) < 1000


@pytest.mark.parametrize("argv, message", [
    (["SELECT * WHERE { ?s ?p }"], "error at 1:"),
    (["--format", "docx", "ASK {}"], "unknown format"),
    (["--format", "csv", "CONSTRUCT WHERE { ?s ?p ?o }"], "Available"),
])
def test_unusable_queries_exit_2_with_a_message(capsys, built_home, argv, message):
    code, _, err = run(capsys, "query", "--home", str(built_home), *argv)
    assert code == 2 and message in err


def test_a_remote_error_exits_2_with_the_endpoints_answer(capsys, live_server):
    code, _, err = run(capsys, "query", "--endpoint", live_server.sparql, "SELECT * WHERE { ?s ?p }")
    assert code == 2 and "error at 1:" in err


def test_querying_without_a_release_says_how_to_build_one(capsys, tmp_path):
    code, _, err = run(capsys, "query", "--home", str(tmp_path), "ASK {}")
    assert code == 2 and "footprints-graph build" in err


# ----------------------------------------------------------------------------- serve settings


def test_settings_precedence(tmp_path):
    file = tmp_path / "footprints.toml"
    file.write_text('port = 9000\nworkers = 4\nhost = "127.0.0.2"\nquery_timeout = 10\n', encoding="utf-8")
    environment = {"FOOTPRINTS_PORT": "9100", "FOOTPRINTS_HOME": str(tmp_path)}
    config = load_config(file, environment, port=9200, workers=None)
    assert (config.port, config.workers, config.host, config.home, config.query_timeout) == (
        9200, 4, "127.0.0.2", tmp_path, 10.0)
    assert load_config(None, {"FOOTPRINTS_CONFIG": str(file)}).port == 9000
    assert load_config(None, {}) == EndpointConfig()


@pytest.mark.parametrize("text, message", [("colour = 'red'\n", "unknown setting"), ("port = 'eighty'\n", "port"),
                                           ("port = \n", "cannot read")])
def test_unusable_settings_are_refused_with_a_message(tmp_path, text, message):
    file = tmp_path / "bad.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(file, {})


def test_serve_with_an_unusable_setting_exits_2(capsys, tmp_path):
    file = tmp_path / "bad.toml"
    file.write_text("colour = 'red'\n", encoding="utf-8")
    code, _, err = run(capsys, "serve", "--config", str(file))
    assert code == 2 and "colour" in err


def test_gunicorn_runs_the_app_with_the_settings(built_home):
    config = EndpointConfig(home=built_home, port=8123, workers=3, query_timeout=7)
    settings = gunicorn_settings(config)
    assert settings["bind"] == "127.0.0.1:8123" and settings["workers"] == 3 and settings["timeout"] > 7
    server = FootprintsServer(config)
    assert server.cfg.bind == ["127.0.0.1:8123"] and server.cfg.workers == 3
    assert server.load().extensions["footprints"].config == config


def test_serve_builds_a_release_from_the_records_when_there_is_none(tmp_path):
    config = EndpointConfig(home=tmp_path / "home", data=ROOT / "data")
    ensure_release(config)
    release = current_release(config.home)
    assert release is not None and (release / "store").is_dir()
    ensure_release(config)  # a second call keeps the release it found
    assert current_release(config.home) == release


def test_every_script_target_imports():
    import tomllib
    from importlib import import_module

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    for target in scripts.values():
        module, _, function = target.partition(":")
        assert callable(getattr(import_module(module), function))
