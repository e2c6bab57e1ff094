"""One build, timed stage by stage: `python bench/build_child.py DATA HOME BASE` runs footprints_graph.releases.build.build
with a timer around each stage function it calls and prints the seconds of each stage as JSON (and which ran
on a background thread, alongside the others), with the summary's record and triple counts. The parent
(bench/builds.py) measures the process's time and peak memory.
The build itself is untouched: only the names build() looks up are wrapped.

With `--timeline`, the JSON also holds when each stage started and ended (seconds since the build started) and,
every 0.2 s, how many cores the build's processes kept busy meanwhile (CPU seconds of each since the last sample,
from /proc), their resident memory summed, and which of the build's own processes (releases/apart.py's tasks)
were running: where a core sat idle on the build's critical path; and each process's CPU seconds and peak resident
memory by its task ("build" for the build's own), to tell which one spent what."""

import json
import os
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from measure import descendants

from footprints_graph.releases import build as build_module

SAMPLE_SECONDS = 0.2

# stage name -> the function of footprints_graph.releases.build's namespace that does it
STAGES = {
    "read and convert records": "convert_tables",
    "make the N-Quads lines, sort and deduplicate": "_sorted_lines",  # the lines are made as they are sorted
    "validate": "validate_records",
    "write the N-Quads dump": "write_nquads",
    "write the public store": "write_store",
    "compute the views from the store but the records view (a process of its own)": "_views_apart",
    "write the records view (a process of its own)": "_record_view_apart",
    "write four more dumps (a process of its own)": "_dumps_apart",
    "write the curators' store": "write_extended_store",
    "write validation reports": "_write_report",
    "tell what changed since the previous release (a process of its own)": "_changes_apart",
    "describe the release": "write_release_description",
}


def timed(name: str, function, seconds: dict[str, float], background: set[str], spans: list, origin: float):
    def wrapper(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            background.add(name)  # runs alongside the main thread's stages
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            ended = time.perf_counter()
            seconds[name] += ended - started
            spans.append((name, round(started - origin, 2), round(ended - origin, 2)))
    return wrapper


class Sampler(threading.Thread):
    """Every SAMPLE_SECONDS: the cores this process and its descendants kept busy since the last sample (the
    CPU each spent meanwhile: a child that ended between two samples loses at most its last interval), their
    resident memory summed (GiB), and the build's own processes running (releases/apart.py's task names)."""

    def __init__(self, origin: float):
        super().__init__(daemon=True)
        self.origin, self.samples, self.stopped = origin, [], threading.Event()
        self._cpu: dict[int, float] = {}
        self._task: dict[int, str] = {}
        self.peak: dict[int, float] = defaultdict(float)  # GiB

    def processes(self) -> dict[str, dict[str, float]]:
        """{task: {"cpu": seconds, "peak_gib": its largest RSS}} of each process seen (a task that ran twice: summed
        and the larger)."""
        found: dict[str, dict[str, float]] = {}
        for pid, cpu in self._cpu.items():
            seen = found.setdefault(self._task.get(pid, "?"), {"cpu": 0.0, "peak_gib": 0.0})
            seen["cpu"] = round(seen["cpu"] + cpu, 1)
            seen["peak_gib"] = max(seen["peak_gib"], round(self.peak[pid], 3))
        return found

    def run(self) -> None:
        self._read()  # what the build's process spent before (its imports) is not the first sample's
        last = time.perf_counter()
        while not self.stopped.wait(SAMPLE_SECONDS):
            now = time.perf_counter()
            busy, rss, tasks = self._read()
            self.samples.append((round(now - self.origin, 2), round(busy / (now - last), 2), round(rss, 3), tasks))
            last = now

    def _read(self) -> tuple[float, float, list[str]]:
        busy, rss, tasks = 0.0, 0.0, []
        for pid in [os.getpid(), *descendants(os.getpid())]:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:  # ended meanwhile
                continue
            cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
            busy += cpu - self._cpu.get(pid, 0.0)
            self._cpu[pid] = cpu
            resident = int(stat[21]) * os.sysconf("SC_PAGE_SIZE") / 2**30
            rss += resident
            self.peak[pid] = max(self.peak[pid], resident)
            if pid == os.getpid():
                self._task[pid] = "build"
                continue
            tasks.append(command[-2].decode() if len(command) > 1 else "?")
            if tasks[-1] != "?":  # an ending process's command line reads empty: its task is the one it had
                self._task[pid] = tasks[-1]
        return busy, rss, tasks


def main(data: str, home: str, base: str, timeline: bool) -> None:
    seconds: dict[str, float] = defaultdict(float)
    background: set[str] = set()
    spans: list[tuple[str, float, float]] = []
    started = time.perf_counter()
    for stage, name in STAGES.items():
        if hasattr(build_module, name):  # a stage the build no longer has is left out, not faked
            setattr(build_module, name, timed(stage, getattr(build_module, name), seconds, background, spans, started))
    sampler = Sampler(started)
    if timeline:
        sampler.start()
    result = build_module.build(Path(data), Path(home), base)
    total = time.perf_counter() - started
    sampler.stopped.set()
    report = {"seconds": total, "stages": dict(seconds), "background": sorted(background),
              "records": result.summary["records"], "triples": result.summary["triples"],
              "release": str(result.release)}
    if timeline:
        report |= {"spans": spans, "samples": sampler.samples, "processes": sampler.processes()}
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:4], timeline="--timeline" in sys.argv[4:])
