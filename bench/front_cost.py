"""The front's cost with a SPARQL server behind it (issue 20): a trivial ASK, one request at a time over a kept
connection, p50 per target, the targets interleaved in rounds so that a busy machine's load falls on all alike.
The first target is the server itself (Virtuoso's anonymous /sparql); each NAME=PORT is a `footprints-graph
serve` on 127.0.0.1 (its /sparql). Start them yourself, e.g. with `cache_bytes = 0` (FOOTPRINTS_CACHE_BYTES=0),
or the answer cache answers the repeated ASK.

    python bench/front_cost.py 8890 10 100 "serve --store=8000" "serve (own store)=8001"

docs/scaling.md, "The front's cost with Virtuoso behind it", has the figures. Not a unit test.
"""

import argparse
import http.client
import statistics
import time
from urllib.parse import urlencode

FORM = urlencode({"query": "ASK {}"})
HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}


def ask_times(port: int, requests: int) -> list[float]:
    """Seconds of each of `requests` ASKs to 127.0.0.1:`port`/sparql over one kept connection."""
    connection, times = http.client.HTTPConnection("127.0.0.1", port), []
    for _ in range(requests):
        started = time.perf_counter()
        connection.request("POST", "/sparql", FORM, HEADERS)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"127.0.0.1:{port}/sparql answered HTTP {response.status}")
        times.append(time.perf_counter() - started)
    connection.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("server_port", type=int, help="the SPARQL server's HTTP port (asked directly)")
    parser.add_argument("rounds", type=int)
    parser.add_argument("requests", type=int, help="requests per target and round")
    parser.add_argument("fronts", nargs="+", metavar="NAME=PORT", help="a serve to ask, by name and port")
    args = parser.parse_args()
    targets = {"the server directly": args.server_port} | {
        name: int(port) for name, port in (front.rsplit("=", 1) for front in args.fronts)}
    found: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(args.rounds):
        for name, port in targets.items():
            found[name] += ask_times(port, args.requests)
    direct = statistics.median(found["the server directly"]) * 1000
    for name, times in found.items():
        p50 = statistics.median(times) * 1000
        print(f"{name:40} p50 {p50:.3f} ms over {len(times)}, added {p50 - direct:+.3f} ms")


if __name__ == "__main__":
    main()
