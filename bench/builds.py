"""The build at each size: synthetic records (`footprints-graph synth`), the whole build in a child process
(bench/build_child.py: seconds per stage), and, for the engine's limit, pyoxigraph's own bulk load of the
release's N-Quads into a fresh store on disk."""

import json
import shutil
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from measure import ChildRun, run_child

from footprints_graph.iris import SYNTHETIC_BASE

HERE = Path(__file__).resolve().parent
SEED = 1
BUILD_TIMEOUT = 4 * 3600

ENGINE_LOAD = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
store.optimize()
store.flush()
"""


@dataclass(frozen=True)
class BuildFigures:
    victims: int
    records: int
    triples: int
    runs: list[ChildRun]
    stages: dict[str, float]  # of the median run
    background: list[str]  # stages that ran alongside the others (their time is not added to the total)
    engine: ChildRun
    release: Path

    @property
    def median(self) -> ChildRun:
        return sorted(self.runs, key=lambda r: r.seconds)[len(self.runs) // 2]

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)


def synthesize(work: Path, victims: int) -> Path:
    """The synthetic record tables for `victims` (written once: the same seed writes the same bytes)."""
    folder = work / f"synth-{victims}"
    if not (folder / "people.csv").exists():
        run_child([sys.executable, "-m", "footprints_graph", "synth", "--victims", str(victims), "--seed", str(SEED),
                   "--out", str(folder)], timeout=3600)
    return folder


def measure_build(work: Path, victims: int, repeats: int) -> BuildFigures:
    data = synthesize(work, victims)
    runs, reports = [], []
    for run in range(repeats):
        home = work / f"home-{victims}-{run}"
        shutil.rmtree(home, ignore_errors=True)  # a build of an existing release would write nothing
        child = run_child([sys.executable, str(HERE / "build_child.py"), str(data), str(home), SYNTHETIC_BASE],
                          timeout=BUILD_TIMEOUT, sample_memory=True)
        runs.append(child)
        reports.append(json.loads(child.stdout.strip().splitlines()[-1]))
    median = reports[sorted(range(repeats), key=lambda i: runs[i].seconds)[repeats // 2]]
    release = Path(median["release"])
    return BuildFigures(victims, median["records"], median["triples"], runs, median["stages"],
                        median.get("background", []), measure_engine_load(work, release), release)


def measure_engine_load(work: Path, release: Path) -> ChildRun:
    store = work / "engine-store"
    shutil.rmtree(store, ignore_errors=True)
    try:
        return run_child([sys.executable, "-c", ENGINE_LOAD, str(release / "dumps" / "footprints.nq"), str(store)],
                         timeout=BUILD_TIMEOUT)
    finally:
        shutil.rmtree(store, ignore_errors=True)


def keep_one_home(work: Path, victims: int, release: Path) -> Path:
    """The home of the median build (the others are removed: a 100k release is about 3 GB)."""
    for home in work.glob(f"home-{victims}-*"):
        if home != release.parents[1]:
            shutil.rmtree(home, ignore_errors=True)
    return release.parents[1]
