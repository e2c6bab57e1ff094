"""Measuring for the scale benchmark: repeated timings within a budget, their percentiles, a child process's
time and peak memory, the memory of a process and its children (PSS), and the exponent of a log-log fit."""

import math
import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# a server is asked once its processes use under 5 % of a core over a second (at most a minute after it answers)
SETTLE_SHARE, SETTLE_WINDOW, SETTLE_MOST = 0.05, 1.0, 60.0
# a query's runs take at least this long in all (within the budget): 15 runs of a 0.6 ms query gave a p50 that moved
# by 0.1 ms from one benchmark run to the next, more than the 1.25x target's margin over the Oxigraph server's
AT_LEAST_SECONDS = 0.25
SAMPLE_SECONDS = 0.5  # how often a build's processes' memory is summed (a spike shorter than this can be missed)


@dataclass(frozen=True)
class Timings:
    """Seconds of each run of one thing; `failure` says why there are none (an HTTP status, a timeout)."""

    seconds: tuple[float, ...] = ()
    failure: str | None = None

    @property
    def p50(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def p95(self) -> float | None:
        """Nearest-rank 95th percentile (the slowest run when there are fewer than twenty)."""
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


class Failed(Exception):
    """One run that did not answer as it should: the reason goes into the table instead of a time."""


def repeat(run: Callable[[], None], budget: float, most: int, at_least: float = 0.0) -> Timings:
    """Time `run` until `most` runs or `budget` seconds have been spent (always once; twice if the first fits
    the budget twice); past `most` runs while they have taken under `at_least` seconds. A run that raises Failed
    ends the series with its reason."""
    seconds: list[float] = []
    while (len(seconds) < most or sum(seconds) < at_least) \
            and (len(seconds) < 2 or sum(seconds) + seconds[-1] <= budget):
        started = time.perf_counter()
        try:
            run()
        except Failed as failure:
            return Timings(tuple(seconds), str(failure))
        seconds.append(time.perf_counter() - started)
        if len(seconds) == 1 and seconds[0] * 2 > budget:
            break
    return Timings(tuple(seconds))


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    cpu_seconds: float
    peak_rss: int  # bytes: the largest single process's (the child or one of its own, from wait4)
    stdout: str
    peak_together: int | None = None  # bytes: the most its processes held at once (PSS summed), when sampled


def run_child(command: list[str], timeout: float, environment: dict[str, str] | None = None,
              sample_memory: bool = False) -> ChildRun:
    """Run `command` to its end: its wall time, CPU time and peak resident memory (the largest process's, from
    wait4's getrusage; with `sample_memory`, also the most the child and its processes held together, their PSS
    summed every SAMPLE_SECONDS: a build's processes overlap, and the largest one alone understates what the machine
    must have). Killed after `timeout` seconds."""
    with tempfile.TemporaryFile("w+") as output:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=output, env=environment, text=True)
        watchdog = threading.Timer(timeout, child.kill)
        watchdog.start()
        ended, peaks = threading.Event(), [0]
        sampler = threading.Thread(target=_sample_tree_pss, args=(child.pid, ended, peaks), daemon=True)
        if sample_memory:
            sampler.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            watchdog.cancel()
            ended.set()
        if sample_memory:
            sampler.join()
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        output.seek(0)
        stdout = output.read()
    if child.returncode:
        raise RuntimeError(f"{' '.join(command)} ended with {child.returncode} after {seconds:.0f} s")
    return ChildRun(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, stdout,
                    peaks[0] if sample_memory else None)


def _sample_tree_pss(pid: int, ended: threading.Event, peaks: list[int]) -> None:
    """Keep in peaks[0] the largest PSS of `pid` and its descendants seen, every SAMPLE_SECONDS until `ended`."""
    while not ended.wait(SAMPLE_SECONDS):
        peaks[0] = max(peaks[0], tree_pss(pid))


def tree_pss(pid: int) -> int:
    """Memory (bytes) of `pid` and all its descendants, each page counted once: the sum of their proportional set
    sizes (PSS, /proc/PID/smaps_rollup: a page shared by n processes counts 1/n in each). Their RSS summed counts a
    page once per process sharing it, and a gunicorn master's workers and their query processes, forked from it,
    share most of theirs: at 100,000 victims 6.6 GiB summed where they held 0.84 GiB."""
    return sum(pss(p) for p in [pid, *descendants(pid)])


def pss(pid: int) -> int:
    """The proportional set size (bytes) of one process; 0 once it has ended."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:  # ended meanwhile
        pass
    return 0


def tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) spent so far by `pid` and its descendants alive now, from /proc."""
    total = 0
    for process in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime: the 14th and 15th fields
    return total / os.sysconf("SC_CLK_TCK")


def settled(pid: int, window: float = SETTLE_WINDOW, most: float = SETTLE_MOST) -> float:
    """Wait until `pid` and its descendants spend under SETTLE_SHARE of a core over `window` seconds (a server done
    starting: workers loading a store into memory, reading views), at most `most` seconds; the seconds waited."""
    began = time.perf_counter()
    while time.perf_counter() - began < most:
        before = tree_cpu(pid)
        time.sleep(window)
        if tree_cpu(pid) - before < SETTLE_SHARE * window:
            break
    return time.perf_counter() - began


def descendants(pid: int) -> list[int]:
    """The processes `pid` started, and theirs, alive now."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        todo += children
    return found


def exponent(sizes: list[float], values: list[float]) -> float | None:
    """The slope of log(value) against log(size): 1 grows linearly, 0 stays flat."""
    points = [(math.log(s), math.log(v)) for s, v in zip(sizes, values, strict=True) if v and v > 0]
    if len(points) < 2:
        return None
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else None


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())
