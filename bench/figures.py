"""What the scale benchmark measures, by system and workload: the names its tables use, and the figures of
one run (bench/run.py fills them, bench/render.py writes them out)."""

from dataclasses import dataclass, field

from builds import BuildFigures
from measure import Timings
from pages import PageTimings

from queries import Answered, Throughput

IN_PROCESS, COLD, DEFAULT = "pyoxigraph in-process", "footprints-graph, no cache", "footprints-graph (default)"
MEMORY, OXIGRAPH, VIRTUOSO = "footprints-graph in memory, no cache", "Oxigraph server", "Virtuoso 7"
ON_VIRTUOSO, RDFLIB = "footprints-graph → Virtuoso, no cache", "rdflib-endpoint"
SYSTEMS = (IN_PROCESS, COLD, DEFAULT, MEMORY, OXIGRAPH, VIRTUOSO, ON_VIRTUOSO, RDFLIB)
PAGES, LOOKUPS, LIBRARY = "record pages (Turtle)", "point lookups (SPARQL)", "fast library queries"


@dataclass
class Figures:
    """Everything one run measured."""

    sizes: list[int]
    builds: list[BuildFigures] = field(default_factory=list)
    growth: dict[int, dict[str, Answered]] = field(default_factory=dict)  # no-cache library at each size
    growth_pages: dict[int, Timings] = field(default_factory=dict)
    page_views: dict[int, dict[str, PageTimings]] = field(default_factory=dict)  # pages for people, fresh server
    library: dict[str, dict[str, Answered]] = field(default_factory=dict)
    lookups: dict[str, Timings] = field(default_factory=dict)
    pages: dict[str, Timings] = field(default_factory=dict)
    throughput: dict[tuple[str, str], Throughput] = field(default_factory=dict)
    memory: dict[str, int] = field(default_factory=dict)
    startup: dict[str, float] = field(default_factory=dict)
    fast: list[str] = field(default_factory=list)
    rdflib: dict[int, dict[str, Answered]] = field(default_factory=dict)  # rdflib-endpoint's library at each size
    rdflib_start: dict[int, float] = field(default_factory=dict)  # seconds until it answered (loading included)
    rdflib_memory: dict[int, int] = field(default_factory=dict)  # its PSS once loaded


def to_json(figures: Figures) -> dict:
    """The figures as JSON (kept in --work for whoever wants to dig further)."""
    def timings(t: Timings | None):
        return None if t is None else {"seconds": t.seconds, "failure": t.failure}
    return {
        "sizes": figures.sizes,
        "builds": [{"victims": b.victims, "records": b.records, "triples": b.triples, "stages": b.stages,
                    "runs": [vars(r) | {"stdout": None} for r in b.runs], "engine": vars(b.engine) | {"stdout": None}}
                   for b in figures.builds],
        "library": {s: {q: {"timings": timings(a.timings), "rows": a.rows} for q, a in answers.items()}
                    for s, answers in figures.library.items()},
        "growth": {n: {q: {"timings": timings(a.timings), "rows": a.rows} for q, a in answers.items()}
                   for n, answers in figures.growth.items()},
        "lookups": {s: timings(t) for s, t in figures.lookups.items()},
        "pages": {s: timings(t) for s, t in figures.pages.items()},
        "page_views": {n: {page: {"path": t.path, "first": timings(t.first), "repeats": timings(t.repeats)}
                           for page, t in pages.items()} for n, pages in figures.page_views.items()},
        "throughput": {f"{w} / {s}": vars(t) for (w, s), t in figures.throughput.items()},
        "memory": figures.memory, "startup": figures.startup, "fast": figures.fast,
        "rdflib": {n: {q: {"timings": timings(a.timings), "rows": a.rows} for q, a in answers.items()}
                   for n, answers in figures.rdflib.items()},
        "rdflib_start": figures.rdflib_start, "rdflib_memory": figures.rdflib_memory,
    }
