"""`serve`'s memory and its pages' first requests (issue 15), on a home already built:

    python bench/serving.py --home /tmp/fp100k2/home

Starts `footprints-graph serve` as the scale benchmark does (bench/systems.py: 2 gthread workers; the answer cache
on, as the benchmark's default system, unless --no-cache), asks each page of bench/pages.py once as soon as the
server answers, then 10 times each, and prints each page's wall time with the CPU time the server's processes
spent meanwhile (from /proc; steadier than wall time on a shared machine, but it counts whatever the server did in
that time, such as a worker still starting). Then it asks the query library, then point lookups and record pages
under wrk (the benchmark's workloads), and after each stage prints every process of the server with its RSS and
PSS (/proc/PID/smaps_rollup) and their sums: PSS is what they hold together, RSS counts shared pages once in each.
"""

import argparse
import time
from pathlib import Path

import systems
from measure import descendants, load_average, tree_cpu
from pages import page_paths

import queries
from footprints_graph.endpoint.linked_data.presentation import IriSpace
from footprints_graph.endpoint.sparql.library import library
from footprints_graph.iris import SYNTHETIC_BASE
from footprints_graph.releases.views.facets import FacetIndex

HTML = "text/html"
REPEATS = 10
PERSONS = 1000  # the persons looked up and whose record pages are asked under wrk


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="a home with a release (with views)")
    parser.add_argument("--base", default=SYNTHETIC_BASE, help="the base its records were minted under")
    parser.add_argument("--work", type=Path, default=Path("var/bench"), help="the server's log, wrk's request lists")
    parser.add_argument("--no-cache", action="store_true", help="serve with the answer cache off")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    return parser.parse_args()


def main() -> int:
    args = arguments()
    args.work.mkdir(parents=True, exist_ok=True)
    release = args.home / "current"
    paths = page_paths(release, args.base)
    with systems.footprints(args.home, args.base, args.work / "serving.log", cache=not args.no_cache) as server:
        print(f"started (load {load_average()})")
        first_requests(server, paths)
        memory(server.pid, "after the pages")
        queries.ask_library(server.sparql, {q.name: q.text for q in library()}, 30, 0.5, 3)
        memory(server.pid, "after the library")
        under_wrk(server, _persons(release), args)
        memory(server.pid, "after wrk")
    return 0


def first_requests(server: systems.System, paths: dict[str, str]) -> None:
    """Each page once, one after another, then each page REPEATS times: wall ms and the server's CPU ms."""
    client = queries.SparqlClient(server.sparql, 30)
    for label, count in (("first", 1), (f"repeat (mean of {REPEATS})", REPEATS)):
        for name, path in paths.items():
            cpu, started = tree_cpu(server.pid), time.perf_counter()
            for _ in range(count):
                client.get(path, HTML)
            wall, used = (time.perf_counter() - started) / count, (tree_cpu(server.pid) - cpu) / count
            print(f"{name:20} {label}: {wall * 1000:7.1f} ms, server CPU {used * 1000:5.0f} ms")


def under_wrk(server: systems.System, persons: list[str], args: argparse.Namespace) -> None:
    lookups = queries.query_lines(server.sparql, [f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}" for iri in persons],
                                  "GET")
    space = IriSpace(args.base)
    workloads = {"lookups": (lookups, queries.JSON),
                 "pages": ([f"GET {space.local(iri)}" for iri in persons], queries.TURTLE)}
    for name, (lines, accept) in workloads.items():
        done = queries.throughput(server.sparql, queries.requests_file(args.work, name, lines), accept,
                                  args.wrk_seconds)
        print(f"wrk, {name}: {done.requests / done.seconds:,.0f}/s, p50 {done.p50_ms:.2f} ms")


def _persons(release: Path) -> list[str]:
    """The first PERSONS persons in browse order."""
    facets = FacetIndex(release / "views" / "browse.sqlite")
    return [person.iri for person in facets.persons(facets.chosen({}), 0, PERSONS)]


def memory(master: int, stage: str) -> None:
    """Each of the server's processes with its parent, RSS and PSS (MiB), then their sums (GiB)."""
    print(f"memory {stage} (load {load_average()}):")
    rss = pss = 0
    for pid in [master, *descendants(master)]:
        try:
            rollup = _rollup(pid)
            parent = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
        except OSError:  # ended meanwhile
            continue
        rss, pss = rss + rollup["Rss"], pss + rollup["Pss"]
        print(f"  {pid:>7} (parent {parent:>7}): RSS {rollup['Rss'] / 1024:6.1f} MiB, PSS {rollup['Pss'] / 1024:6.1f} MiB")
    print(f"  together: RSS {rss / (1 << 20):.2f} GiB, PSS {pss / (1 << 20):.2f} GiB")


def _rollup(pid: int) -> dict[str, int]:
    """/proc/PID/smaps_rollup's figures, in KiB."""
    lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
    return {key: int(value.split()[0]) for key, value in (line.split(":", 1) for line in lines)}


if __name__ == "__main__":
    raise SystemExit(main())
