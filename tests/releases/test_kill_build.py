"""Issue 6, nothing lost: a real `footprints-graph build` killed with SIGKILL at each phase of the build — once
its records are read, while it writes the new release, when the release is whole but unnamed, just after the
release folder is renamed into place — leaves the previous release intact and serving, and the next build
succeeds and clears the leftovers. The build pauses at the phase (FOOTPRINTS_BUILD_PAUSE_AT, build.py) so the
kill lands there on a fast machine as on a slow one (issue 12)."""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from footprints_graph.cli import main
from footprints_graph.errors import BuildError
from footprints_graph.iris import SYNTHETIC_BASE
from footprints_graph.releases.build import PAUSE_PHASES, build
from footprints_graph.releases.serving import current_release
from footprints_graph.store.embedded import open_store
from footprints_graph.web import EndpointConfig, create_app
from support import ROOT

VICTIMS = 100
PHASE_SECONDS = 120  # the bound on reaching a phase, never a measure of speed
KNOWN = "ASK { GRAPH ?g { <https://w3id.org/footprints-graph/id/person/kim-kook-kie> ?p ?o } }"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synthetic") / "data"
    assert main(["synth", "--victims", str(VICTIMS), "--seed", "1", "--out", str(out)]) == 0
    return out


def _fingerprint(release: Path) -> dict[str, str]:
    return {p.relative_to(release).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(release.rglob("*")) if p.is_file() and "/LOG" not in f"/{p.name}"}


@pytest.fixture
def build_subprocess():
    """Start `footprints-graph build` of a folder in a process of its own, paused at a phase until a file exists;
    every process started is killed and reaped when the test ends."""
    started: list[subprocess.Popen] = []

    def start(data: Path, home: Path, phase: str, gate: Path) -> subprocess.Popen:
        command = [sys.executable, "-m", "footprints_graph", "build", "--data", str(data), "--home", str(home),
                   "--base", SYNTHETIC_BASE]
        environment = os.environ | {"FOOTPRINTS_BUILD_PAUSE_AT": phase, "FOOTPRINTS_BUILD_PAUSE_FILE": str(gate)}
        started.append(subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        return started[-1]

    yield start
    for process in started:
        process.kill()
        process.wait()
        process.stderr.close()


def _wait_until_paused(process: subprocess.Popen, gate: Path, phase: str) -> None:
    waiting = Path(f"{gate}.waiting")
    deadline = time.monotonic() + PHASE_SECONDS
    while not waiting.exists():
        if process.poll() is not None:
            raise AssertionError(f"the build ended ({process.returncode}) before pausing at {phase}:\n"
                                 f"{process.stderr.read().decode()}")
        assert time.monotonic() < deadline, f"the build did not reach {phase} within {PHASE_SECONDS} s"
        time.sleep(0.01)  # polled until the build says it is waiting


def _kill_at(phase: str, start, data: Path, home: Path, gate_folder: Path) -> None:
    process = start(data, home, phase, gate_folder / f"gate-{phase}")
    _wait_until_paused(process, gate_folder / f"gate-{phase}", phase)
    process.kill()
    process.wait()


def _releases(home: Path) -> set[str]:
    return {p.name for p in (home / "releases").iterdir()}


def test_a_killed_build_leaves_the_previous_release_serving(build_subprocess, synthetic, tmp_path):
    home = tmp_path / "home"
    before = build(ROOT / "data", home).release
    fingerprint = _fingerprint(before)
    for phase in PAUSE_PHASES:
        _kill_at(phase, build_subprocess, synthetic, home, tmp_path)
        assert current_release(home) == before, phase
        assert _fingerprint(before) == fingerprint, phase
        assert open_store(before / "store").query(KNOWN), phase
        leftovers = _releases(home) - {before.name}
        if phase == "read":
            assert not leftovers  # nothing written yet
        elif phase == "renamed":  # the new release is whole, just not current
            (new,) = (name for name in leftovers if not name.startswith("."))
            assert (home / "releases" / new / "summary.json").is_file()
        else:
            assert any(name.startswith(".incomplete-") for name in leftovers), phase
    client = create_app(EndpointConfig(home=home, query_timeout=5)).test_client()
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "format": "json"}).json["boolean"]
    assert main(["build", "--data", str(synthetic), "--home", str(home), "--base", SYNTHETIC_BASE]) == 0
    after = current_release(home)
    assert after != before and open_store(after / "store").query("ASK { GRAPH ?g { ?s a ?type } }")
    assert not list((home / "releases").glob(".incomplete-*"))
    assert before.is_dir() and _fingerprint(before) == fingerprint  # kept as a predecessor


def test_a_paused_build_goes_on_when_its_file_appears(build_subprocess, synthetic, tmp_path):
    home, gate = tmp_path / "home", tmp_path / "gate"
    process = build_subprocess(synthetic, home, "written", gate)
    _wait_until_paused(process, gate, "written")
    assert not (home / "current").exists()
    gate.touch()
    _, error = process.communicate(timeout=PHASE_SECONDS)
    assert process.returncode == 0, error.decode()
    assert open_store(current_release(home) / "store").query("ASK { GRAPH ?g { ?s a ?type } }")


def test_a_pause_at_an_unknown_phase_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("FOOTPRINTS_BUILD_PAUSE_AT", "reading")
    with pytest.raises(BuildError, match="'reading' is not a phase of the build; one of read, writing"):
        build(ROOT / "data", tmp_path / "home")


def test_a_pause_without_its_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("FOOTPRINTS_BUILD_PAUSE_AT", "read")
    monkeypatch.delenv("FOOTPRINTS_BUILD_PAUSE_FILE", raising=False)
    with pytest.raises(BuildError, match="needs FOOTPRINTS_BUILD_PAUSE_FILE"):
        build(ROOT / "data", tmp_path / "home")
