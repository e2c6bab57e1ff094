"""Issue 6, nothing lost: a real `footprints-graph build` killed with SIGKILL at seeded random moments — while
it reads and validates, while it writes the new release, just after the release folder is renamed into place
— leaves the previous release intact and serving, and the next build succeeds and clears the leftovers."""

import hashlib
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from footprints_graph.build import build, current_release
from footprints_graph.cli import main
from footprints_graph.endpoint import EndpointConfig, create_app
from footprints_graph.iris import SYNTHETIC_BASE
from footprints_graph.store import open_store

SEED = 6
VICTIMS = 100  # a build of a few seconds, most of it validation
PHASES = ("reading", "writing", "writing", "renamed")  # one kill each, in this order
PHASE_SECONDS = 60
KNOWN = "ASK { GRAPH ?g { <https://w3id.org/footprints-graph/id/person/kim-kook-kie> ?p ?o } }"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synthetic") / "data"
    assert main(["synth", "--victims", str(VICTIMS), "--seed", "1", "--out", str(out)]) == 0
    return out


def _fingerprint(release: Path) -> dict[str, str]:
    return {p.relative_to(release).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(release.rglob("*")) if p.is_file() and "/LOG" not in f"/{p.name}"}


def _start(data: Path, home: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "footprints_graph", "build", "--data", str(data), "--home", str(home),
               "--base", SYNTHETIC_BASE]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for(condition, process: subprocess.Popen, phase: str) -> None:
    deadline = time.monotonic() + PHASE_SECONDS
    while not condition():
        assert process.poll() is None, f"the build ended before the {phase} phase could be caught"
        assert time.monotonic() < deadline, f"no {phase} phase within {PHASE_SECONDS} s"
        time.sleep(0.002)


def _kill_during(phase: str, process: subprocess.Popen, home: Path, before: Path, rng: random.Random) -> str:
    """Wait for `phase` of the build, then a seeded random while, then SIGKILL it; say when it was killed."""
    releases = home / "releases"
    if phase == "reading":
        delay = rng.uniform(0.3, 2.0)
    elif phase == "writing":
        _wait_for(lambda: any(releases.glob(".incomplete-*")), process, phase)
        delay = rng.uniform(0, 0.4)
    else:
        _wait_for(lambda: any(p != before and not p.name.startswith(".") for p in releases.iterdir()), process, phase)
        delay = 0
    time.sleep(delay)
    process.kill()
    process.wait()
    return f"{phase} + {delay:.2f} s"


def test_a_killed_build_leaves_the_previous_release_serving(synthetic, tmp_path):
    home = tmp_path / "home"
    before = build(ROOT / "data", home).release
    fingerprint = _fingerprint(before)
    rng = random.Random(SEED)
    for phase in PHASES:
        moment = _kill_during(phase, _start(synthetic, home), home, before, rng)
        serving = current_release(home)
        if phase == "renamed" and serving != before:  # killed after the swap: the new release is whole
            assert (serving / "summary.json").is_file() and open_store(serving / "store").query("ASK { GRAPH ?g { ?s ?p ?o } }")
        else:
            assert serving == before, moment
        assert _fingerprint(before) == fingerprint, moment
        assert open_store(before / "store").query(KNOWN), moment
    client = create_app(EndpointConfig(home=home, query_timeout=5)).test_client()
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "format": "json"}).json["boolean"]
    assert main(["build", "--data", str(synthetic), "--home", str(home), "--base", SYNTHETIC_BASE]) == 0
    after = current_release(home)
    assert after != before and open_store(after / "store").query("ASK { GRAPH ?g { ?s a ?type } }")
    assert not list((home / "releases").glob(".incomplete-*"))
    assert before.is_dir() and _fingerprint(before) == fingerprint  # kept as a predecessor
