"""Issue 19: `footprints-graph link` without --home built into ./var, a home nothing serves, silently. It now
says which home it built, and refuses a home that holds no release unless told (--new-home)."""

import json

from footprints_graph.cli import main
from footprints_graph.releases.build import build
from footprints_graph.releases.serving import current_release
from support import ROOT

PARTNER = ROOT / "tests" / "data" / "links" / "partner-registry.csv"


def test_a_home_without_a_release_is_refused_and_nothing_is_written(tmp_path, data, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FOOTPRINTS_HOME", raising=False)
    assert main(["link", str(PARTNER), "--data", str(data)]) == 2
    error = capsys.readouterr().err
    assert "error: no release under var: no server reads this home" in error
    assert "--home" in error and "--new-home" in error
    assert not (data / "links" / PARTNER.name).exists() and not (tmp_path / "var").exists()


def test_the_served_home_is_named_in_what_link_prints(tmp_path, data, capsys, monkeypatch):
    served = tmp_path / "served"
    before = build(data, served).build_id
    monkeypatch.setenv("FOOTPRINTS_HOME", str(served))
    assert main(["link", str(PARTNER), "--data", str(data)]) == 0
    out, err = capsys.readouterr()
    answer = json.loads(out)
    assert answer["home"] == str(served) and answer["build_id"] != before
    assert current_release(served).name == answer["build_id"]  # the served home now serves the link set
    assert f"into {served}" in err


def test_new_home_starts_a_home_when_asked(tmp_path, data, capsys):
    home = tmp_path / "fresh"
    assert main(["link", str(PARTNER), "--data", str(data), "--home", str(home), "--new-home"]) == 0
    assert json.loads(capsys.readouterr().out)["home"] == str(home)
    assert current_release(home) is not None
