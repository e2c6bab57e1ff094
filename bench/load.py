"""Load on loopback: N concurrent clients for M seconds against the real server (`footprints-graph serve`,
gunicorn), with a realistic mix — the researcher query library, record pages (HTML and Turtle), the home,
search and browse pages — and a few runaway queries that must be stopped. It sorts the answers into ok
(200), stopped (a query's 503 at its deadline), busy (a query's 503 with Retry-After while every query slot is
taken) and errors (anything else), samples the memory (RSS, from /proc) of the server's processes each second,
and reports p50/p95 per kind of request; with `wrk` installed, also the throughput of one record page.

    python bench/load.py --clients 8 --seconds 60 --write          # on a home built from data/
    python bench/load.py --victims 2000 --clients 8 --seconds 60   # on synthetic victims

`--write` puts the results into docs/performance.md under "## Load (hardening)", leaving other sections alone.
Not a unit test: run it by hand, on an otherwise idle machine if the figures are to mean much.
"""

import argparse
import datetime
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import requests

from footprints_graph.convert.synth import write_synthetic
from footprints_graph.endpoint.sparql.library import library
from footprints_graph.iris import DEFAULT_BASE, SYNTHETIC_BASE
from footprints_graph.releases.build import build
from footprints_graph.releases.serving import current_release
from footprints_graph.store.embedded import open_store

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Load (hardening)"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# kind of request → its share of the mix
MIX = {"library query": 40, "record page (HTML)": 20, "record (Turtle)": 15, "home page": 5, "search": 10,
       "browse": 8, "runaway query": 2}
START_SECONDS, REQUEST_SECONDS = 60, 60


@dataclass
class Tally:
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, outcome: str, detail: str) -> None:
        with self.lock:
            self.seconds[kind].append(seconds)
            self.outcomes[kind][outcome] += 1
            if outcome == "error":
                self.errors.append(f"{kind}: {detail[:200]}")


# ----------------------------------------------------------------------------- the server


def prepare_home(victims: int, folder: Path) -> tuple[Path, str]:
    """A home with one release: of data/, or of `victims` synthetic victims; and the base its IRIs use."""
    if not victims:
        build(ROOT / "data", folder / "home")
        return folder / "home", DEFAULT_BASE
    write_synthetic(folder / "data", victims, seed=1)
    build(folder / "data", folder / "home", SYNTHETIC_BASE)
    return folder / "home", SYNTHETIC_BASE


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(home: Path, base: str, port: int, args: argparse.Namespace, log: Path) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FOOTPRINTS_")}
    environment |= {"FOOTPRINTS_BASE": base, "FOOTPRINTS_MAX_CONCURRENT_QUERIES": str(args.slots)}
    command = [sys.executable, "-m", "footprints_graph", "serve", "--home", str(home), "--port", str(port),
               "--workers", str(args.workers), "--query-timeout", str(args.timeout)]
    with log.open("wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment,
                                  start_new_session=True)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/sparql", headers={"Accept": "text/turtle"}, timeout=2).ok:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"the server did not start:\n{log.read_text()}")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# ----------------------------------------------------------------------------- memory


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def server_processes(master: int) -> tuple[list[int], list[int]]:
    """The workers (children of the master) and the query processes (their children) alive now."""
    parents = {int(p): _parent(int(p)) for p in os.listdir("/proc") if p.isdigit()}
    workers = [pid for pid, parent in parents.items() if parent == master]
    return workers, [pid for pid, parent in parents.items() if parent in workers]


def sample_memory(master: int, stop: threading.Event, samples: list[tuple[float, int, int]]) -> None:
    """Every second: (time, RSS of the master and its workers in KiB, how many query processes are running)."""
    started = time.monotonic()
    while not stop.wait(1.0):
        workers, queries = server_processes(master)
        samples.append((time.monotonic() - started, sum(_rss_kib(p) for p in [master, *workers]), len(queries)))


# ----------------------------------------------------------------------------- the clients


@dataclass(frozen=True)
class Target:
    url: str
    people: list[str]  # local paths of person pages
    names: list[str]  # names to search for
    queries: list[str]  # the library's query texts


def make_target(url: str, home: Path, base: str) -> Target:
    store = open_store(current_release(home) / "store")
    rows = store.query("SELECT ?p ?name WHERE { ?p a <https://w3id.org/footprints-graph/ontology#Victim> ; "
                       "<http://www.w3.org/2000/01/rdf-schema#label> ?name } LIMIT 2000", use_default_graph_as_union=True)
    people = [(r["p"].value, r["name"].value) for r in rows]
    return Target(url, ["/id/" + p.removeprefix(base) for p, _ in people], [n for _, n in people],
                  [q.text for q in library()])


def one_request(session: requests.Session, target: Target, kind: str, rng: random.Random) -> requests.Response:
    get = lambda path, **kwargs: session.get(target.url + path, timeout=REQUEST_SECONDS, **kwargs)  # noqa: E731
    if kind == "library query":
        return get("/sparql", params={"query": rng.choice(target.queries)},
                   headers={"Accept": "application/sparql-results+json"})
    if kind == "runaway query":
        return get("/sparql", params={"query": RUNAWAY}, headers={"Accept": "application/sparql-results+json"})
    if kind == "record page (HTML)":
        return get(rng.choice(target.people), headers={"Accept": "text/html"})
    if kind == "record (Turtle)":
        return get(rng.choice(target.people), headers={"Accept": "text/turtle"})
    if kind == "search":
        return get("/search", params={"q": rng.choice(target.names).split()[0]})
    return get({"home page": "/", "browse": "/browse"}[kind])


def outcome(kind: str, response: requests.Response) -> str:
    """ok (200), stopped (a query's 503 at the deadline), busy (a query's 503 with Retry-After while every query
    slot is taken), or error (anything else, and a runaway that was not stopped)."""
    if response.status_code == 503 and "/sparql" in response.url:
        return "busy" if "Retry-After" in response.headers else "stopped"
    return "ok" if response.status_code == 200 and kind != "runaway query" else "error"


def client(target: Target, seed: int, until: float, tally: Tally) -> None:
    rng, session = random.Random(seed), requests.Session()
    kinds, weights = list(MIX), list(MIX.values())
    while time.monotonic() < until:
        kind = rng.choices(kinds, weights)[0]
        started = time.monotonic()
        try:
            response = one_request(session, target, kind, rng)
            tally.add(kind, time.monotonic() - started, outcome(kind, response), response.text)
        except requests.RequestException as error:
            tally.add(kind, time.monotonic() - started, "error", f"{type(error).__name__}: {error}")


def wrk_throughput(url: str, seconds: int) -> str | None:
    """Requests a second for one record page (Turtle) from `wrk`, 2 threads and 8 connections, if installed."""
    if not shutil.which("wrk"):
        return None
    done = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", "Accept: text/turtle", url],
                          capture_output=True, text=True, timeout=seconds + 30, check=False)
    found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    return f"{found.group(1)} requests/s" + (f" ({errors.group(1)} non-2xx)" if errors else "") if found else None


# ----------------------------------------------------------------------------- the report


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return (f"- machine: {os.cpu_count()} CPUs (`nproc`), {model}, {memory / 2**20:.0f} GiB RAM; load average at the "
            f"end {load}\n- Python {platform.python_version()}, pyoxigraph {version('pyoxigraph')}, Flask "
            f"{version('flask')}, gunicorn {version('gunicorn')}, rdflib {version('rdflib')}\n"
            f"- date: {datetime.date.today().isoformat()}")


def report(args: argparse.Namespace, tally: Tally, samples: list, wrk: str | None, triples: int) -> str:
    total = sum(len(v) for v in tally.seconds.values())
    rows = [f"| {kind} | {len(s)} | {percentile(s, .5) * 1000:.0f} | {percentile(s, .95) * 1000:.0f} | "
            f"{max(s) * 1000:.0f} | {', '.join(f'{k} {n}' for k, n in sorted(tally.outcomes[kind].items()))} |"
            for kind in MIX if (s := tally.seconds.get(kind))]
    memory = [rss for _, rss, _ in samples]
    quarter = max(1, len(memory) // 4)
    lines = [
        SECTION, "", machine(),
        f"- command: `python bench/load.py {' '.join(sys.argv[1:])}`",
        f"- server: `footprints-graph serve`, {args.workers} gunicorn workers, query deadline {args.timeout:g} s, "
        f"{args.slots} query slots; store of {triples} triples "
        f"({'data/' if not args.victims else f'{args.victims} synthetic victims'})",
        f"- load: {args.clients} clients for {args.seconds} s on loopback, {total} requests "
        f"({total / args.seconds:.1f}/s); mix: " + ", ".join(f"{k} {v}%" for k, v in MIX.items()),
        "", "| request | count | p50 ms | p95 ms | max ms | answers |", "|---|---|---|---|---|---|", *rows, "",
        "Answers: ok = 200; stopped = a query's 503 at the deadline; busy = a query's 503 with Retry-After while "
        "every query slot was taken; error = anything else (another status, a connection error, a runaway not "
        f"stopped). Errors: **{len(tally.errors)}**" + (": " + "; ".join(tally.errors[:5]) if tally.errors else "") + ".",
        "",
        f"Memory of the master and its workers (RSS, sampled each second, {len(memory)} samples): "
        f"first quarter mean {statistics.mean(memory[:quarter]) / 1024:.0f} MiB, last quarter mean "
        f"{statistics.mean(memory[-quarter:]) / 1024:.0f} MiB, peak {max(memory) / 1024:.0f} MiB; "
        f"query processes running at once: at most {max(n for _, _, n in samples)}."
        if memory else "No memory samples.",
    ]
    if wrk:
        lines += ["", f"Throughput of one record page as Turtle (`wrk -t2 -c8`, {args.wrk_seconds} s): {wrk}."]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    """Replace (or add) this section of docs/performance.md; leave the others alone."""
    path = ROOT / "docs" / "performance.md"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    kept = re.sub(rf"{re.escape(SECTION)}\n.*?(?=^## |\Z)", "", old, flags=re.S | re.M).rstrip("\n")
    path.write_text(kept + "\n\n" + text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--victims", type=int, default=0, help="synthetic victims to serve (default 0: data/)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--slots", type=int, default=3, help="max_concurrent_queries")
    parser.add_argument("--timeout", type=float, default=5, help="query deadline, seconds")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="write the results into docs/performance.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="footprints-load-") as folder:
        home, base = prepare_home(args.victims, Path(folder))
        port = free_port()
        server = start_server(home, base, port, args, Path(folder) / "server.log")
        try:
            text = run(args, home, base, f"http://127.0.0.1:{port}", server.pid)
        finally:
            stop_server(server)
    print(text)
    if args.write:
        write_section(text)


def run(args: argparse.Namespace, home: Path, base: str, url: str, master: int) -> str:
    target, tally, samples, stop = make_target(url, home, base), Tally(), [], threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(master, stop, samples), daemon=True)
    sampler.start()
    until = time.monotonic() + args.seconds
    clients = [threading.Thread(target=client, args=(target, args.seed * 1000 + n, until, tally))
               for n in range(args.clients)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    stop.set()
    sampler.join()
    wrk = wrk_throughput(url + target.people[0], args.wrk_seconds)
    return report(args, tally, samples, wrk, len(open_store(current_release(home) / "store")))


if __name__ == "__main__":
    main()
