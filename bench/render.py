"""The "Scale benchmark" section of docs/performance.md, written from one run's figures: the targets and how
far each is met or missed, then the tables they come from."""

from dataclasses import dataclass

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
    SYSTEMS,
    VIRTUOSO,
    Figures,
)
from measure import AT_LEAST_SECONDS, SAMPLE_SECONDS, Timings, exponent
from report import GIB, HEADING, count, geometric_mean, growth, latency, ms, ratio, size, table, times, verdict

from queries import past

BUILD_TARGET_SECONDS = 120
BUILD_TARGET_PEAK = 4 * GIB
PAGE_TARGET_SECONDS = 0.1  # every page and library query, first request and repeats, over HTTP, cache off
WITHIN_OXIGRAPH, WITHIN_VIRTUOSO, OVER_RDFLIB = 1.25, 1.3, 10
LOOKUPS_PER_SECOND = 4000
LIBRARY_GROWTH = 1.1  # the fitted exponent of a query's cost on the victims
RDFLIB_SERVING = "its `serve` command's Dataset with a union default graph, loaded from the release's N-Quads dump"


def render(figures: Figures, context: dict) -> str:
    parts = [HEADING, _intro(figures, context), "### Targets", _targets(figures, context["args"].cap),
             "### Build", _builds(figures), _stages(figures), "### Pages over HTTP", _page_views(figures),
             "### The query library over HTTP", _library(figures),
             _ratios(figures), "### rdflib-endpoint at each size", _rdflib_sizes(figures, context["args"].cap),
             "### Point lookups and record pages", _lookups(figures),
             "### Throughput with 8 clients (wrk)", _throughput(figures), "### Growth from size to size",
             _growth(figures)]
    return "\n\n".join(part for part in parts if part) + "\n"


def _intro(figures: Figures, context: dict) -> str:
    args = context["args"]
    facts = {**context["machine"], "load average before → after": " → ".join(context["load"]),
             "date": context["started"].strftime("%Y-%m-%d %H:%M UTC"),
             "command": "`python bench/run.py " + " ".join(context["argv"] or []) + "`"}
    lines = [f"- {name}: {value}" for name, value in facts.items()]
    lines.append("- versions: " + ", ".join(f"{name} {value}" for name, value in context["versions"].items()))
    return "\n".join(lines) + f"""

Synthetic victims (`footprints-graph synth --seed 1`, built under the synthetic base) at
{', '.join(f'{n:,}' for n in figures.sizes)}. Every time is the median of repeated runs (up to {args.most} or
{args.budget:g} s per query and system, p95 in parentheses; a library query's runs go on past {args.most} until they have
taken {AT_LEAST_SECONDS:g} s, so a query of a millisecond has hundreds), in ms unless marked; a query is stopped after
{args.cap:g} s (the endpoint's default deadline). Every server listens on 127.0.0.1 and runs alone, except
footprints-graph in front of Virtuoso; each is asked once its processes have settled (under 5 % of a core over a
second, at most a minute after it answered), except at each size's first run of footprints-graph, no cache, which
times the first requests after `serve` starts. "footprints-graph" is `footprints-graph serve` as deployed (gunicorn,
2 workers, the release's store on disk): "no cache" sets `cache_bytes = 0`, "(default)" keeps the 64 MiB
answer cache, so its repeated queries are answered from it; "in memory" sets `in_memory = true`. The
result-row cap is lifted (the library returns up to 100k rows at 100k victims)."""


# ----------------------------------------------------------------------------- targets


def _p50(figures: Figures, system: str, query: str) -> float | None:
    answered = figures.library.get(system, {}).get(query)
    return answered.timings.p50 if answered else None


def _targets(figures: Figures, cap: float) -> str:
    rows = [_build_target(figures), _build_peak_target(figures), _page_views_target(figures),
            _library_latency_target(figures), _library_growth_target(figures), _answered_target(figures),
            *_oxigraph_targets(figures), _rdflib_target(figures, cap),
            _pages_target(figures), _library_throughput_target(figures), _virtuoso_backend_target(figures),
            _memory_target(figures)]
    return table(["target", "measured", "verdict"], [row for row in rows if row])


def _build_target(figures: Figures) -> list[str]:
    largest = figures.builds[-1]
    stages = sorted(largest.stages.items(), key=lambda item: -item[1])[:3]
    why = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in stages)
    missed = f"by {largest.seconds - BUILD_TARGET_SECONDS:.0f} s ({largest.seconds / BUILD_TARGET_SECONDS:.1f}×); " \
             f"largest stages: {why}; the engine alone loads the N-Quads in {largest.engine.seconds:.0f} s"
    return [f"build end to end ≤ {BUILD_TARGET_SECONDS} s at {largest.victims:,} victims",
            f"{largest.seconds:.1f} s", verdict(largest.seconds <= BUILD_TARGET_SECONDS, missed)]


def _build_peak_target(figures: Figures) -> list[str]:
    """Judged on what the build's processes held together (PSS summed) where it was sampled: the largest process
    alone understates a build whose processes overlap."""
    run = figures.builds[-1].median
    peak = max(run.peak_rss, run.peak_together or 0)
    return [f"build peak memory ≤ {size(BUILD_TARGET_PEAK)} at {figures.builds[-1].victims:,} victims",
            f"{size(peak)} ({_peaks(run)})", verdict(peak <= BUILD_TARGET_PEAK, f"by {size(peak - BUILD_TARGET_PEAK)}")]


def _peaks(run) -> str:
    together = f"processes together, PSS sampled every {SAMPLE_SECONDS} s: {size(run.peak_together)}; " \
        if run.peak_together is not None else ""
    return f"{together}largest process: {size(run.peak_rss)}"


def _page_views_target(figures: Figures) -> list[str] | None:
    largest = max(figures.sizes)
    pages = figures.page_views.get(largest)
    if not pages:
        return None
    slow = {name: t for name, t in pages.items() if _over(t.first) or _over(t.repeats)}
    over = "; ".join(f"{name} first {_once(t.first)}, then {latency(t.repeats)}" for name, t in slow.items())
    return [f"every page p50 ≤ {PAGE_TARGET_SECONDS * 1000:.0f} ms over HTTP at {largest:,} victims, first request "
            f"after `serve` starts and repeats — {COLD}", f"{len(pages) - len(slow)} of {len(pages)} pages"
            + (f"; over: {over}" if over else ""), verdict(not slow, f"{len(slow)} pages over")]


def _library_latency_target(figures: Figures) -> list[str] | None:
    largest = max(figures.sizes)
    answers = figures.growth.get(largest)
    if not answers:
        return None
    slow = {q: a.timings for q, a in answers.items() if _over(_first(a.timings)) or _over(a.timings)}
    over = ", ".join(f"{q} {_once(_first(t))} then {latency(t)}" for q, t in slow.items())
    return [f"every library query p50 ≤ {PAGE_TARGET_SECONDS * 1000:.0f} ms over HTTP at {largest:,} victims, first "
            f"request and repeats — {COLD}", f"{len(answers) - len(slow)} of {len(answers)} queries"
            + (f"; over (first, then p50): {over}" if over else ""), verdict(not slow, f"{len(slow)} queries over")]


def _library_growth_target(figures: Figures) -> list[str] | None:
    """Each library query's cost as a researcher meets it (over HTTP, cache off) against the victims; what the engine
    costs to evaluate the same texts, which the build pays, is bench/library_growth.py's ("Library queries by size")."""
    sizes = figures.sizes
    if len(sizes) < 2 or any(n not in figures.growth for n in sizes):
        return None
    fitted = {q: exponent([float(n) for n in sizes], [_ms(figures.growth[n][q].timings) or 0 for n in sizes])
              for q in figures.growth[sizes[0]]}
    steep = {q: e for q, e in fitted.items() if e is None or e > LIBRARY_GROWTH}
    over = ", ".join(f"{q} {'stopped' if e is None else f'{e:.2f}'}" for q, e in steep.items())
    largest = max((e, q) for q, e in fitted.items() if e is not None)
    return [f"each library query's p50 grows no faster than the victims: exponent ≤ {LIBRARY_GROWTH} over "
            f"{', '.join(f'{n:,}' for n in sizes)} — {COLD}, over HTTP",
            f"{len(fitted) - len(steep)} of {len(fitted)} queries; steepest {largest[1]} {largest[0]:.2f}"
            + (f"; over: {over}" if over else ""), verdict(not steep, f"{len(steep)} queries over")]


def _answered_target(figures: Figures) -> list[str] | None:
    """Synthetic data that exercises every query: an empty answer times nothing worth knowing."""
    if not figures.growth:
        return None
    empty = [f"{q} at {n:,}" for n, answers in sorted(figures.growth.items()) for q, a in answers.items()
             if not a.rows]
    return [f"every library query answers rows at every synthetic size — {COLD}",
            f"{sum(len(a) for a in figures.growth.values()) - len(empty)} of "
            f"{sum(len(a) for a in figures.growth.values())} answers" + (f"; empty: {', '.join(empty)}" if empty else ""),
            verdict(not empty, f"{len(empty)} empty")]


def _first(timings: Timings) -> Timings:
    """The first run alone (the library is asked on a server just started, each query once before its repeats)."""
    return Timings(timings.seconds[:1], timings.failure if not timings.seconds else None)


def _over(timings: Timings) -> bool:
    return timings.p50 is None or timings.p50 > PAGE_TARGET_SECONDS


def _oxigraph_targets(figures: Figures) -> list[list[str]]:
    if OXIGRAPH not in figures.library:
        return []
    return [_within(figures, system, OXIGRAPH, WITHIN_OXIGRAPH, f"library p50 over HTTP ≤ {WITHIN_OXIGRAPH}× the "
                    f"Oxigraph server's, each query — {system}") for system in (DEFAULT, COLD, MEMORY)
            if system in figures.library]


def _within(figures: Figures, ours: str, theirs: str, limit: float, target: str) -> list[str]:
    """How many library queries `ours` answers within `limit` times `theirs`; those both stop are left out."""
    compared, misses = 0, []
    for query in figures.library[theirs]:
        mine, other = _p50(figures, ours, query), _p50(figures, theirs, query)
        if mine is None and other is None:
            continue
        compared += 1
        share = ratio(mine, other) if mine and other else (0 if mine else None)
        if share is None or share > limit:
            misses.append(f"{query} {times(share) if share else 'stopped'}")
    measured = f"{compared - len(misses)} of {compared} queries" + (f"; over: {', '.join(misses)}" if misses else "")
    return [target, measured, verdict(not misses, f"{len(misses)} queries over")]


def _rdflib_target(figures: Figures, cap: float) -> list[str] | None:
    largest = max(figures.sizes)
    if largest not in figures.rdflib:
        return None
    over = _over_rdflib(figures, largest, cap)
    notes = [f"{times(over.mean)} over {over.compared} queries"]
    if over.stopped:
        notes.append(f"not answered by rdflib-endpoint within {cap:g} s, counted at {cap:g} s (so the mean is a "
                     f"lower bound): {', '.join(over.stopped)}")
    if over.left_out:
        notes.append(f"left out (no time to compare): {', '.join(over.left_out)}")
    if over.other_rows:
        notes.append(f"rdflib-endpoint's answer has another number of rows: {', '.join(over.other_rows)}")
    return [f"library geometric mean ≥ {OVER_RDFLIB}× rdflib-endpoint (its p50 ÷ ours) at {largest:,} victims — "
            f"{COLD}", "; ".join(notes), verdict(over.mean is not None and over.mean >= OVER_RDFLIB, times(over.mean))]


@dataclass(frozen=True)
class _OverRdflib:
    """rdflib-endpoint's library p50s ÷ footprints-graph's (no cache) at one size, and what the mean is over."""

    speedups: dict[str, float]
    stopped: list[str]  # past the deadline on rdflib-endpoint: counted at the deadline
    left_out: list[str]  # one of the two gave no time (an error), with its reason
    other_rows: list[str]  # the two answers differ in rows

    @property
    def mean(self) -> float | None:
        return geometric_mean(list(self.speedups.values()))

    @property
    def compared(self) -> int:
        return len(self.speedups)


def _over_rdflib(figures: Figures, victims: int, cap: float) -> _OverRdflib:
    speedups, stopped, left_out, other_rows = {}, [], [], []
    for query, theirs in figures.rdflib[victims].items():
        ours = figures.growth[victims][query]
        was_stopped = theirs.timings.p50 is None and theirs.timings.failure == past(cap)
        theirs_seconds = cap if was_stopped else theirs.timings.p50
        if theirs_seconds is None or ours.timings.p50 is None:
            failed = ("rdflib-endpoint", theirs) if theirs_seconds is None else ("footprints-graph", ours)
            left_out.append(f"{query} ({failed[0]}: {failed[1].timings.failure})")
            continue
        speedups[query] = theirs_seconds / ours.timings.p50
        if was_stopped:
            stopped.append(query)
        if None not in (theirs.rows, ours.rows) and theirs.rows != ours.rows:
            other_rows.append(f"{query} ({count(theirs.rows)} against {count(ours.rows)})")
    return _OverRdflib(speedups, stopped, left_out, other_rows)


def _pages_target(figures: Figures) -> list[str] | None:
    results = {s: figures.throughput.get((PAGES, s)) for s in (COLD, DEFAULT, MEMORY)}
    if not results[COLD]:
        return None
    rate = results[COLD].per_second
    others = "; ".join(f"{s}: {count(t.per_second)}/s" for s, t in results.items() if t and s != COLD)
    return [f"record lookups (Turtle) ≥ {LOOKUPS_PER_SECOND:,}/s with 8 clients — {COLD}",
            f"{count(rate)}/s ({others})",
            verdict(rate >= LOOKUPS_PER_SECOND, f"by {count(LOOKUPS_PER_SECOND - rate)}/s "
                                               f"({rate / LOOKUPS_PER_SECOND:.0%} of the target)")]


def _library_throughput_target(figures: Figures) -> list[str] | None:
    ours, theirs = figures.throughput.get((LIBRARY, DEFAULT)), figures.throughput.get((LIBRARY, VIRTUOSO))
    if not (ours and theirs):
        return None
    return ["repeated library queries: throughput ≥ Virtuoso's on the same queries — " + DEFAULT,
            f"{count(ours.per_second)}/s against {count(theirs.per_second)}/s ({len(figures.fast)} queries)",
            verdict(ours.per_second >= theirs.per_second, f"{ours.per_second / theirs.per_second:.2f}×")]


def _virtuoso_backend_target(figures: Figures) -> list[str] | None:
    if ON_VIRTUOSO not in figures.library:
        return None
    return _within(figures, ON_VIRTUOSO, VIRTUOSO, WITHIN_VIRTUOSO,
                   f"Virtuoso backend: each query's p50 ≤ {WITHIN_VIRTUOSO}× asking Virtuoso directly")


def _memory_target(figures: Figures) -> list[str] | None:
    if DEFAULT not in figures.memory:
        return None
    disk = max(figures.memory.get(s, 0) for s in (DEFAULT, COLD))
    memory = figures.memory.get(MEMORY)
    extra = f"; in memory: {size(memory)}" if memory else ""
    return ["≤ 1 GiB resident serving from disk (gunicorn master, 2 workers, their query processes; PSS)",
            f"{size(disk)}{extra}", verdict(disk <= GIB, f"by {size(disk - GIB)}")]


# ----------------------------------------------------------------------------- tables


def _builds(figures: Figures) -> str:
    rows = []
    for b in figures.builds:
        run, engine = b.median, b.engine
        rows.append([f"{b.victims:,}", count(b.records), count(b.triples), f"{b.seconds:.1f} s ({len(b.runs)})",
                     f"{run.cpu_seconds:.1f} s", count(b.records / b.seconds), count(b.triples / b.seconds),
                     size(run.peak_rss), size(run.peak_together) if run.peak_together is not None else "—",
                     f"{engine.seconds:.1f} s", count(b.triples / engine.seconds),
                     size(engine.peak_rss), times(b.seconds / engine.seconds)])
    return table(["victims", "records", "triples", "build (runs)", "CPU", "records/s", "triples/s",
                  "peak RSS (largest process)", "peak, processes together (PSS)", "engine bulk load", "triples/s",
                  "peak RSS", "build ÷ engine"], rows)


def _stages(figures: Figures) -> str:
    largest = figures.builds[-1]
    rows = [[name + (", alongside validation" if name in largest.background else ""),
             f"{seconds:.1f} s", f"{seconds / largest.seconds:.0%}"]
            for name, seconds in sorted(largest.stages.items(), key=lambda item: -item[1])]
    other = largest.seconds - sum(s for name, s in largest.stages.items() if name not in largest.background)
    rows.append(["everything else (waiting for the writing thread, link sets, summary, build id, restricted records, …)",
                 f"{other:.1f} s", f"{other / largest.seconds:.0%}"])
    return f"Where the build's time goes at {largest.victims:,} victims:\n\n" + table(["stage", "time", "share"], rows)


def _page_views(figures: Figures) -> str:
    pages = {name: t.path for by_page in figures.page_views.values() for name, t in by_page.items()}
    if not pages:
        return ""
    rows = [[name, f"`{path}`", *(_page_cell(figures.page_views.get(n, {}).get(name)) for n in figures.sizes)]
            for name, path in pages.items()]
    return (f"{COLD}, started afresh at each size: the first request of each page after `serve` started, then the "
            "p50 (p95) of its repeats, in ms (HTML; the paths are those of the largest size):\n\n"
            + table(["page", "path", *(f"{n:,}" for n in figures.sizes)], rows))


def _page_cell(timings) -> str:
    return "—" if timings is None else f"{_once(timings.first)} then {latency(timings.repeats)}"


def _once(timings: Timings) -> str:
    """One request's time in ms, or why it has none."""
    return timings.failure if timings.failure and not timings.seconds else ms(timings.p50)


def _present(figures: Figures) -> list[str]:
    return [s for s in SYSTEMS if s in figures.library]


def _library(figures: Figures) -> str:
    systems = _present(figures)
    rows = []
    for query, reference in figures.library[IN_PROCESS].items():
        cells = [_cell(figures.library[s].get(query), reference.rows) for s in systems]
        rows.append([query, "—" if reference.rows is None else count(reference.rows), *cells])
    return (f"p50 (p95) in ms at {max(figures.sizes):,} victims; a count after ≠ marks an answer with another "
            "number of rows than pyoxigraph's:\n\n" + table(["query", "rows", *systems], rows))


def _cell(answered, rows: int | None) -> str:
    if answered is None:
        return "—"
    text = latency(answered.timings)
    if answered.rows is not None and rows is not None and answered.rows != rows:
        text += f" ≠{answered.rows:,}"
    return text


def _ratios(figures: Figures) -> str:
    pairs = [(DEFAULT, OXIGRAPH), (COLD, OXIGRAPH), (MEMORY, OXIGRAPH), (ON_VIRTUOSO, VIRTUOSO)]  # rdflib: below
    pairs = [(a, b) for a, b in pairs if a in figures.library and b in figures.library]
    rows = [[query, *(times(ratio(_p50(figures, a, query), _p50(figures, b, query))) for a, b in pairs)]
            for query in figures.library[IN_PROCESS]]
    return "Ratios of p50s (below 1: the first is faster):\n\n" + table(
        ["query", *(f"{a} ÷ {b}" for a, b in pairs)], rows)


def _rdflib_sizes(figures: Figures, cap: float) -> str:
    sizes = [n for n in figures.sizes if n in figures.rdflib]
    if not sizes:
        return ""
    over = {n: _over_rdflib(figures, n, cap) for n in sizes}
    rows = [[query, *(_rdflib_cell(figures, n, query, over[n]) for n in sizes)] for query in figures.rdflib[sizes[0]]]
    rows += [["**geometric mean of the ratios**", *(_mean_cell(over[n], cap) for n in sizes)],
             ["loaded and answering after", *(f"{figures.rdflib_start[n]:.1f} s" for n in sizes)],
             ["memory once loaded (PSS)", *(size(figures.rdflib_memory[n]) for n in sizes)]]
    return (f"{RDFLIB} ({RDFLIB_SERVING}) asked the library over HTTP at each size, like {COLD} (the "
            f"growth table below): its p50 (p95) in ms, and after = how many times footprints-graph's p50 that is. "
            f"rdflib cannot stop a query: one past {cap:g} s is stopped by restarting the server (forked again "
            f"from the loaded process, bench/rdflib_server.py) and counted at {cap:g} s, a lower bound; ≠ marks "
            f"an answer with another number of rows than footprints-graph's:\n\n"
            + table(["query", *(f"{n:,}" for n in sizes)], rows))


def _mean_cell(over: _OverRdflib, cap: float) -> str:
    stopped = f", {len(over.stopped)} counted at {cap:g} s (at least)" if over.stopped else ""
    return f"**{times(over.mean)}** over {over.compared} queries{stopped}"


def _rdflib_cell(figures: Figures, victims: int, query: str, over: _OverRdflib) -> str:
    answered, ours = figures.rdflib[victims][query], figures.growth[victims][query]
    text = latency(answered.timings)
    if query in over.speedups:
        text += f" = {'≥ ' if query in over.stopped else ''}{times(over.speedups[query])}"
    if None not in (answered.rows, ours.rows) and answered.rows != ours.rows:
        text += f" ≠{answered.rows:,}"
    return text


def _lookups(figures: Figures) -> str:
    rows = [[s, latency(figures.lookups.get(s)), latency(figures.pages.get(s)),
             f"{figures.startup[s]:.0f} s" if s in figures.startup else "—",
             size(figures.memory[s]) if s in figures.memory else "—"] for s in SYSTEMS if s in figures.lookups]
    return ("`SELECT ?p ?o WHERE { <person> ?p ?o }` over 100 persons, and their record pages as Turtle "
            "(footprints-graph's linked data: the person with its claims and sources); ms. Start is the time "
            "until the server answered (loading included); memory is what the system's processes hold after the "
            "runs, children included, each page counted once (the sum of their PSS: a page shared by the "
            "processes forked from one counts once, where their RSS summed counted it in each):\n\n"
            + table(["system", "point lookup", "record page", "start", "memory (PSS)"], rows))


def _throughput(figures: Figures) -> str:
    workloads = [PAGES, LOOKUPS, LIBRARY]
    systems = [s for s in SYSTEMS if any((w, s) in figures.throughput for w in workloads)]
    rows = [[w, *(_rate(figures.throughput.get((w, s))) for s in systems)] for w in workloads]
    return (f"Successful answers per second, 2 wrk threads, 8 connections, after a warm-up run of the same "
            f"length; record pages and point lookups cycle through 1,000 persons; the library mix is the "
            f"{len(figures.fast)} queries under 250 ms in-process ({', '.join(figures.fast)}):\n\n"
            + table(["workload", *systems], rows))


def _rate(measured) -> str:
    if measured is None:
        return "—"
    failed = f", {measured.not_ok:,} failed" if measured.not_ok else ""
    return f"{count(measured.per_second)} (p50 {measured.p50_ms:.1f} ms{failed})"


def _growth(figures: Figures) -> str:
    sizes = figures.sizes
    builds = {b.victims: b for b in figures.builds}
    rows = [_growth_row("build, wall", sizes, [builds[n].seconds for n in sizes], "s"),
            _growth_row("build, CPU", sizes, [builds[n].median.cpu_seconds for n in sizes], "s"),
            _growth_row("build, peak RSS (MiB)", sizes, [builds[n].median.peak_rss / (1 << 20) for n in sizes], ""),
            _growth_row("engine bulk load", sizes, [builds[n].engine.seconds for n in sizes], "s"),
            _growth_row("record page p50 (ms)", sizes, [_ms(figures.growth_pages.get(n)) for n in sizes], "")]
    for query in figures.growth[sizes[0]]:
        rows.append(_growth_row(f"{query} p50 (ms)", sizes,
                                [_ms(figures.growth[n][query].timings) for n in sizes], ""))
    return ("How each cost grows with the number of victims: the exponent of a least-squares fit of log(cost) "
            "on log(victims) (1: linear; queries and pages: footprints-graph, no cache, over HTTP):\n\n"
            + table(["cost", *(f"{n:,}" for n in sizes), "exponent"], rows))


def _ms(timings: Timings | None) -> float | None:
    return timings.p50 * 1000 if timings and timings.p50 else None


def _growth_row(name: str, sizes: list[int], values: list[float | None], unit: str) -> list[str]:
    cells = ["stopped" if v is None else f"{v:,.1f}{' ' + unit if unit else ''}" for v in values]
    return [name, *cells, growth(sizes, values)]
