"""The front's cost (issue 15: at most 1 ms added at p50 to what the engine it fronts takes): a trivial ASK, asked
one request at a time over a kept connection, p50 per target, the targets interleaved in rounds so that a busy
machine's load falls on all alike. Each ASK carries a number in a comment, so no two are the same text and no
cache or stored answer serves one.

Each round takes the targets in another order (rotated by one): with a fixed order the front asked last answered the
stored library answers 0.05-0.1 ms slower at p50 than the one before it, whichever of two equal ones it was
(docs/performance.md, 2026-12-06 F2).

The baseline is the engine without the front: pyoxigraph in this process on a release's store (`--store`), or a
SPARQL server asked directly (`--server PORT`, e.g. Virtuoso's /sparql, for `serve --store`, issue 20). Each
NAME=PORT is a `footprints-graph serve` on 127.0.0.1 (its /sparql), NAME=PORT/PID also gives its gunicorn master,
whose processes' CPU time per request (workers and query processes, from /proc) is steadier than wall time on a
shared machine. `/health` (gunicorn and Flask alone) is asked beside each.

    python bench/front_cost.py --store HOME/current/store "before=8001/1234" "after=8002/1240"
    python bench/front_cost.py --server 8890 --release HOME/current "serve --store=8000"

With `--release`, the server is also asked as `serve --store` asks it: over the release's graphs, each a
`default-graph-uri` by the server's name for it, which cost Virtuoso itself about 0.4 ms a trivial ASK.

With `--library RELEASE --oxigraph PORT`, the library instead: each query the release carries a stored answer to
(of at most --most-rows rows), asked as the Scale benchmark asks it (a form POST, SPARQL JSON, bench/queries.py)
of each front and of an Oxigraph server on the same store (`oxigraph serve-read-only --union-default-graph`, its
/query), p50 per query and target, and the front's CPU a request over all of them:

    python bench/front_cost.py --library HOME/current --oxigraph 7878 "before=8001/1234" "after=8002/1240"

docs/performance.md ("Record lookups and the front's cost") and docs/scaling.md ("The front's cost with Virtuoso
behind it") have the figures. Not a unit test.
"""

import argparse
import http.client
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from footprints_graph.iris import DEFAULT_BASE, SYNTHETIC_BASE
from footprints_graph.releases.views import FOLDER
from footprints_graph.releases.views.library import LibraryAnswers, library_text, library_texts
from footprints_graph.store.loading import store_graphs

ASK = "ASK {}"
HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
TICKS = os.sysconf("SC_CLK_TCK")


class Front:
    """A `serve` on 127.0.0.1:`port` over one kept connection; `pid` its gunicorn master (0: CPU not measured)."""

    def __init__(self, port: int, pid: int, path: str = "/sparql", dataset: tuple[tuple[str, str], ...] = ()):
        self.connection, self.pid = http.client.HTTPConnection("127.0.0.1", port), pid
        self.path, self.dataset = path, dataset  # fields sent with each ASK

    def connect(self) -> None:
        """A new kept connection, opened by an untimed request: gunicorn closes one idle for 2 s (its keepalive),
        as it is while the other targets are asked."""
        self.connection.close()
        self.health(0)

    def ask(self, number: int) -> None:
        self.query(f"{ASK} # {number}")

    def query(self, text: str) -> None:
        self._exchange("POST", self.path, urlencode([("query", text), *self.dataset]))

    def health(self, number: int) -> None:
        self._exchange("GET", "/health", None)

    def _exchange(self, method: str, path: str, body: str | None) -> None:
        self.connection.request(method, path, body, HEADERS if body else {})
        response = self.connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{self.connection.host}:{self.connection.port}{path} answered HTTP {response.status}")

    def cpu_seconds(self) -> float:
        """User and system time of the master and every process under it, now."""
        return sum(_cpu(pid) for pid in [self.pid, *_descendants(self.pid)]) if self.pid else 0.0


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # ended meanwhile
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _descendants(pid: int) -> list[int]:
    """The processes under `pid`: a worker's query processes are children of the threads that forked them."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except OSError:  # a thread that ended meanwhile
            continue
    return found + [grandchild for child in found for grandchild in _descendants(child)]


def timed(call: Callable[[int], None], start: int, count: int) -> list[float]:
    times = []
    for number in range(start, start + count):
        began = time.perf_counter()
        call(number)
        times.append(time.perf_counter() - began)
    return times


def rotated(items: list, by: int) -> list:
    """`items` taken from the `by`-th (modulo their number) on, then the rest."""
    start = by % len(items)
    return items[start:] + items[:start]


def baselines(args: argparse.Namespace) -> dict[str, Callable[[int], None]]:
    """The engine asked without the front: the first is what the front's added cost is counted from."""
    if args.store:
        store = ox.Store.read_only(str(args.store))
        return {"pyoxigraph in process": lambda n: store.query(f"{ASK} # {n}", use_default_graph_as_union=True)}
    asked = {"the server directly": Front(args.server, 0).ask}
    if args.release:
        summary = json.loads((args.release / "summary.json").read_text(encoding="utf-8"))
        graphs = tuple(("default-graph-uri", graph) for graph in store_graphs(summary).values())
        asked["the server directly, the release's graphs"] = Front(args.server, 0, dataset=graphs).ask
    return asked


def carried_library(release: Path, most_rows: int, names: list[str]) -> dict[str, tuple[str, int]]:
    """Each library query the release carries an answer to of at most `most_rows` rows (of `names`, if any): its text
    (as the site serves it under either base, whichever the release was built with) and its rows."""
    answers, carried = LibraryAnswers(release / FOLDER), {}
    for name in names or library_texts():
        texts = (library_text(name, base) for base in (DEFAULT_BASE, SYNTHETIC_BASE))
        found = next(((text, stored) for text in texts if (stored := answers.find(text))), None)
        if found and found[1].rows <= most_rows:
            carried[name] = (found[0], found[1].rows)
    return carried


def ask_library(args: argparse.Namespace, fronts: dict[str, Front]) -> None:
    """Each carried library query of each front and of the Oxigraph server, interleaved in rounds; p50 per query."""
    library = carried_library(args.library, args.most_rows, args.queries)
    targets = {"Oxigraph server": Front(args.oxigraph, 0, path="/query"), **fronts}
    asked = {(target, name): [] for target in targets for name in library}
    cpu = dict.fromkeys(targets, 0.0)
    for round_number in range(args.rounds):
        for label, front in rotated(list(targets.items()), round_number):
            front.connection.close()  # a new kept connection, opened by an untimed query (see Front.connect)
            front.query(next(iter(library.values()))[0])
            before = front.cpu_seconds()
            for name, (text, _) in library.items():
                asked[label, name] += timed(lambda number, text=text, front=front: front.query(text), 0, args.requests)
            cpu[label] += front.cpu_seconds() - before
    print(f"load average {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print("| query | rows | " + " | ".join(targets) + " | " + " | ".join(f"{label} ÷ Oxigraph" for label in fronts) + " |")
    for name, (_, rows) in library.items():
        p50 = {label: statistics.median(asked[label, name]) * 1000 for label in targets}
        ratios = [f"{p50[label] / p50['Oxigraph server']:.2f}×" for label in fronts]
        print(f"| {name} | {rows:,} | " + " | ".join(f"{p50[label]:.2f}" for label in targets) + " | "
              + " | ".join(ratios) + " |")
    requests = args.rounds * args.requests * len(library)
    for label in fronts:
        print(f"{label}: CPU {cpu[label] / requests * 1000:.3f} ms a request (its processes, from /proc)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    engine = parser.add_mutually_exclusive_group(required=True)
    engine.add_argument("--store", type=Path, help="a release's store, asked in process (the baseline)")
    engine.add_argument("--server", type=int, metavar="PORT", help="a SPARQL server's port, asked directly")
    engine.add_argument("--library", type=Path, metavar="RELEASE", help="ask the library the release carries answers "
                        "to, of the fronts and of the Oxigraph server (--oxigraph)")
    parser.add_argument("--oxigraph", type=int, metavar="PORT", help="with --library: an Oxigraph server's port")
    parser.add_argument("--most-rows", type=int, default=1000, help="with --library: ask queries of at most so many rows")
    parser.add_argument("--queries", nargs="+", default=[], metavar="NAME", help="with --library: ask only these")
    parser.add_argument("--release", type=Path, help="with --server: the release folder whose graphs serve --store "
                        "sends; the server is asked with them too")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100, help="requests per target and round")
    parser.add_argument("fronts", nargs="+", metavar="NAME=PORT[/PID]", help="a serve to ask, by name and port")
    args = parser.parse_args()
    fronts = {}
    for given in args.fronts:
        label, address = given.rsplit("=", 1)
        port, _, pid = address.partition("/")
        fronts[label] = Front(int(port), int(pid or 0))
    if args.library:
        if not args.oxigraph:
            parser.error("--library needs --oxigraph PORT")
        ask_library(args, fronts)
        return
    engines = baselines(args)
    asked = {name: [] for name in engines} | {label: [] for label in fronts} | {f"{label}, /health": [] for label in fronts}
    cpu = dict.fromkeys(asked, 0.0)
    for round_number in range(args.rounds):
        start = round_number * args.requests
        for name, ask_engine in engines.items():
            asked[name] += timed(ask_engine, start, args.requests)
        for label, front in rotated(list(fronts.items()), round_number):
            front.connect()
            for target, call in ((label, front.ask), (f"{label}, /health", front.health)):
                before = front.cpu_seconds()
                asked[target] += timed(call, start, args.requests)
                cpu[target] += front.cpu_seconds() - before
    engine_p50 = statistics.median(asked[next(iter(engines))]) * 1000
    print(f"load average {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    for label, times in asked.items():
        p50 = statistics.median(times) * 1000
        added = f", added {p50 - engine_p50:+.3f} ms" if label in fronts else ""
        spent = f", CPU {cpu[label] / len(times) * 1000:.2f} ms a request" if cpu.get(label) else ""
        print(f"{label:40} p50 {p50:.3f} ms over {len(times)}{added}{spent}")


if __name__ == "__main__":
    main()
