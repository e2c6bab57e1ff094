"""The scale benchmark (issues 7 and 15), in one command:

    python bench/run.py --sizes 1000 10000 100000 --out docs/performance.md

At each size it makes synthetic victims (`footprints-graph synth`), builds them (convert, validate, load, dumps)
in a child process, and times pyoxigraph's own bulk load of the same N-Quads (the engine's limit); on a
footprints-graph just started, without its answer cache, it times the pages people open (home, browse with no,
one and two facets, search, a person, a figure: the first request of each, then repeats) and asks the
researcher query library over HTTP; rdflib-endpoint loads the same release and is asked the library too.
At the largest size it asks the same library, point lookups and record pages of: pyoxigraph in-process,
footprints-graph (on disk without and with its answer cache, in memory, and in front of Virtuoso), the Oxigraph
server, Virtuoso 7 and rdflib-endpoint; then wrk measures throughput with 8 clients. Results replace the "Scale
benchmark" section of --out. Timings are medians of repeated runs (p95 beside them); a query that runs past --cap
seconds is stopped.
"""

import argparse
import datetime
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import report
import systems
from builds import keep_one_home, measure_build
from environment import machine, versions
from figures import (
    COLD,
    DEFAULT,
    IN_PROCESS,
    LIBRARY,
    LOOKUPS,
    MEMORY,
    ON_VIRTUOSO,
    OXIGRAPH,
    PAGES,
    RDFLIB,
    VIRTUOSO,
    Figures,
    to_json,
)
from measure import load_average, settled, tree_pss
from pages import page_paths, visit_pages
from render import render

import queries
from footprints_graph.endpoint.linked_data.presentation import IriSpace
from footprints_graph.endpoint.sparql.library import library
from footprints_graph.iris import SYNTHETIC_BASE
from footprints_graph.store.loading import write_server_nquads
from queries import JSON, TURTLE, Answered

ROOT = Path(__file__).resolve().parents[1]
FAST_LIBRARY_SECONDS = 0.25  # library queries under this p50 in-process make the throughput mix
RDFLIB_ENDPOINT_VERSION = "0.6.3"


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], help="synthetic victims")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench", help="synthetic data, homes, servers")
    parser.add_argument("--cap", type=float, default=30, help="seconds a query may run (the endpoint's default)")
    parser.add_argument("--budget", type=float, default=10, help="seconds of repeats per query and system")
    parser.add_argument("--most", type=int, default=15, help="most repeats per query and system")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="length of each throughput run")
    parser.add_argument("--build-repeats", type=int, default=3, help="builds per size (one at the largest)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["virtuoso", "rdflib", "oxigraph"])
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    figures, started, load_before = Figures(sorted(args.sizes)), datetime.datetime.now(datetime.UTC), load_average()
    homes = {}
    for victims in figures.sizes:
        repeats = 1 if victims == max(figures.sizes) else args.build_repeats
        figures.builds.append(measure_build(args.work, victims, repeats))
        homes[victims] = keep_one_home(args.work, victims, figures.builds[-1].release)
        _progress(f"built {victims} victims in {figures.builds[-1].seconds:.1f} s")
    texts = {q.name: q.text for q in library(SYNTHETIC_BASE)}  # as the synthetic site serves them: no empty answers
    for victims in figures.sizes:
        _growth(figures, args, homes[victims], texts, victims)
    _compare(figures, args, homes[max(figures.sizes)], texts)
    context = {"started": started, "load": (load_before, load_average()), "args": args, "machine": machine(),
               "argv": sys.argv[1:] if argv is None else argv, "versions": versions(args.work)}
    (args.work / "figures.json").write_text(json.dumps(to_json(figures), indent=1, default=str))  # kept if render fails
    report.replace_section(args.out, render(figures, context))
    _progress(f"wrote {args.out}")
    return 0


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message} (load {load_average()})", flush=True)


# ----------------------------------------------------------------------------- measuring


def _persons(release: Path, how_many: int) -> list[str]:
    """A fixed random sample of the release's persons (their IRIs)."""
    prefix = f"<{SYNTHETIC_BASE}person/"
    with (release / "dumps" / "footprints.nt").open(encoding="utf-8") as dump:
        persons = sorted({line.split(" ", 1)[0][1:-1] for line in dump if line.startswith(prefix)})
    return random.Random(7).sample(persons, min(how_many, len(persons)))


def _pages(persons: list[str]) -> list[str]:
    space = IriSpace(SYNTHETIC_BASE)
    return [space.local(iri) for iri in persons]


def _growth(figures: Figures, args, home: Path, texts: dict[str, str], victims: int) -> None:
    """footprints-graph without its cache at this size: the pages for people (first requests after it started,
    then repeats), the library and record pages."""
    persons = _persons(home / "current", 200)
    paths = page_paths(home / "current", SYNTHETIC_BASE)
    with systems.footprints(home, SYNTHETIC_BASE, args.work / f"growth-{victims}.log", cache=False,
                            timeout=args.cap) as ours:
        figures.page_views[victims] = visit_pages(ours.sparql, paths, args.cap, args.budget)  # first: just started
        figures.growth[victims] = queries.ask_library(ours.sparql, texts, args.cap, args.budget, args.most)
        figures.growth_pages[victims] = queries.record_pages(ours.sparql, _pages(persons), args.cap, args.budget)
    _progress(f"library at {victims} victims")
    if "rdflib" not in args.skip and victims != max(figures.sizes):  # the largest: with the other systems
        _rdflib(figures, args, home / "current", texts, victims)


def _compare(figures: Figures, args, home: Path, texts: dict[str, str]) -> None:
    release = home / "current"
    persons = _persons(release, 1000)
    figures.library[IN_PROCESS] = queries.in_process(release / "store", texts, args.cap, args.budget, args.most)
    figures.fast = [name for name, answered in figures.library[IN_PROCESS].items()
                    if answered.timings.p50 is not None and answered.timings.p50 < FAST_LIBRARY_SECONDS]
    _progress("in-process library")
    run = _Runner(figures, args, texts, persons)
    _ours(run, home)
    if "oxigraph" not in args.skip:
        with _started(run, OXIGRAPH, lambda: systems.oxigraph_server(release / "store", args.work / "oxigraph.log",
                                                                      args.cap)) as server:
            run.everything(OXIGRAPH, server)
    if "virtuoso" not in args.skip:
        _virtuoso(run, home)
    if "rdflib" not in args.skip:
        _rdflib(figures, args, release, texts, max(figures.sizes), run)


def _ours(run: "_Runner", home: Path) -> None:
    log = run.args.work
    run.figures.library[COLD] = run.figures.growth[max(run.figures.sizes)]  # asked already, at this size
    with _started(run, COLD, lambda: systems.footprints(home, SYNTHETIC_BASE, log / "cold.log", cache=False,
                                                         timeout=run.args.cap)) as ours:
        run.everything(COLD, ours, pages=True, library=False)
    with _started(run, DEFAULT, lambda: systems.footprints(home, SYNTHETIC_BASE, log / "default.log", cache=True,
                                                            timeout=run.args.cap)) as ours:
        run.everything(DEFAULT, ours, pages=True)
    with _started(run, MEMORY, lambda: systems.footprints(home, SYNTHETIC_BASE, log / "memory.log", cache=False,
                                                           in_memory=True, timeout=run.args.cap)) as ours:
        run.everything(MEMORY, ours, pages=True)


def _virtuoso(run: "_Runner", home: Path) -> None:
    nquads = run.args.work / "virtuoso-footprints.nq"  # under the graph names serve --store asks for (issue 20)
    write_server_nquads(home / "current", nquads)
    with _started(run, VIRTUOSO, lambda: systems.virtuoso(run.args.work / "virtuoso", nquads, 10_000_000)) as server:
        run.everything(VIRTUOSO, server)
        with _started(run, ON_VIRTUOSO, lambda: systems.footprints(
                home, SYNTHETIC_BASE, run.args.work / "on-virtuoso.log", cache=False, timeout=run.args.cap,
                store_url=server.sparql)) as ours:
            run.everything(ON_VIRTUOSO, ours, pages=True)


def _rdflib(figures: Figures, args, release: Path, texts: dict[str, str], victims: int,
            run: "_Runner | None" = None) -> None:
    """rdflib-endpoint loading the release's N-Quads and asked the library; at the largest size (`run`) the
    lookups and their throughput too."""
    venv = systems.install_rdflib_endpoint(args.work / "rdflib-endpoint-venv", RDFLIB_ENDPOINT_VERSION)
    began = time.perf_counter()
    with systems.rdflib_endpoint(venv, release / "dumps" / "footprints.nq", args.work / f"rdflib-{victims}.log") \
            as server:
        figures.rdflib_start[victims], figures.rdflib_memory[victims] = time.perf_counter() - began, tree_pss(server.pid)
        _progress(f"rdflib-endpoint loaded {victims} victims in {figures.rdflib_start[victims]:.0f} s")
        figures.rdflib[victims] = _interrupted_library(server, texts, args)
        if run:
            figures.startup[RDFLIB], figures.library[RDFLIB] = figures.rdflib_start[victims], figures.rdflib[victims]
            run.everything(RDFLIB, server, library=False)
    _progress(f"rdflib-endpoint at {victims} victims")


def _interrupted_library(server: systems.System, texts: dict[str, str], args) -> dict[str, Answered]:
    """The library on rdflib-endpoint, each query past the deadline stopped by restarting its server
    (systems.interrupt): it cannot stop a query itself, and the next one would wait for it."""
    answers = {}
    for name, text in texts.items():
        answers[name] = queries.ask_library(server.sparql, {name: text}, args.cap, args.budget, args.most)[name]
        if answers[name].timings.failure == queries.past(args.cap):
            systems.interrupt(server)
    return answers


class _started:
    """Start a system, noting how long it took to answer (loading included)."""

    def __init__(self, run: "_Runner", label: str, start):
        self.run, self.label, self.context = run, label, start()

    def __enter__(self):
        began = time.perf_counter()
        system = self.context.__enter__()
        self.run.figures.startup[self.label] = time.perf_counter() - began
        # compared in its steady state (a worker still loading a store took a core from the one answering); the
        # first requests after `serve` starts are timed at each size (`_growth`)
        _progress(f"{self.label} settled {settled(system.pid):.1f} s after it answered")
        return system

    def __exit__(self, *exception):
        return self.context.__exit__(*exception)


class _Runner:
    """Measures one started system: the library, lookups, pages, throughput, memory."""

    def __init__(self, figures: Figures, args, texts: dict[str, str], persons: list[str]):
        self.figures, self.args, self.texts, self.persons = figures, args, texts, persons
        self.ordered = sorted(texts, key=lambda n: figures.library[IN_PROCESS][n].timings.p50 or args.cap)

    def everything(self, label: str, system: systems.System, pages: bool = False, library: bool = True) -> None:
        if library:
            self.library(label, system)
        self.figures.lookups[label] = queries.point_lookups(system.sparql, self.persons[:100], self.args.cap,
                                                            self.args.budget)
        if pages:
            self.figures.pages[label] = queries.record_pages(system.sparql, _pages(self.persons[:100]),
                                                             self.args.cap, self.args.budget)
        self.throughputs(label, system, pages)
        self.figures.memory[label] = tree_pss(system.pid)
        _progress(f"measured {label}")

    def library(self, label: str, system: systems.System) -> None:
        """The library, fastest (in-process) first (each of these systems stops a query at its deadline)."""
        self.figures.library[label] = queries.ask_library(system.sparql, {n: self.texts[n] for n in self.ordered},
                                                          self.args.cap, self.args.budget, self.args.most)

    def throughputs(self, label: str, system: systems.System, pages: bool) -> None:
        folder, seconds = self.args.work, self.args.wrk_seconds
        workloads = [(LOOKUPS, queries.query_lines(system.sparql, [
            f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}" for iri in self.persons], "GET"), JSON)]
        if label != RDFLIB:
            workloads.append((LIBRARY, queries.query_lines(system.sparql, [self.texts[n] for n in self.figures.fast],
                                                            "POST"), JSON))
        if pages:
            workloads.append((PAGES, [f"GET {path}" for path in _pages(self.persons)], TURTLE))
        for workload, lines, accept in workloads:
            requests = queries.requests_file(folder, workload.split()[0], lines)
            try:
                self.figures.throughput[(workload, label)] = queries.throughput(system.sparql, requests, accept,
                                                                                seconds)
            except subprocess.CalledProcessError as error:  # left out of the table ("—"), said in the log
                _progress(f"wrk failed on {workload}, {label} (exit {error.returncode}): {error.stderr.strip()[-300:]}")


if __name__ == "__main__":
    raise SystemExit(main())
