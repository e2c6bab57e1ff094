"""Load on loopback: N concurrent clients for M seconds against the real server (`footprints-graph serve`,
gunicorn), with a realistic mix — the researcher query library, record pages (HTML and Turtle), the home,
search and browse pages — and a few runaway queries that must be stopped. It sorts the answers into ok
(200), stopped (a query's 503 at its deadline), busy (a query's 503 with Retry-After while every query slot is
taken) and errors (anything else), samples the memory (PSS, from /proc) of the server's processes each second,
and reports p50/p95 per kind of request; with `wrk` installed, also the throughput of one record page.

    python bench/load.py --clients 8 --seconds 60 --write          # on a home built from data/
    python bench/load.py --victims 2000 --clients 8 --seconds 60   # on synthetic victims
    python bench/load.py --hostile --seconds 60 --write            # issue 13's hostile mix, serve's defaults

`--hostile` runs issue 13's requests (browse with 34 years and with 3,000 categories, the quadratic upload to
/validate, 50 reconciliation queries of 100 KB, 26 nested CONCATs, SERVICE behind a comment ended by CR, a
runaway query) beside side requests (the home page, a record page, an ASK), with two clients trickling their
headers the whole time, against `serve` with its default settings; it counts gunicorn's WORKER TIMEOUTs. Before
the mix it measures the front's cost per query: a trivial ASK over HTTP against the same ASK in process.

`--write` puts the results into docs/performance.md under "## Load (hardening)" (with --hostile, "## Load (hostile
mix, issue 13)"), leaving other sections alone; `--log FILE` keeps the server's log.
Not a unit test: run it by hand, on an otherwise idle machine if the figures are to mean much.
"""

import argparse
import contextlib
import datetime
import json
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
from measure import pss

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
HOSTILE_SECTION = "## Load (hostile mix, issue 13)"
SIDE = ("home page", "record page (HTML)", "ASK")  # the requests that must keep answering
HOSTILE_MIX = {"home page": 12, "record page (HTML)": 12, "ASK": 12, "browse 34 years": 10,
               "browse 3000 categories": 6, "quadratic upload": 8, "reconcile 50 x 100 KB": 8, "nested CONCAT": 10,
               "SERVICE behind CR": 12, "runaway query": 10}
NESTED_CONCAT = ("SELECT (STRLEN(?z) AS ?n) WHERE { BIND(\"aaaaaaaaaaaaaaaa\" AS ?a0) "
                 + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(26)) + " BIND(?a26 AS ?z) }")
SERVICE_BEHIND_CR = "SELECT * WHERE { # x\rSERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }\n }"


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
    environment |= {"FOOTPRINTS_BASE": base}
    command = [sys.executable, "-m", "footprints_graph", "serve", "--home", str(home), "--port", str(port)]
    if not args.hostile:  # the hostile mix runs against serve's defaults
        environment |= {"FOOTPRINTS_MAX_CONCURRENT_QUERIES": str(args.slots)}
        command += ["--workers", str(args.workers), "--query-timeout", str(args.timeout)]
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


def server_processes(master: int) -> tuple[list[int], list[int]]:
    """The workers (children of the master) and the query processes (their children) alive now."""
    parents = {int(p): _parent(int(p)) for p in os.listdir("/proc") if p.isdigit()}
    workers = [pid for pid, parent in parents.items() if parent == master]
    return workers, [pid for pid, parent in parents.items() if parent in workers]


def sample_memory(master: int, stop: threading.Event, samples: list[tuple[float, int, int]]) -> None:
    """Every second: (time, memory of the master and its workers in KiB, how many query processes are running). The
    memory is the sum of their PSS: their RSS would count the pages the workers share with the master in each."""
    started = time.monotonic()
    while not stop.wait(1.0):
        workers, queries = server_processes(master)
        samples.append((time.monotonic() - started, sum(pss(p) for p in [master, *workers]) // 1024, len(queries)))


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
    if kind in HOSTILE_MIX and kind not in MIX:
        return hostile_request(session, target, kind)
    return get({"home page": "/", "browse": "/browse"}[kind])


def hostile_request(session: requests.Session, target: Target, kind: str) -> requests.Response:
    get = lambda path, **kwargs: session.get(target.url + path, timeout=REQUEST_SECONDS, **kwargs)  # noqa: E731
    json_results = {"Accept": "application/sparql-results+json"}
    if kind == "ASK":
        return get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=json_results)
    if kind == "browse 34 years":
        return get("/browse?" + "&".join(f"year={year}" for year in range(1950, 1984)))
    if kind == "browse 3000 categories":
        return get("/browse?" + "&".join(f"category=c{n}" for n in range(3000)))
    if kind == "quadratic upload":
        return session.post(target.url + "/validate", files={"files": ("submission.ttl", quadratic_upload())},
                            headers={"Accept": "application/json"}, timeout=REQUEST_SECONDS)
    if kind == "reconcile 50 x 100 KB":
        batch = {f"q{n}": {"query": "Kim " * 25_000} for n in range(50)}
        return session.post(target.url + "/reconcile", data={"queries": json.dumps(batch)}, timeout=REQUEST_SECONDS)
    query = {"nested CONCAT": NESTED_CONCAT, "SERVICE behind CR": SERVICE_BEHIND_CR, "runaway query": RUNAWAY}[kind]
    return get("/sparql", params={"query": query}, headers=json_results)


def quadratic_upload() -> bytes:
    """One victim with 40 abductions and 40 deaths, 40 dates each: ActBeforeDeathShape compares every pair."""
    fixture = (ROOT / "tests" / "shapes" / "ActBeforeDeathShape-invalid-01.ttl").read_text(encoding="utf-8")
    parts = [fixture[:fixture.index("ex:act\n")]]
    for n in range(40):
        dates = " , ".join(f'"{1950 + (n + d) % 40}-{1 + d % 12:02d}"^^xsd:gYearMonth' for d in range(40))
        parts.append(f"ex:act{n} a fp:Abduction ; fp:victim ex:person ; fp:perpetrator ex:org ; "
                     f"dct:source ex:doc ; fp:date {dates} .\n")
        parts.append(f"ex:death{n} a fp:Death ; fp:victim ex:person ; dct:source ex:doc ; fp:date {dates} .\n")
    return "".join(parts).encode()


def trickle(port: int, stop: threading.Event) -> None:
    """Two clients sending their headers one byte every 2 s, for as long as the load runs."""
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 10_000
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
    try:
        for byte in request:
            if stop.wait(2):
                break
            for connection in sockets:
                with contextlib.suppress(OSError):
                    connection.send(bytes([byte]))
    finally:
        for connection in sockets:
            connection.close()


def outcome(kind: str, response: requests.Response) -> str:
    """ok (200), stopped (a query's 503 at the deadline), busy (a query's 503 with Retry-After while every query
    slot is taken), refused (a hostile request's 4xx), or error (anything else, and a runaway that was not
    stopped)."""
    if kind in HOSTILE_MIX and kind not in SIDE and 400 <= response.status_code < 500:
        return "refused"
    if kind in HOSTILE_MIX and kind not in SIDE and response.status_code == 503:
        return "busy" if "Retry-After" in response.headers else "stopped"
    if response.status_code == 503 and "/sparql" in response.url:
        return "busy" if "Retry-After" in response.headers else "stopped"
    return "ok" if response.status_code == 200 and kind != "runaway query" else "error"


def client(target: Target, seed: int, until: float, tally: Tally, mix: dict[str, int]) -> None:
    rng, session = random.Random(seed), requests.Session()
    kinds, weights = list(mix), list(mix.values())
    while time.monotonic() < until:
        kind = rng.choices(kinds, weights)[0]
        started = time.monotonic()
        try:
            response = one_request(session, target, kind, rng)
            tally.add(kind, time.monotonic() - started, outcome(kind, response), response.text)
        except requests.RequestException as error:
            tally.add(kind, time.monotonic() - started, "error", f"{type(error).__name__}: {error}")


FRONT_ASK = "ASK { ?s ?p ?o }"
FRONT_REQUESTS = 400


def front_cost(url: str, home: Path) -> str:
    """The front's cost per query on the embedded store (issue 15 asks at most 1 ms at p50): a trivial ASK over HTTP,
    each asked once (no answer from the cache) and asked again (from it), beside /health (HTTP and Flask alone) and
    the same ASK in this process with pyoxigraph, one request at a time on the idle server. The four are taken in
    turn, so that a change in the machine's load weighs on each alike."""
    store = open_store(current_release(home) / "store")
    session, json_results = requests.Session(), {"Accept": "application/sparql-results+json"}
    ask = lambda query: session.get(url + "/sparql", params={"query": query}, headers=json_results)  # noqa: E731
    ways = {"fresh": lambda n: ask(f"{FRONT_ASK} # {n}"), "cached": lambda n: ask(FRONT_ASK),
            "health": lambda n: session.get(url + "/health"),
            "in process": lambda n: store.query(FRONT_ASK, use_default_graph_as_union=True)}
    seconds = {way: [] for way in ways}
    for n in range(FRONT_REQUESTS):
        for way, call in ways.items():
            started = time.perf_counter()
            call(n)
            seconds[way].append(time.perf_counter() - started)
    p50 = {way: statistics.median(taken) * 1000 for way, taken in seconds.items()}
    return (f"Front cost (one client, {FRONT_REQUESTS} rounds of four requests, before the mix), p50: a trivial "
            f"`{FRONT_ASK}` over HTTP {p50['fresh']:.2f} ms asked once each (guard, slot, query process), "
            f"{p50['cached']:.2f} ms from the answer cache; `/health` {p50['health']:.2f} ms (HTTP and Flask alone); "
            f"the same ASK in process with pyoxigraph {p50['in process']:.3f} ms. Added by the front to a query: "
            f"{p50['fresh'] - p50['in process']:.2f} ms, of which {p50['fresh'] - p50['health']:.2f} ms past HTTP "
            "and Flask.")


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


def report(args: argparse.Namespace, tally: Tally, samples: list, wrk: str | None, triples: int,
           worker_timeouts: int = 0, front: str | None = None) -> str:
    mix = HOSTILE_MIX if args.hostile else MIX
    total = sum(len(v) for v in tally.seconds.values())
    rows = [f"| {kind} | {len(s)} | {percentile(s, .5) * 1000:.0f} | {percentile(s, .95) * 1000:.0f} | "
            f"{max(s) * 1000:.0f} | {', '.join(f'{k} {n}' for k, n in sorted(tally.outcomes[kind].items()))} |"
            for kind in mix if (s := tally.seconds.get(kind))]
    memory = [rss for _, rss, _ in samples]
    quarter = max(1, len(memory) // 4)
    server = ("its default settings" if args.hostile else
              f"{args.workers} gunicorn workers, query deadline {args.timeout:g} s, {args.slots} query slots")
    lines = [
        HOSTILE_SECTION if args.hostile else SECTION, "", machine(),
        f"- command: `python bench/load.py {' '.join(sys.argv[1:])}`",
        f"- server: `footprints-graph serve`, {server}; store of {triples} triples "
        f"({'data/' if not args.victims else f'{args.victims} synthetic victims'})",
        f"- load: {args.clients} clients for {args.seconds} s on loopback, {total} requests "
        f"({total / args.seconds:.1f}/s); mix: " + ", ".join(f"{k} {v}%" for k, v in mix.items())
        + ("; two more clients trickle their headers a byte every 2 s throughout" if args.hostile else ""),
        f"- gunicorn WORKER TIMEOUTs (a worker killed): {worker_timeouts}",
        "", "| request | count | p50 ms | p95 ms | max ms | answers |", "|---|---|---|---|---|---|", *rows, "",
        "Answers: ok = 200; stopped = a query's 503 at the deadline (or its memory limit); busy = a query's 503 with "
        "Retry-After: every query slot was taken, or it ran past its short budget while every long slot was "
        "(guard.QuerySlots); refused = a hostile request's 4xx; error = anything else (another status, a connection "
        f"error, a runaway not stopped). Errors: **{len(tally.errors)}**"
        + (": " + "; ".join(tally.errors[:5]) if tally.errors else "") + ".",
        "",
        f"Memory of the master and its workers (PSS, sampled each second, {len(memory)} samples): "
        f"first quarter mean {statistics.mean(memory[:quarter]) / 1024:.0f} MiB, last quarter mean "
        f"{statistics.mean(memory[-quarter:]) / 1024:.0f} MiB, peak {max(memory) / 1024:.0f} MiB; "
        f"query processes running at once: at most {max(n for _, _, n in samples)}."
        if memory else "No memory samples.",
    ]
    if front:
        lines += ["", front]
    if wrk:
        lines += ["", f"Throughput of one record page as Turtle (`wrk -t2 -c8`, {args.wrk_seconds} s): {wrk}."]
    return "\n".join(lines) + "\n"


def write_section(text: str, section: str = SECTION) -> None:
    """Replace (or add) this section of docs/performance.md; leave the others alone."""
    path = ROOT / "docs" / "performance.md"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    kept = re.sub(rf"{re.escape(section)}\n.*?(?=^## |\Z)", "", old, flags=re.S | re.M).rstrip("\n")
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
    parser.add_argument("--hostile", action="store_true", help="issue 13's hostile mix against serve's defaults")
    parser.add_argument("--log", type=Path, help="keep the server's log (gunicorn's) in this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="footprints-load-") as folder:
        home, base = prepare_home(args.victims, Path(folder))
        port = free_port()
        server = start_server(home, base, port, args, Path(folder) / "server.log")
        log = Path(folder) / "server.log"
        try:
            text = run(args, home, base, f"http://127.0.0.1:{port}", server.pid, log)
        finally:
            stop_server(server)
            if args.log:
                shutil.copyfile(log, args.log)
    print(text)
    if args.write:
        write_section(text, HOSTILE_SECTION if args.hostile else SECTION)


def run(args: argparse.Namespace, home: Path, base: str, url: str, master: int, log: Path) -> str:
    front = front_cost(url, home) if args.hostile else None  # on the idle server, before the mix
    target, tally, samples, stop = make_target(url, home, base), Tally(), [], threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(master, stop, samples), daemon=True)
    sampler.start()
    if args.hostile:
        threading.Thread(target=trickle, args=(int(url.rsplit(":", 1)[1]), stop), daemon=True).start()
    until = time.monotonic() + args.seconds
    mix = HOSTILE_MIX if args.hostile else MIX
    clients = [threading.Thread(target=client, args=(target, args.seed * 1000 + n, until, tally, mix))
               for n in range(args.clients)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    stop.set()
    sampler.join()
    wrk = None if args.hostile else wrk_throughput(url + target.people[0], args.wrk_seconds)
    timeouts = log.read_text(errors="replace").count("WORKER TIMEOUT")
    return report(args, tally, samples, wrk, len(open_store(current_release(home) / "store")), timeouts, front)


if __name__ == "__main__":
    main()
