"""Record lookups side by side (issue 15: Turtle, 8 clients, answer cache off, ≥ 4,000/s): `footprints-graph serve`
as deployed (gunicorn, 2 gthread workers, the store on disk, FOOTPRINTS_CACHE_BYTES=0) asked by wrk (2 threads,
8 connections) for persons in turn (bench/wrk/requests.lua), beside its /health and beside the same gunicorn
serving a WSGI app that answers "up" to everything (the HTTP server's floor: what any answer costs). Each
`--code NAME=FOLDER` serves the release from that checkout of the package (e.g. a git worktree of the commit
before a change), the current one as "now". The targets are interleaved round by round, so that a busy
machine's load falls on all alike; each line gives answers a second, wrk's p50, the CPU the server's processes
spent per answer (from /proc: steadier than throughput when others share the cores) and the CPU wrk spent per
answer (the client shares the two cores).

    python bench/lookups.py /tmp/h1/home10k --code before=/tmp/h1-before --rounds 3 --seconds 10

Not a unit test; docs/performance.md, "Record lookups and the front's cost", has the figures.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import systems
from gunicorn.app.base import BaseApplication

import queries
from footprints_graph.iris import SYNTHETIC_BASE

HERE = Path(__file__).resolve().parent
TURTLE = "text/turtle"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class FloorServer(BaseApplication):
    """gunicorn with serve's own settings (server.gunicorn_settings: gthread, access log, hooks) around a WSGI
    app that does nothing: the least an answer costs this stack."""

    def __init__(self, port: int):
        from footprints_graph.endpoint.config import EndpointConfig

        self.endpoint_config = EndpointConfig(port=port, workers=2)
        super().__init__()

    def load_config(self) -> None:
        from footprints_graph.server import gunicorn_settings

        for key, value in gunicorn_settings(self.endpoint_config).items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        return EmptyApp()


class EmptyApp:
    config: dict = {}  # what serve's pre_request hook reads of a Flask app (no body limit)

    def __call__(self, environ: dict, start_response) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
        return [b"up\n"]


@contextmanager
def floor_server(log: Path):
    """The floor on a free port of 127.0.0.1, in a process of its own (gunicorn's master forks its workers)."""
    port = systems.free_port()
    command = [sys.executable, __file__, "--floor", str(port)]
    url = f"http://127.0.0.1:{port}"
    with systems._running(command, f"{url}/sparql", log, 60) as process:
        yield process.pid, url


@contextmanager
def footprints_server(home: Path, code: Path | None, log: Path):
    """`footprints-graph serve` of the package in `code` (None: the one installed), answer cache off."""
    environment = dict(os.environ, PYTHONPATH=str(code)) if code else None
    port = systems.free_port()
    command = [sys.executable, "-P", "-m", "footprints_graph", "serve", "--home", str(home), "--base", SYNTHETIC_BASE,
               "--port", str(port), "--workers", "2"]
    base = {k: v for k, v in (environment or os.environ).items() if not k.startswith("FOOTPRINTS_")}
    base["FOOTPRINTS_CACHE_BYTES"] = "0"
    url = f"http://127.0.0.1:{port}"
    with systems._running(command, f"{url}/sparql", log, 300, base) as process:
        yield process.pid, url


def session_cpu(leader: int) -> float:
    """CPU seconds (user and system) of every live process in `leader`'s session: gunicorn's master and workers."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[3]) == leader:  # the session id (fields[3] counts from the state, field 3 of stat)
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def persons(release: Path, how_many: int) -> list[str]:
    """A fixed random sample of the release's persons, as local paths (/id/person/…)."""
    prefix = f"<{SYNTHETIC_BASE}person/"
    with (release / "dumps" / "footprints.nq").open(encoding="utf-8") as dump:
        found = sorted({line.split(" ", 1)[0][1:-1] for line in dump if line.startswith(prefix)})
    return ["/id/" + iri.removeprefix(SYNTHETIC_BASE) for iri in random.Random(7).sample(found, how_many)]


def wrk(url: str, requests: Path, seconds: int) -> queries.Throughput:
    """One run of wrk, 2 threads and 8 connections, as bench/queries.py runs it."""
    done = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "60s", "-s",
                           str(HERE / "wrk" / "requests.lua"), url, "--", str(requests), TURTLE],
                          capture_output=True, text=True, timeout=seconds + 120, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return queries.Throughput(figures["requests"], figures["seconds"], figures["not_ok"] + figures["socket_errors"],
                              figures["p50_ms"])


def measure(name: str, leader: int, url: str, requests: Path, seconds: int) -> dict:
    """One wrk run (after a short warm-up run) and the CPU the server spent during it."""
    wrk(url, requests, 2)  # the OS's cache, the workers' first requests
    before, client_before = session_cpu(leader), children_cpu()
    figures = wrk(url, requests, seconds)
    cpu, client = session_cpu(leader) - before, children_cpu() - client_before
    answered = max(figures.requests - figures.not_ok, 1)
    return {"target": name, "per_second": round(figures.per_second), "not_ok": figures.not_ok,
            "p50_ms": figures.p50_ms, "cpu_ms_per_answer": round(1000 * cpu / answered, 3),
            "wrk_cpu_ms_per_answer": round(1000 * client / answered, 3), "load": os.getloadavg()[0]}


def children_cpu() -> float:
    """CPU seconds of this process's ended children: wrk's, once it has run."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path, nargs="?")
    parser.add_argument("--code", action="append", default=[], help="NAME=FOLDER: serve from that checkout too")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--persons", type=int, default=200)
    parser.add_argument("--floor", type=int, help=argparse.SUPPRESS)  # the floor server's own process
    args = parser.parse_args()
    if args.floor:
        FloorServer(args.floor).run()
        return
    codes = [("now", None), *((n, Path(f)) for n, f in (c.split("=", 1) for c in args.code))]
    work = Path(tempfile.mkdtemp(prefix="lookups-"))
    lookups = queries.requests_file(work, "lookups", [f"GET {p}" for p in persons(args.home / "current",
                                                                                   args.persons)])
    health = queries.requests_file(work, "health", ["GET /health"])
    with ExitStack() as servers:
        targets = [("floor (gunicorn, empty app)", *servers.enter_context(floor_server(work / "floor.log")), health)]
        for name, code in codes:
            leader, url = servers.enter_context(footprints_server(args.home, code, work / f"{name}.log"))
            targets += [(f"{name}: /health", leader, url, health), (f"{name}: lookups", leader, url, lookups)]
        for round_number in range(args.rounds):
            for name, leader, url, requests in targets:
                print(json.dumps({"round": round_number, **measure(name, leader, url, requests, args.seconds)}),
                      flush=True)
                time.sleep(1)
    print(f"logs in {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
