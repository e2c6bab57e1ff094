"""How each library query's cost grows with the number of victims, in-process on pyoxigraph (no server, no
cache), and, with --before, against the library as it was at an earlier commit (answers compared row for row).

    python bench/library_growth.py --store 1000=H1/current/store --store 10000=H10/current/store \\
        --before 562c71f --out docs/performance.md

Each store is a release built from `footprints-graph synth --victims N` under the synthetic base. The three queries
whose example names a real person, body or document are asked with synth's stand-in for it (LIBRARY_STAND_INS). A
query of the
earlier library slower than --cap at one size is not asked again at the larger sizes (it is reported as such):
a quadratic query would otherwise hold the machine for hours. The section "## Library queries by size" of --out
is replaced (bench/run.py keeps its own section)."""

import argparse
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from measure import Timings, exponent, repeat
from report import replace_section

from footprints_graph.convert.synth_reference import LIBRARY_STAND_INS, synthetic_text
from footprints_graph.endpoint.sparql.library import library

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Library queries by size"
LISTINGS = "{ ?listing <https://w3id.org/footprints-graph/ontology#listingOf> ?person }"
# Not library queries: the least any query with a row per listing does, measured beside them so that a query's
# exponent can be read against what the store itself costs as it grows: each listing's person read and written (two
# terms a row), and read only (counted: no term written)
FLOORS = {"(floor: every listing's person)": f"SELECT ?listing ?person WHERE {LISTINGS}",
          "(floor: the listings counted)": f"SELECT (COUNT(*) AS ?listings) WHERE {LISTINGS}"}
TSV = ox.QueryResultsFormat.TSV


@dataclass(frozen=True)
class Answer:
    timings: Timings
    cpu: float  # least seconds of CPU the query took in this thread (the engine evaluates in the caller's thread)
    rows: list[str]  # sorted, each row's values as text: two libraries agree when these are equal


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    sizes = sorted(args.store)
    current = {q.name: synthetic_text(q.name, q.text) for q in library()} | FLOORS
    before = {name: earlier_text(name, args.before) for name in current} if args.before else {}
    before = {name: synthetic_text(name, text) if text else None for name, text in before.items()}
    results, given_up = {}, {}
    for size in sizes:
        store = ox.Store.read_only(str(args.store[size]))
        for name, text in current.items():
            results[name, size, "now"] = ask(store, text, args.budget)
            if before.get(name) and before[name] != text and name not in given_up:
                results[name, size, "before"] = ask(store, before[name], args.budget)
                if results[name, size, "before"].timings.p50 > args.cap:
                    given_up[name] = size
            print(f"{size:>7,} {name}", flush=True)
    section = render(sizes, current, before, results, given_up, args)
    print(section)
    if args.out:
        replace_section(args.out, section, HEADING)
    return 0


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", action="append", required=True, type=sized_path, metavar="VICTIMS=PATH",
                        help="a release's store and how many synthetic victims it holds (repeat per size)")
    parser.add_argument("--before", metavar="COMMIT", help="also ask the library as it was at this commit")
    parser.add_argument("--cap", type=float, default=30.0, help="seconds after which an earlier query is not "
                        "asked at larger sizes (default: 30, the endpoint's deadline)")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds of repeats per query (default: 5)")
    parser.add_argument("--note", default="", help="how busy the machine was, said under the table")
    parser.add_argument("--out", type=Path, help="the Markdown file whose section to replace")
    args = parser.parse_args(argv)
    args.store = dict(args.store)
    return args


def sized_path(text: str) -> tuple[int, Path]:
    size, separator, path = text.partition("=")
    if not separator or not size.isdigit() or not Path(path, "CURRENT").exists():
        raise argparse.ArgumentTypeError(f"{text!r}: expected VICTIMS=PATH of an Oxigraph store")
    return int(size), Path(path)


def earlier_text(name: str, commit: str) -> str | None:
    """The query's text at `commit` (None if the library had no such query then)."""
    shown = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:queries/{name}.rq"],
                           capture_output=True, text=True, check=False)
    return shown.stdout if shown.returncode == 0 else None


def ask(store: ox.Store, text: str, budget: float) -> Answer:
    """Time the query to its answer written as TSV, as the endpoint's query process and the build write it (the
    engine's own writer: no Python object per term); the answer is read back for comparison outside the timing.
    CPU time is taken too, the least of the runs: on a machine shared with other work it measures the query's
    cost, which wall time mixes with the other processes' (and contention for caches lengthens any one run)."""
    written: list[bytes] = []
    cpu: list[float] = []

    def run() -> None:
        started = time.thread_time()
        written[:] = [store.query(text, use_default_graph_as_union=True).serialize(format=TSV)]
        cpu.append(time.thread_time() - started)

    timings = repeat(run, budget, most=5)
    answer = ox.parse_query_results(written[0], TSV)
    rows = sorted(repr([str(term) if term is not None else None for term in (row[v] for v in answer.variables)])
                  for row in answer)
    return Answer(timings, min(cpu), rows)


def render(sizes, current, before, results, given_up, args) -> str:
    header = ["query", "rows at the largest size", *(f"{s:,}" for s in sizes), "exponent (CPU)", "exponent (wall)"]
    lines = [HEADING, "", intro(sizes, args), "", "| " + " | ".join(header) + " |",
             "|" + " --- |" * len(header)]
    for name in current:
        lines.append(row(name, "", sizes, results, "now"))
        if (name, sizes[0], "before") in results:
            stopped = f"not asked (over {args.cap:g} s at {given_up[name]:,})" if name in given_up else "—"
            lines.append(row(name, f" (before {args.before})", sizes, results, "before", stopped))
    disagree = [f"{name} at {size:,}" for (name, size, which) in results if which == "before"
                and results[name, size, "before"].rows != results[name, size, "now"].rows]
    if args.before:
        lines += ["", "Answers of the rewritten queries against the earlier ones, row for row: "
                  + ("identical at every size asked." if not disagree else "different: " + ", ".join(disagree))]
    return "\n".join(lines)


def intro(sizes, args) -> str:
    stores = ", ".join(f"{s:,}" for s in sizes)
    return (f"Each library query in-process (pyoxigraph {ox.__version__}, the release's store on disk, union "
            f"default graph as the endpoint asks, the answer written as TSV by the engine as the query process and the "
            f"build write it) at {stores} synthetic victims: p50 wall time in ms, and in brackets "
            "the least CPU time the query took in its thread over the same runs; each exponent is the slope of a log-log fit of "
            "one of them (1: grows as the victims do). " + ", ".join(sorted(LIBRARY_STAND_INS))
            + " asked with synth's stand-in for their real example. `python bench/library_growth.py`"
            + (f" --before {args.before}" if args.before else "") + f". {args.note}".rstrip(". ") + ".")


def row(name, suffix, sizes, results, which, missing="—") -> str:
    cells, points = [], []
    for size in sizes:
        answer = results.get((name, size, which))
        if answer is None:
            cells.append(missing)
            continue
        cells.append(f"{answer.timings.p50 * 1000:,.1f} ({answer.cpu * 1000:,.1f})")
        points.append((size, answer.cpu, answer.timings.p50))
    largest = results.get((name, sizes[-1], which))
    fits = [exponent([p[0] for p in points], [p[i] for p in points]) for i in (1, 2)]
    return (f"| {name}{suffix} | {len(largest.rows) if largest else '—'} | " + " | ".join(cells) + " | "
            + " | ".join("—" if fitted is None else f"{fitted:.2f}" for fitted in fits) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
