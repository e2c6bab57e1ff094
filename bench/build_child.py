"""One build, timed stage by stage: `python bench/build_child.py DATA HOME BASE` runs footprints_graph.releases.build.build
with a timer around each stage function it calls and prints the seconds of each stage as JSON (and which ran
on a background thread, alongside the others), with the summary's record and triple counts. The parent
(bench/builds.py) measures the process's time and peak memory.
The build itself is untouched: only the names build() looks up are wrapped."""

import json
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from footprints_graph.releases import build as build_module

# stage name -> the function of footprints_graph.releases.build's namespace that does it
STAGES = {
    "read and convert records": "convert_tables",
    "convert to quads, serialise, sort and deduplicate": "sorted_nquads",  # _quads makes them as they are sorted
    "validate": "validate_records",
    "write the N-Quads dump": "write_nquads",
    "write the public store": "write_store",
    "compute the views (a process of its own)": "_views_computed",
    "write four more dumps": "write_dumps",
    "write the curators' store": "write_extended_store",
    "write validation reports": "_write_report",
    "tell what changed since the previous release (a process of its own)": "_changes_apart",
    "describe the release": "write_release_description",
}


def timed(name: str, function, seconds: dict[str, float], background: set[str]):
    def wrapper(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            background.add(name)  # runs alongside the main thread's stages
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[name] += time.perf_counter() - started
    return wrapper


def main(data: str, home: str, base: str) -> None:
    seconds: dict[str, float] = defaultdict(float)
    background: set[str] = set()
    for stage, name in STAGES.items():
        if hasattr(build_module, name):  # a stage the build no longer has is left out, not faked
            setattr(build_module, name, timed(stage, getattr(build_module, name), seconds, background))
    started = time.perf_counter()
    result = build_module.build(Path(data), Path(home), base)
    total = time.perf_counter() - started
    print(json.dumps({"seconds": total, "stages": dict(seconds), "background": sorted(background),
                      "records": result.summary["records"], "triples": result.summary["triples"],
                      "release": str(result.release)}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
