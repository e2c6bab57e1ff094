"""Validation: records → one typed `ValidationReport` (report.py); its text, JSON and SHACL graph forms come
from render.py.

Two engines check shapes/footprints-shapes.ttl: pySHACL, the reference (pyshacl_engine.py), and the shapes
compiled to SPARQL on Oxigraph for large graphs (sparql_engine.py); they import nothing of each other, and
tests/validate/test_validate_sparql.py checks they agree. Entry points:

- `validate_graph(data, context)`: any graph of records. With `context` (published records that `data`
  refers to) `data` is a submission: only its own resources are reported, and it is compared with the
  context for records that are already published.
- `validate_records(records)`: the build's gate over every converted record.
- `validate_submission(paths, store)`: what `footprints-graph validate FILE…` checks.
"""

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph

from footprints_graph.collector import collector_paused
from footprints_graph.convert import ConvertedRecord, Triple
from footprints_graph.hardening import outbound_connections_refused
from footprints_graph.iris import DEFAULT_BASE
from footprints_graph.validate import pyshacl_engine, sparql_engine
from footprints_graph.validate.render import REPORT_FORMATS, render_report, report_graph, report_json
from footprints_graph.validate.report import (
    Severity,
    SubmissionError,
    ValidationFailed,
    ValidationReport,
    ValidationResult,
)
from footprints_graph.validate.shapes import FPS, PRIVACY_SHAPES, ontology_facts, reporting_shapes
from footprints_graph.validate.submission import (
    RDF_FORMATS,
    already_published,
    existing_keys,
    read_submission,
    store_context,
)
from footprints_graph.vocab import FP

__all__ = [
    "ENGINES", "FPS", "RDF_FORMATS", "REPORT_FORMATS", "Severity", "SubmissionError", "ValidationFailed",
    "ValidationReport", "ValidationResult", "render_report", "report_graph", "report_json", "store_context",
    "validate_graph", "validate_records", "validate_submission",
]

# above this many records the shapes run as SPARQL on Oxigraph (sparql_engine.py); pySHACL, the reference,
# checks smaller submissions (tests/validate/test_validate_sparql.py checks both agree)
SPARQL_ENGINE_RECORDS = 2_000
ENGINES = ("pyshacl", "sparql")


def validate_graph(data: Graph, context: Graph | None = None, public: bool = False,
                   engine: str | None = None) -> ValidationReport:
    """Check `data` against the shapes. With `context`, `data` is a submission checked together with the
    published records it refers to; only the submission's own resources are reported. `public` says that
    `data` is the public graph, to which the privacy rule applies too. `engine` ("pyshacl" or "sparql";
    by default chosen by the number of records, see SPARQL_ENGINE_RECORDS)."""
    shapes = reporting_shapes(public)
    parts = (data,) if context is None else (data, context)
    if _engine(len(set(data.subjects(RDF.type, None))), engine) == "sparql":
        found = sparql_engine.validate_triples([*parts, ontology_facts()], shapes)
    else:
        found = pyshacl_engine.shacl_results(pyshacl_engine.validation_graph(*parts), data, shapes)
    if context is None:
        return ValidationReport(found)
    submitted = set(data.subjects())
    results = [r for r in found if r.focus_node in submitted]
    return ValidationReport(results + already_published(data, context))


def _engine(records: int, engine: str | None) -> str:
    if engine is not None and engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; use one of {', '.join(ENGINES)}")
    return engine or ("sparql" if records > SPARQL_ENGINE_RECORDS else "pyshacl")


def validate_records(records: list[ConvertedRecord], engine: str | None = None,
                     converted: Iterable[bytes] | None = None) -> ValidationReport:
    """The build's gate. Every rule but privacy runs over all records, public and restricted (a restricted
    victim's events and sources must be right too); the privacy rule runs over the public records only,
    since restricted ones carry fp:restricted true by design. `engine` as for `validate_graph`; `converted`,
    every record's quads as the build serialised them (N-Quads lines, each in a named graph), spares the SPARQL
    engine converting them again (30 s at 100k victims). The report gives the origin of each record its results
    name (of every record, it took 1 s at 100k victims)."""
    if _engine(len(records), engine) == "sparql":
        with collector_paused():  # no cycles in what this makes (see collector.py)
            triples = [t for r in records for t in r.triples]
            results = (sparql_engine.validate_triples([triples, ontology_facts()], reporting_shapes(False),
                                                      converted)
                       + sparql_engine.validate_triples([_restricted_flags(records), ontology_facts()], PRIVACY_SHAPES))
    else:
        everything = pyshacl_engine.validation_graph(t for r in records for t in r.triples)
        # the privacy rule reads fp:restricted only: the public records' flags are all it needs
        flags = pyshacl_engine.validation_graph(_restricted_flags(records))
        results = (pyshacl_engine.shacl_results(everything, everything, reporting_shapes(False))
                   + pyshacl_engine.shacl_results(flags, flags, PRIVACY_SHAPES))
    named = {r.record for r in results}
    return ValidationReport(results, {r.subject: str(r.origin) for r in records if r.subject in named})


def _restricted_flags(records: list[ConvertedRecord]) -> list[Triple]:
    """The public records' fp:restricted triples: all the privacy rule reads. The predicate is compared as
    text (str.__eq__): rdflib's == is Python code, 8 s over the 3M triples of 100k victims."""
    restricted = str(FP.restricted)
    return [t for r in records if not r.restricted for t in r.triples if str.__eq__(t[1], restricted)]


def validate_submission(paths: list[Path], store: ox.Store | None, base: str = DEFAULT_BASE,
                        uwazi_mapping: Path | None = None, max_records: int = 0) -> ValidationReport:
    """Check submission files together with the published records they refer to, read from `store` (the
    current release's; None before the first build, and the submission is checked on its own); refused if they
    describe more than `max_records` records (0: no limit). Nothing in a submission makes this process reach
    another host (a JSON-LD @context, an entity): see hardening.py."""
    known = existing_keys(store, base) if store is not None else {}
    with outbound_connections_refused():
        submission = read_submission(paths, known, base, uwazi_mapping, max_records)
        context = store_context(store, submission.graph) if store is not None else Graph()
        return ValidationReport(validate_graph(submission.graph, context).results, submission.origins)
