"""Asking the systems: the researcher query library and point lookups over HTTP (one kept-alive connection,
form POSTs, SPARQL JSON results), the same queries in-process on pyoxigraph, and throughput under 8 concurrent
clients with wrk."""

import http.client
import json
import multiprocessing
import subprocess
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from measure import AT_LEAST_SECONDS, Failed, Timings, repeat

HERE = Path(__file__).resolve().parent
JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


class SparqlClient:
    """One system's SPARQL endpoint (and, for footprints-graph, its record pages) over a kept-alive connection."""

    def __init__(self, url: str, cap: float):
        self.url = urllib.parse.urlsplit(url)
        self.cap = cap
        self.connection = http.client.HTTPConnection(self.url.netloc, timeout=cap + 5)

    def query(self, text: str) -> bytes:
        form = urllib.parse.urlencode({"query": text})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": JSON}
        return self._exchange("POST", self.url.path or "/", form, headers)

    def get(self, path: str, accept: str) -> bytes:
        return self._exchange("GET", path, None, {"Accept": accept})

    def _exchange(self, method: str, path: str, body: str | None, headers: dict[str, str]) -> bytes:
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            data = response.read()
        except TimeoutError:
            self.connection.close()
            raise Failed(past(self.cap)) from None
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            raise Failed(f"{type(error).__name__}") from None
        if response.status != 200:
            raise Failed(f"HTTP {response.status}")
        if response.getheader("X-SQL-State"):  # Virtuoso's "anytime" answer: partial, at its time limit
            raise Failed(f"partial ({response.getheader('X-SQL-State')})")
        return data


def past(cap: float) -> str:
    """Why a query has no time: it was not answered within `cap` seconds."""
    return f"> {cap:g} s"


def rows(body: bytes) -> int:
    """Solutions in a SPARQL JSON answer (1 for ASK)."""
    try:
        results = json.loads(body)
    except ValueError:  # the Oxigraph server cuts a streamed answer off at its time limit
        raise Failed(f"cut short ({len(body):,} bytes, not JSON)") from None
    return 1 if "boolean" in results else len(results["results"]["bindings"])


@dataclass(frozen=True)
class Answered:
    timings: Timings
    rows: int | None  # of the first answer, to see that the systems agree


def ask_library(url: str, library: dict[str, str], cap: float, budget: float, most: int) -> dict[str, Answered]:
    client = SparqlClient(url, cap)
    return {name: _answered(lambda text=text: client.query(text), budget, most) for name, text in library.items()}


def _answered(run: Callable[[], bytes], budget: float, most: int) -> Answered:
    first: list[bytes] = []

    def kept() -> None:  # the first answer is counted after the timings: reading 100k rows is the client's time
        body = run()
        if not first:
            first.append(body)

    timings = repeat(kept, budget, most, AT_LEAST_SECONDS)
    return Answered(timings, rows(first[0]) if first else None)


def point_lookups(url: str, iris: list[str], cap: float, budget: float) -> Timings:
    """`SELECT ?p ?o WHERE { <iri> ?p ?o }` for one IRI after another."""
    client, turn = SparqlClient(url, cap), iter(iris * 100)
    return repeat(lambda: client.query(f"SELECT ?p ?o WHERE {{ <{next(turn)}> ?p ?o }}"), budget, 500)


def record_pages(url: str, paths: list[str], cap: float, budget: float) -> Timings:
    """Records as Turtle, one path after another (footprints-graph's linked-data pages)."""
    client, turn = SparqlClient(url, cap), iter(paths * 100)
    return repeat(lambda: client.get(next(turn), TURTLE), budget, 500)


# ----------------------------------------------------------------------------- in-process pyoxigraph


def in_process(store: Path, library: dict[str, str], cap: float, budget: float, most: int) -> dict[str, Answered]:
    """Each query on the store opened read-only in this machine's Python, serialised as SPARQL JSON; in a child
    process that is killed past `cap` (plus the budget), since pyoxigraph cannot be interrupted."""
    return {name: _in_child(store, text, cap, budget, most) for name, text in library.items()}


def _in_child(store: Path, text: str, cap: float, budget: float, most: int) -> Answered:
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_evaluate_in_child, args=(store, text, budget, most, sending))
    child.start()
    sending.close()
    if not receiving.poll(cap + budget + 5):
        child.kill()
        child.join()
        return Answered(Timings((), past(cap)), None)
    answered = receiving.recv()
    child.join()
    return answered


def _evaluate_in_child(store: Path, text: str, budget: float, most: int, sending) -> None:
    opened = ox.Store.read_only(str(store))

    def run() -> bytes:
        results = opened.query(text, use_default_graph_as_union=True)
        return results.serialize(format=ox.QueryResultsFormat.JSON)

    sending.send(_answered(run, budget, most))


# ----------------------------------------------------------------------------- throughput


@dataclass(frozen=True)
class Throughput:
    requests: int
    seconds: float
    not_ok: int
    p50_ms: float

    @property
    def per_second(self) -> float:
        """Successful answers a second. Failures include connections refused, which wrk does not count among
        its requests: a server that died under the load answers none, not fewer than none."""
        return max(self.requests - self.not_ok, 0) / self.seconds


def requests_file(folder: Path, name: str, lines: list[str]) -> Path:
    """A wrk request list (bench/wrk/requests.lua): `GET <path>` or `POST <path> <form body>` per line."""
    path = folder / f"{name}.requests"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def query_lines(url: str, queries: list[str], method: str) -> list[str]:
    path = urllib.parse.urlsplit(url).path or "/"
    encoded = [urllib.parse.urlencode({"query": q}) for q in queries]
    return [f"GET {path}?{e}" if method == "GET" else f"POST {path} {e}" for e in encoded]


def throughput(url: str, requests: Path, accept: str, seconds: int, connections: int = 8) -> Throughput:
    """wrk with `connections` clients on 2 threads for `seconds`, after as long a warm-up."""
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
    for duration in (seconds, seconds):  # the first run warms caches (ours, the engines', the OS's)
        done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "60s", "-s",
                               str(HERE / "wrk" / "requests.lua"), origin, "--", str(requests), accept],
                              capture_output=True, text=True, timeout=duration + 120, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Throughput(figures["requests"], figures["seconds"], figures["not_ok"] + figures["socket_errors"],
                      figures["p50_ms"])
