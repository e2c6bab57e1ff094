"""A submission: files read into one graph of records, the published records it refers to (queried from the
current release's store), and the checks footprints-graph runs itself against them (records already
published, victims published under the same name — by the reconciliation's name rules, `names.match` — and
category)."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, SKOS, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from footprints_graph import names
from footprints_graph.convert import ConvertedRecord
from footprints_graph.convert.records import convert_files
from footprints_graph.convert.uwazi import convert_uwazi, load_mapping
from footprints_graph.hardening import refuse_xml_declarations
from footprints_graph.iris import DEFAULT_BASE, KINDS
from footprints_graph.records.spreadsheets import TABLE_SUFFIXES
from footprints_graph.records.uwazi import read_uwazi_json
from footprints_graph.resources import shapes_graph
from footprints_graph.terms import to_rdflib
from footprints_graph.validate.report import Severity, SubmissionError, ValidationResult
from footprints_graph.validate.shapes import FPS
from footprints_graph.vocab import FP

RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML,
}


# ---------------------------------------------------------------- reading a submission


@dataclass(frozen=True)
class Submission:
    """The records of a submission as one graph, and where each record came from."""

    graph: Graph
    origins: dict[Node, str]


def read_submission(paths: list[Path], known: dict[str, set[str]], base: str = DEFAULT_BASE,
                    uwazi_mapping: Path | None = None, max_records: int = 0) -> Submission:
    """Read submission files: RDF (by suffix), record tables (people.csv, events.csv, … or names ending
    -people.csv, -events.csv, …) whose keys resolve against each other and `known` (kind → keys already in
    the graph), and, with `uwazi_mapping`, Uwazi entity JSON. Raises SubmissionError or RecordError, and
    SubmissionError when the files describe more than `max_records` records (0: no limit)."""
    submission = _read_files(paths, known, base, uwazi_mapping)
    if max_records and len(submission.origins) > max_records:
        raise too_many_records(len(submission.origins), max_records)
    return submission


def too_many_records(count: int, limit: int) -> SubmissionError:
    return SubmissionError(f"The submission describes {count} records (resources with properties of their own); "
                           f"this server checks at most {limit} at a time. Send them in parts of up to {limit}, "
                           "or check them all with `footprints-graph validate`.")


def _read_files(paths: list[Path], known: dict[str, set[str]], base: str,
                uwazi_mapping: Path | None) -> Submission:
    for path in paths:
        if not path.is_file():
            raise SubmissionError(f"{path}: no such file")
    tables = [p for p in paths if p.suffix.lower() in TABLE_SUFFIXES]
    uwazi = [p for p in paths if p.suffix == ".json" and uwazi_mapping is not None]
    records = (convert_files(tables, known, base) if tables else []) + _uwazi(uwazi, uwazi_mapping, base)
    graph, origins = _records_graph(records), {r.subject: str(r.origin) for r in records}
    for path in (p for p in paths if p not in tables and p not in uwazi):
        origins.update({s: path.name for s in _parse_rdf(path, graph)})
    return Submission(graph, origins)


def _uwazi(paths: list[Path], mapping: Path | None, base: str) -> list[ConvertedRecord]:
    if not paths:
        return []
    rules = load_mapping(mapping)
    return [r for path in paths for r in convert_uwazi(read_uwazi_json(path), rules, base)]


def _records_graph(records: Iterable[ConvertedRecord]) -> Graph:
    graph = Graph()
    for record in records:
        for triple in record.triples:
            graph.add(triple)
    return graph


def _parse_rdf(path: Path, graph: Graph) -> set[Node]:
    """Parse one RDF file into `graph` (named graphs merged); return the subjects it describes."""
    if path.suffix not in RDF_FORMATS:
        known = ", ".join(sorted({*RDF_FORMATS, *TABLE_SUFFIXES, ".json (with --uwazi-mapping)"}))
        raise SubmissionError(f"{path}: unknown kind of file {path.suffix or '(no suffix)'!r}; use one of {known}")
    if RDF_FORMATS[path.suffix] == ox.RdfFormat.RDF_XML:  # checked before any parser sees it (hardening.py)
        refuse_xml_declarations(path.read_bytes(), str(path))
    try:
        quads = list(ox.parse(path=str(path), format=RDF_FORMATS[path.suffix]))
    except SyntaxError as error:
        raise SubmissionError(_syntax_error(path, error)) from None
    triples = [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in quads]
    for triple in triples:
        graph.add(triple)
    return {s for s, _p, _o in triples}


def _syntax_error(path: Path, error: SyntaxError) -> str:
    """file:line:column: what the parser found (pyoxigraph says where in its message and in lineno/offset)."""
    place = ":".join(str(p) for p in (path, error.lineno, error.offset) if p)
    detail = error.msg.split(": ", 1)[-1] if error.lineno else error.msg
    return f"{place}: not valid {RDF_FORMATS[path.suffix].name}: {detail}"


# ---------------------------------------------------------------- the published records a submission refers to

CONTEXT_QUERIES = (
    # what the submission names (its references, and its own resources if they are published already)
    "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { %(iris)s } ?s ?p ?o }",
    # the types of what those point to, so that links to them resolve
    "CONSTRUCT { ?o a ?type } WHERE { VALUES ?s { %(iris)s } ?s ?p ?o . ?o a ?type }",
    # the listings, events and statuses of the victims it names, for the rules that span records
    "CONSTRUCT { ?r ?p ?o } WHERE { VALUES ?s { %(iris)s } "
    "?r <%(fp)slistingOf>|<%(fp)svictim>|<%(fp)sstatusOf> ?s . ?r ?p ?o }",
)
VICTIM_NAMES = (f"SELECT ?victim ?name WHERE {{ ?victim a <{FP.Victim}> ; "
                f"<{RDFS.label}>|<{SKOS.prefLabel}>|<{SKOS.altLabel}> ?name }}")
NAME_PREDICATES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)  # a victim's name and its spelling variants


def store_context(store: ox.Store, submission: Graph) -> Graph:
    """The published records a submission refers to, read from the current release's store."""
    iris = {t for triple in submission for t in (triple[0], triple[2]) if isinstance(t, URIRef)}
    iris |= _namesakes(store, submission)
    fill = {"iris": " ".join(f"<{i}>" for i in sorted(iris)), "fp": str(FP._NS)}
    context = Graph()
    for query in CONTEXT_QUERIES:
        for triple in store.query(query % fill, use_default_graph_as_union=True):
            context.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return context


def _namesakes(store: ox.Store, submission: Graph) -> set[URIRef]:
    """The published victims with a name that `names.match`es a submitted victim's name (the rule the
    reconciliation service uses), so that `Ahn Hocheol` finds the published Ahn Ho-cheol as `Ahn Ho-Cheol` does.
    Only names that share a family-name key are scored: the rule never matches names that do not."""
    submitted = {str(n) for v in submission.subjects(RDF.type, FP.Victim) for n in victim_names(v, submission)}
    families = {reading.keys[0] for name in submitted for reading in names.parse(name)}
    found = set()
    for row in store.query(VICTIM_NAMES, use_default_graph_as_union=True) if submitted else ():
        name = row["name"].value
        if any(r.keys[0] in families for r in names.parse(name)) and any(names.match(name, s) for s in submitted):
            found.add(URIRef(row["victim"].value))
    return found


def victim_names(victim: Node, graph: Graph) -> set[str]:
    return {str(n) for p in NAME_PREDICATES for n in graph.objects(victim, p)}


def existing_keys(store: ox.Store, base: str = DEFAULT_BASE) -> dict[str, set[str]]:
    """The keys of the records in the store, by kind (person, document, …), for resolving a submission's
    table cells."""
    query = f"SELECT DISTINCT ?s WHERE {{ ?s a ?type . FILTER (STRSTARTS(STR(?s), {json.dumps(base)})) }}"
    keys: dict[str, set[str]] = {}
    for row in store.query(query, use_default_graph_as_union=True):
        kind, _, key = row["s"].value.removeprefix(base).partition("/")
        if kind in KINDS and key:
            keys.setdefault(kind, set()).add(key)
    return keys


# ---------------------------------------------------------------- checks against the published records


def already_published(data: Graph, context: Graph) -> list[ValidationResult]:
    """The submission's records that are published already, and its victims published under another IRI."""
    return _existing_records(data, context) + _duplicate_victims(data, context)


def _existing_records(data: Graph, context: Graph) -> list[ValidationResult]:
    typed = {s for s in data.subjects(RDF.type, None) if isinstance(s, URIRef)}
    return [_submission_result(FPS.ExistingRecordShape, s, None, data) for s in sorted(typed)
            if (s, RDF.type, None) in context]


def _duplicate_victims(data: Graph, context: Graph) -> list[ValidationResult]:
    published = sorted(set(context.subjects(RDF.type, FP.Victim)))
    return [_submission_result(FPS.DuplicateVictimShape, victim, other, data)
            for victim in sorted(set(data.subjects(RDF.type, FP.Victim)))
            for other in published if other != victim and _same_victim(victim, data, other, context)]


def _same_victim(victim: Node, graph: Graph, other: Node, other_graph: Graph) -> bool:
    """A category in common and a name in common, by the name rules (spelling, romanization, order, script)."""
    categories = set(graph.objects(victim, FP.victimCategory)) & set(other_graph.objects(other, FP.victimCategory))
    return bool(categories) and any(names.match(a, b) for a in victim_names(victim, graph)
                                    for b in victim_names(other, other_graph))


def _submission_result(shape: URIRef, focus: Node, value: Node | None, data: Graph) -> ValidationResult:
    """A result of a check footprints-graph runs itself, worded by its (deactivated) shape."""
    message = {m.language: str(m) for m in shapes_graph().objects(shape, SH.message)}
    fill = (lambda text: text.replace("{?value}", str(value))) if value is not None else (lambda text: text)
    return ValidationResult(Severity(shapes_graph().value(shape, SH.severity)), focus, None, value,
                            fill(message["en"]), shape, data.value(focus, FP.listingOf) or focus, fill(message["ko"]))
