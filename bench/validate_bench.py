"""How fast validation is: a 1,000-record submission checked against a release, and the whole graph at 10k
and 100k synthetic victims, validated in record-sized batches (a victim's person, listing, act and status
stay in one batch, with the shared source and perpetrator records) on as many worker processes as asked.

Synthetic victims are made here, under their own namespace (https://w3id.org/footprints-graph/synthetic/),
and never written into data/. `--write` puts the results into docs/performance.md under "## Validation"
(other sections of that file are left as they are).

    python bench/validate_bench.py --victims 10000 100000 --workers 2 --write
"""

import argparse
import datetime
import os
import platform
import re
import tempfile
import time
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from footprints_graph.iris import SYNTHETIC_BASE
from footprints_graph.releases.build import build
from footprints_graph.store.embedded import open_store
from footprints_graph.validate import store_context, validate_graph
from footprints_graph.vocab import FP, FPV

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = Namespace(SYNTHETIC_BASE)
SCHEMA = Namespace("https://schema.org/")
DOCUMENT, STATE = SYNTHETIC["document/synthetic-list"], SYNTHETIC["organisation/synthetic-state"]
# category, act, the first and last year of its dates (inside the category's legal window)
CATEGORIES = ((FP.WartimeAbductee, FP.Abduction, 1950, 1953), (FP.PostWarAbductee, FP.Abduction, 1954, 2000),
              (FP.PrisonerOfWar, FP.Capture, 1951, 1952), (FP.Detainee, FP.ArbitraryDetention, 2013, 2016))
STATUS_SHARE = 10  # one victim in ten has a status assessment


def shared_records() -> list[tuple]:
    """The synthetic source document and perpetrator every synthetic record points to."""
    return [(DOCUMENT, RDF.type, FP.SourceDocument),
            (DOCUMENT, RDFS.label, Literal("Synthetic list (not a real document)", lang="en")),
            (DOCUMENT, FP.documentType, FPV["document-types/web-page"]),
            (DOCUMENT, SCHEMA.url, URIRef("https://example.org/synthetic")),
            (DOCUMENT, DCTERMS.source, DOCUMENT), (STATE, RDF.type, FP.Organisation),
            (STATE, RDFS.label, Literal("Synthetic state", lang="en")),
            (STATE, FP.organisationType, FPV["organisation-types/state"]), (STATE, DCTERMS.source, DOCUMENT)]


def _date(n: int, first: int, last: int) -> Literal:
    """A date as precise as a source might give it: a year, a month or a day."""
    year = first + n % (last - first + 1)
    precision = n % 3
    if precision == 0:
        return Literal(str(year), datatype=XSD.gYear)
    month = 8 + n % 5 if year == 1950 else 1 + n % 6 if year == 1953 else 1 + n % 12
    return Literal(f"{year}-{month:02d}", datatype=XSD.gYearMonth) if precision == 1 else \
        Literal(f"{year}-{month:02d}-{1 + n % 28:02d}", datatype=XSD.date)


def victim_records(n: int) -> list[list[tuple]]:
    """Synthetic victim n: the person with a listing, an act, and one time in ten a status."""
    category, act_type, first, last = CATEGORIES[n % len(CATEGORIES)]
    person, listing, act = SYNTHETIC[f"person/v{n}"], SYNTHETIC[f"listing/v{n}.synthetic-list"], SYNTHETIC[f"event/v{n}-act"]
    name = Literal(f"Synthetic Person-{n}", lang="ko-Latn")
    records = [[(person, RDF.type, FP.Victim), (person, RDF.type, category), (person, RDFS.label, name),
                (person, SKOS.prefLabel, name), (person, FP.victimCategory, category), (person, FP.restricted, Literal(False)),
                (person, DCTERMS.source, DOCUMENT), (listing, RDF.type, FP.Listing), (listing, FP.listingOf, person),
                (listing, FP.nameAsListed, name), (listing, FP.victimCategory, category), (listing, DCTERMS.source, DOCUMENT)],
               [(act, RDF.type, act_type), (act, FP.victim, person), (act, FP.date, _date(n, first, last)),
                (act, FP.dateBasis, FPV["date-basis/stated"]), (act, FP.perpetrator, STATE), (act, DCTERMS.source, DOCUMENT)]]
    if n % STATUS_SHARE == 0:
        status = SYNTHETIC[f"status/v{n}"]
        records.append([(status, RDF.type, FP.StatusAssessment), (status, FP.statusOf, person),
                        (status, FP.status, FPV["status/detained"]), (status, FP.asOf, Literal("2024", datatype=XSD.gYear)),
                        (status, DCTERMS.source, DOCUMENT)])
    return records


def graph_of(victims: range, with_shared: bool = True) -> tuple[Graph, int]:
    """The records of some victims as one graph, and how many records they are."""
    graph, count = Graph(), 0
    for triple in shared_records() if with_shared else []:
        graph.add(triple)
    for n in victims:
        for record in victim_records(n):
            count += 1
            for triple in record:
                graph.add(triple)
    return graph, count


# ---------------------------------------------------------------- the measurements


ENGINE = None  # validate_graph's engine: None (by size), "pyshacl" or "sparql" (--engine)


def submission(records_wanted: int = 1000) -> dict:
    """A submission of about `records_wanted` records, checked against a release of data/ (with its
    references to the synthetic document resolved inside the submission)."""
    victims = range(round(records_wanted / (2 + 1 / STATUS_SHARE)))
    graph, records = graph_of(victims)
    with tempfile.TemporaryDirectory() as home:
        release = build(ROOT / "data", Path(home)).release
        store = open_store(release / "store")
        started = time.perf_counter()
        context = store_context(store, graph)
        context_seconds = time.perf_counter() - started
        report = validate_graph(graph, context, engine=ENGINE)
        total = time.perf_counter() - started
    return {"records": records, "victims": len(victims), "context_seconds": context_seconds, "seconds": total,
            "violations": len(report.violations)}


def _batch(bounds: tuple[int, int]) -> tuple[int, int, float]:
    """One batch: make its records, validate them; (records, violations, seconds spent validating)."""
    graph, records = graph_of(range(*bounds))
    started = time.perf_counter()
    report = validate_graph(graph, engine=ENGINE)
    return records, len(report.violations), time.perf_counter() - started


def whole_graph(victims: int, batch: int, workers: int) -> dict:
    batch = batch or victims
    bounds = [(start, min(start + batch, victims)) for start in range(0, victims, batch)]
    started = time.perf_counter()
    with get_context("fork").Pool(workers) as pool:
        outcomes = pool.map(_batch, bounds, chunksize=1)
    return {"victims": victims, "records": sum(o[0] for o in outcomes), "violations": sum(o[1] for o in outcomes),
            "seconds": time.perf_counter() - started, "validating_cpu_seconds": sum(o[2] for o in outcomes),
            "batches": len(bounds), "batch": batch, "workers": workers}


# ---------------------------------------------------------------- the report


def machine() -> str:
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)
    memory = int(re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text()).group(1)) / 1024 ** 2
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    packages = ", ".join(f"{p} {version(p)}" for p in ("pyshacl", "rdflib", "pyoxigraph"))
    return (f"- machine: {os.cpu_count()} CPUs (`nproc`), {cpu}, {memory:.0f} GiB RAM; load average at the end of the "
            f"run {load} (other work shared the machine)\n- Python {platform.python_version()}, {packages}\n"
            f"- date: {datetime.date.today().isoformat()}; command: `python bench/validate_bench.py {' '.join(os.sys.argv[1:])}`")


def section(sub: dict, wholes: list[dict]) -> str:
    rows = [f"| 1,000-record submission ({sub['records']} records, {sub['victims']} victims) against a release of data/ "
            f"| {sub['seconds']:.2f} s (of which reading the published records it refers to {sub['context_seconds']:.2f} s) "
            f"| < 1 s | {sub['violations']} |"]
    rows += [f"| whole graph, {w['victims']:,} synthetic victims ({w['records']:,} records), {w['batches']} batches of "
             f"{w['batch']:,} victims on {w['workers']} processes | {w['seconds']:.1f} s wall "
             f"({w['validating_cpu_seconds']:.1f} s of validation CPU) |"
             f" {'< 60 s' if w['victims'] >= 100_000 else '—'} | {w['violations']} |" for w in wholes]
    return ("## Validation\n\n" + machine() + "\n\n| what | time | target | violations |\n|---|---|---|---|\n" + "\n".join(rows) +
            "\n\nSynthetic victims (made by `bench/validate_bench.py` under https://w3id.org/footprints-graph/synthetic/, "
            "never in data/) are spread over the four categories with dates inside each category's window, one in ten "
            "with a status; each has a person with a listing and an act. A batch is validated with every shape "
            "(`validate_graph`); the wall time includes making the batches' records.\n\n" + ANALYSIS)


ANALYSIS = """Two engines check the same shapes: pySHACL, the reference, below 2,000 records, and above it the
SPARQL engine (`footprints_graph/validate_sparql.py`: one SELECT per constraint, compiled from the shapes
graph, on an in-memory Oxigraph store; tests/test_validate_sparql.py checks both give the same results on
every shape fixture and on synthetic victims with injected faults). pySHACL spends 30–50 µs per shape and
focus node with a plain path; the SPARQL engine answers a constraint for every focus node at once, runs the
checks on every core (Oxigraph evaluates without Python's lock) and reads class and predicate targets in
place. What remains at 100k victims: turning the rdflib triples into Oxigraph terms and loading them
(about 20–25 s for 3M triples) and the checks themselves (about 20 s on two cores).
"""


def write_section(text: str, path: Path = ROOT / "docs" / "performance.md") -> None:
    """Replace (or add) the "## Validation" section; leave the others alone."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    kept = re.sub(r"## Validation\n.*?(?=^## |\Z)", "", old, flags=re.S | re.M).rstrip("\n")
    path.write_text(f"{kept}\n\n{text}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--victims", type=int, nargs="*", default=[10_000, 100_000], help="whole-graph sizes")
    parser.add_argument("--batch", type=int, default=2_000, help="victims per batch (default: 2000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="processes (default: the CPUs)")
    parser.add_argument("--write", action="store_true", help="write the results into docs/performance.md")
    parser.add_argument("--engine", choices=("pyshacl", "sparql"), help="validation engine (default: by size); with "
                        "sparql, --batch 0 validates the whole graph at once")
    args = parser.parse_args()
    global ENGINE
    ENGINE = args.engine
    sub = submission()
    print(sub, flush=True)
    wholes = []
    for victims in args.victims:
        wholes.append(whole_graph(victims, args.batch, args.workers))
        print(wholes[-1], flush=True)
    text = section(sub, wholes)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
