"""Validation: records → one typed `ValidationReport`; the SHACL report graph, the text and the JSON forms
are all derived from it.

pySHACL checks shapes/footprints-shapes.ttl against a data graph that holds the records and the ontology
(the class hierarchy and the vocabulary schemes the shapes read). Entry points:

- `validate_graph(data, context)`: any graph of records. With `context` (published records that `data`
  refers to) `data` is a submission: only its own resources are reported, and it is compared with the
  context for records that are already published.
- `validate_records(records)`: the build's gate over every converted record.
- `read_submission` and `store_context`: what `footprints-graph validate FILE…` checks.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, lru_cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from footprints_graph.collector import collector_paused
from footprints_graph.convert import ConvertedRecord, Triple
from footprints_graph.errors import BuildError, FootprintsError
from footprints_graph.hardening import outbound_connections_refused, refuse_xml_declarations
from footprints_graph.iris import DEFAULT_BASE, KINDS
from footprints_graph.resources import ontology_graph, shapes_graph
from footprints_graph.iris import PREFIXES
from footprints_graph.vocab import FP

FPS = Namespace("https://w3id.org/footprints-graph/shapes#")
PRIVACY_SHAPES = (FPS.PrivacyShape,)
# above this many records the shapes run as SPARQL on Oxigraph (validate_sparql.py); pySHACL, the reference,
# checks smaller submissions (tests/test_validate_sparql.py checks both agree)
SPARQL_ENGINE_RECORDS = 2_000
ENGINES = ("pyshacl", "sparql")


class Severity(Enum):
    """SHACL's severities, worst first."""

    VIOLATION = SH.Violation
    WARNING = SH.Warning
    INFO = SH.Info

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


@dataclass(frozen=True)
class ValidationResult:
    """One finding. `record` is the record the focus node belongs to (a listing belongs to its victim's);
    `path` is the shape's property path (an IRI, or a path node of the shapes graph)."""

    severity: Severity
    focus_node: Node
    path: Node | None
    value: Node | None
    message: str
    source_shape: Node
    record: Node
    message_ko: str = ""
    constraint_component: Node | None = None


@dataclass(frozen=True)
class ValidationReport:
    """Every result of one validation; `origins` says where a record came from (file and line), if known."""

    results: list[ValidationResult]
    origins: dict[Node, str] = field(default_factory=dict)

    def of(self, severity: Severity) -> list[ValidationResult]:
        return [r for r in self.results if r.severity is severity]

    @property
    def violations(self) -> list[ValidationResult]:
        return self.of(Severity.VIOLATION)

    @property
    def warnings(self) -> list[ValidationResult]:
        return self.of(Severity.WARNING)

    @property
    def infos(self) -> list[ValidationResult]:
        return self.of(Severity.INFO)

    @property
    def conforms(self) -> bool:
        """True when nothing is wrong; warnings and infos are allowed: the build's gate and the CLI's exit
        code. The SHACL report says `shacl_conforms`."""
        return not self.violations

    @property
    def shacl_conforms(self) -> bool:
        """SHACL's sh:conforms: true only when there is no result at all, of any severity (SHACL 3.1)."""
        return not self.results

    def __add__(self, other: "ValidationReport") -> "ValidationReport":
        return ValidationReport(self.results + other.results, {**self.origins, **other.origins})

    def counts(self) -> dict:
        return {"conforms": self.conforms, **{f"{s.label.lower()}s": len(self.of(s)) for s in Severity}}

    def graph(self) -> Graph:
        return report_graph(self)

    def text(self) -> str:
        return report_text(self)

    def to_json(self) -> dict:
        return report_json(self)


class ValidationFailed(BuildError):
    """The records break rules whose severity is sh:Violation; `report` holds every result."""

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(f"validation found {len(report.violations)} violation(s); nothing was written")


class SubmissionError(FootprintsError):
    """A submission file that cannot be read: missing, of an unknown kind, or not parseable."""


# ---------------------------------------------------------------- running the shapes


def validate_graph(data: Graph, context: Graph | None = None, public: bool = False,
                   engine: str | None = None) -> ValidationReport:
    """Check `data` against the shapes. With `context`, `data` is a submission checked together with the
    published records it refers to; only the submission's own resources are reported. `public` says that
    `data` is the public graph, to which the privacy rule applies too. `engine` ("pyshacl" or "sparql";
    by default chosen by the number of records, see SPARQL_ENGINE_RECORDS)."""
    shapes = _reporting_shapes(public)
    parts = (data,) if context is None else (data, context)
    if _engine(len(set(data.subjects(RDF.type, None))), engine) == "sparql":
        from footprints_graph.validate.sparql_engine import validate_triples
        found = validate_triples([*parts, _ontology_facts()], shapes)
    else:
        found = _shacl(_validation_graph(*parts), data, shapes)
    if context is None:
        return ValidationReport(found)
    submitted = set(data.subjects())
    results = [r for r in found if r.focus_node in submitted]
    return ValidationReport(results + _already_published(data, context))


def _engine(records: int, engine: str | None) -> str:
    if engine is not None and engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; use one of {', '.join(ENGINES)}")
    return engine or ("sparql" if records > SPARQL_ENGINE_RECORDS else "pyshacl")


def validate_records(records: list[ConvertedRecord], engine: str | None = None) -> ValidationReport:
    """The build's gate. Every rule but privacy runs over all records, public and restricted (a restricted
    victim's events and sources must be right too); the privacy rule runs over the public records only,
    since restricted ones carry fp:restricted true by design. `engine` as for `validate_graph`."""
    if _engine(len(records), engine) == "sparql":
        from footprints_graph.validate.sparql_engine import validate_triples
        with collector_paused():  # no cycles in what this makes (see collector.py)
            triples = [t for r in records for t in r.triples]
            results = (validate_triples([triples, _ontology_facts()], _reporting_shapes(False))
                       + validate_triples([_restricted_flags(records), _ontology_facts()], PRIVACY_SHAPES))
            return ValidationReport(results, {r.subject: str(r.origin) for r in records})
    everything = _validation_graph(t for r in records for t in r.triples)
    # the privacy rule reads fp:restricted only: the public records' flags are all it needs
    flags = _validation_graph(_restricted_flags(records))
    results = _shacl(everything, everything, _reporting_shapes(False)) + _shacl(flags, flags, PRIVACY_SHAPES)
    return ValidationReport(results, {r.subject: str(r.origin) for r in records})


def _restricted_flags(records: list[ConvertedRecord]) -> list[Triple]:
    """The public records' fp:restricted triples: all the privacy rule reads. The predicate is compared as
    text (str.__eq__): rdflib's == is Python code, 8 s over the 3M triples of 100k victims."""
    restricted = str(FP.restricted)
    return [t for r in records if not r.restricted for t in r.triples if str.__eq__(t[1], restricted)]


def _records_graph(records: Iterable[ConvertedRecord]) -> Graph:
    graph = Graph()
    for record in records:
        for triple in record.triples:
            graph.add(triple)
    return graph


class _QueryOnceGraph(Graph):
    """A graph that parses each SPARQL text once: pySHACL sends the same text for every focus node of a
    SPARQL-based shape, and parsing (~25 ms) costs far more than evaluating (<1 ms)."""

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=64)
def _prepared(text: str):
    return prepareQuery(text)


class _MemoisedGraph(Graph):
    """The shapes graph as pySHACL reads it: it looks up a shape's path and parameters again for every focus
    node, so lookups are memoised; pySHACL adds a few system triples when it starts, which clears the memo."""

    def __init__(self, source: Graph):
        super().__init__()
        self._memo: dict = {}
        self += source
        self.namespace_manager = source.namespace_manager

    def add(self, triple):
        self._memo.clear()
        return super().add(triple)

    def triples(self, pattern):
        if pattern not in self._memo:
            self._memo[pattern] = list(super().triples(pattern))
        return iter(self._memo[pattern])


@cache
def _shapes() -> Graph:
    return _MemoisedGraph(shapes_graph())


@cache
def _ontology_facts() -> Graph:
    """What the shapes read from the ontology: class hierarchy, types, vocabulary schemes."""
    facts = Graph()
    for predicate in (RDF.type, RDFS.subClassOf, SKOS.inScheme):
        facts += ontology_graph().triples((None, predicate, None))
    return facts


def _validation_graph(*parts: Iterable[Triple]) -> Graph:
    """The records and the ontology's facts in one graph: pySHACL reads class hierarchies (sh:targetClass,
    sh:class) from the data graph."""
    graph = _QueryOnceGraph()
    for part in (*parts, _ontology_facts()):
        graph += part
    return graph


@cache
def _named_shapes() -> tuple[URIRef, ...]:
    """Every shape with an IRI. pySHACL's `use_shapes` drops a shape another one refers to by IRI unless it
    is listed too, so a selection lists them all."""
    kinds = (SH.NodeShape, SH.PropertyShape)
    return tuple(sorted({s for k in kinds for s in shapes_graph().subjects(RDF.type, k) if isinstance(s, URIRef)}))


def _reporting_shapes(public: bool) -> tuple[URIRef, ...]:
    return tuple(s for s in _named_shapes() if public or s not in PRIVACY_SHAPES)


def _shacl(graph: Graph, data: Graph, shapes: tuple[URIRef, ...]) -> list[ValidationResult]:
    _conforms, report, _text = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none", advanced=True,
                                                inplace=True, use_shapes=list(shapes))
    return [_result(report, node, data) for node in report.subjects(RDF.type, SH.ValidationResult)]


def _result(report: Graph, node: Node, data: Graph) -> ValidationResult:
    shape = report.value(node, SH.sourceShape)
    focus = report.value(node, SH.focusNode)
    messages = {m.language: str(m) for m in report.objects(node, SH.resultMessage)}
    value = report.value(node, SH.value)
    return ValidationResult(
        severity=Severity(report.value(node, SH.resultSeverity)), focus_node=focus,
        path=_result_path(report.value(node, SH.resultPath), shape, focus, value, data), value=value,
        message=messages.get("en", ""), source_shape=shape, record=data.value(focus, FP.listingOf) or focus,
        message_ko=messages.get("ko", ""), constraint_component=report.value(node, SH.sourceConstraintComponent))


def _result_path(path: Node | None, shape: Node, focus: Node, value: Node | None, data: Graph) -> Node | None:
    """The field: of alternatives (fp:date|fp:startDate|…), the one that holds the value; else the shape's
    own path node (pySHACL reports a copy of it, which `path_text` cannot read)."""
    if not isinstance(path, BNode):
        return path
    own = shapes_graph().value(shape, SH.path)
    alternatives = shapes_graph().value(own, SH.alternativePath)
    holding = [p for p in Collection(shapes_graph(), alternatives) if (focus, p, value) in data] if alternatives else []
    return holding[0] if len(holding) == 1 else own


# ---------------------------------------------------------------- submissions against the published graph


def _already_published(data: Graph, context: Graph) -> list[ValidationResult]:
    return _existing_records(data, context) + _duplicate_victims(data, context)


def _existing_records(data: Graph, context: Graph) -> list[ValidationResult]:
    typed = {s for s in data.subjects(RDF.type, None) if isinstance(s, URIRef)}
    return [_submission_result(FPS.ExistingRecordShape, s, None, data) for s in sorted(typed)
            if (s, RDF.type, None) in context]


def _duplicate_victims(data: Graph, context: Graph) -> list[ValidationResult]:
    published = {key: victim for victim in context.subjects(RDF.type, FP.Victim) for key in _name_keys(victim, context)}
    return [_submission_result(FPS.DuplicateVictimShape, victim, published[key], data)
            for victim in sorted(set(data.subjects(RDF.type, FP.Victim)))
            for key in sorted(_name_keys(victim, data)) if published.get(key, victim) != victim]


def _name_keys(victim: Node, graph: Graph) -> set[tuple[str, Node]]:
    """(name, category) pairs of a victim, names compared without case."""
    names = {str(n).casefold() for n in graph.objects(victim, RDFS.label)}
    return {(n, c) for n in names for c in graph.objects(victim, FP.victimCategory)}


def _submission_result(shape: URIRef, focus: Node, value: Node | None, data: Graph) -> ValidationResult:
    """A result of a check footprints-graph runs itself, worded by its (deactivated) shape."""
    message = {m.language: str(m) for m in shapes_graph().objects(shape, SH.message)}
    fill = (lambda text: text.replace("{?value}", str(value))) if value is not None else (lambda text: text)
    return ValidationResult(Severity(shapes_graph().value(shape, SH.severity)), focus, None, value,
                            fill(message["en"]), shape, data.value(focus, FP.listingOf) or focus, fill(message["ko"]))


# ---------------------------------------------------------------- reading a submission

RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class Submission:
    """The records of a submission as one graph, and where each record came from."""

    graph: Graph
    origins: dict[Node, str]


def read_submission(paths: list[Path], known: dict[str, set[str]], base: str = DEFAULT_BASE,
                    uwazi_mapping: Path | None = None) -> Submission:
    """Read submission files: RDF (by suffix), record tables (people.csv, events.csv, … or names ending
    -people.csv, -events.csv, …) whose keys resolve against each other and `known` (kind → keys already in
    the graph), and, with `uwazi_mapping`, Uwazi entity JSON. Raises SubmissionError or RecordError."""
    for path in paths:
        if not path.is_file():
            raise SubmissionError(f"{path}: no such file")
    tables = [p for p in paths if p.suffix == ".csv"]
    uwazi = [p for p in paths if p.suffix == ".json" and uwazi_mapping is not None]
    records = _tables(tables, known, base) + _uwazi(uwazi, uwazi_mapping, base)
    graph, origins = _records_graph(records), {r.subject: str(r.origin) for r in records}
    for path in (p for p in paths if p not in tables and p not in uwazi):
        origins.update({s: path.name for s in _parse_rdf(path, graph)})
    return Submission(graph, origins)


def _tables(paths: list[Path], known: dict[str, set[str]], base: str) -> list[ConvertedRecord]:
    from footprints_graph.convert.records import convert_files
    return convert_files(paths, known, base) if paths else []


def _uwazi(paths: list[Path], mapping: Path | None, base: str) -> list[ConvertedRecord]:
    if not paths:
        return []
    from footprints_graph.convert.uwazi import convert_uwazi, load_mapping
    from footprints_graph.records.uwazi import read_uwazi_json
    rules = load_mapping(mapping)
    return [r for path in paths for r in convert_uwazi(read_uwazi_json(path), rules, base)]


def _parse_rdf(path: Path, graph: Graph) -> set[Node]:
    """Parse one RDF file into `graph` (named graphs merged); return the subjects it describes."""
    if path.suffix not in RDF_FORMATS:
        known = ", ".join(sorted({*RDF_FORMATS, ".csv", ".json (with --uwazi-mapping)"}))
        raise SubmissionError(f"{path}: unknown kind of file {path.suffix or '(no suffix)'!r}; use one of {known}")
    if RDF_FORMATS[path.suffix] == ox.RdfFormat.RDF_XML:  # checked before any parser sees it (hardening.py)
        refuse_xml_declarations(path.read_bytes(), str(path))
    try:
        quads = list(ox.parse(path=str(path), format=RDF_FORMATS[path.suffix]))
    except SyntaxError as error:
        raise SubmissionError(_syntax_error(path, error)) from None
    triples = [(_from_oxigraph(q.subject), _from_oxigraph(q.predicate), _from_oxigraph(q.object)) for q in quads]
    for triple in triples:
        graph.add(triple)
    return {s for s, _p, _o in triples}


def _syntax_error(path: Path, error: SyntaxError) -> str:
    """file:line:column: what the parser found (pyoxigraph says where in its message and in lineno/offset)."""
    place = ":".join(str(p) for p in (path, error.lineno, error.offset) if p)
    detail = error.msg.split(": ", 1)[-1] if error.lineno else error.msg
    return f"{place}: not valid {RDF_FORMATS[path.suffix].name}: {detail}"


def _from_oxigraph(term) -> Node:
    """A pyoxigraph term as the equal rdflib term (a plain string has no datatype in rdflib)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value) if datatype == str(XSD.string) else Literal(term.value, datatype=URIRef(datatype))


# ---------------------------------------------------------------- the published records a submission refers to

CONTEXT_QUERIES = (
    # what the submission names (its references, and its own resources if they are published already)
    "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { %(iris)s } ?s ?p ?o }",
    # the types of what those point to, so that links to them resolve
    "CONSTRUCT { ?o a ?type } WHERE { VALUES ?s { %(iris)s } ?s ?p ?o . ?o a ?type }",
    # the listings, events and statuses of the victims it names, for the rules that span records
    "CONSTRUCT { ?r ?p ?o } WHERE { VALUES ?s { %(iris)s } ?r <%(fp)slistingOf>|<%(fp)svictim>|<%(fp)sstatusOf> ?s . ?r ?p ?o }",
    # published victims with a submitted victim's name, to spot duplicates
    "CONSTRUCT { ?v ?p ?o } WHERE { ?v a <%(fp)sVictim> ; <http://www.w3.org/2000/01/rdf-schema#label> ?name . "
    "FILTER (LCASE(STR(?name)) IN (%(names)s)) ?v ?p ?o }",
)


def store_context(store: ox.Store, submission: Graph) -> Graph:
    """The published records a submission refers to, read from the current release's store."""
    iris = {t for triple in submission for t in (triple[0], triple[2]) if isinstance(t, URIRef)}
    names = {str(n).lower() for v in submission.subjects(RDF.type, FP.Victim) for n in submission.objects(v, RDFS.label)}
    fill = {"iris": " ".join(f"<{i}>" for i in sorted(iris)), "fp": str(FP._NS),
            "names": ", ".join(json.dumps(n) for n in sorted(names)) or '""'}
    context = Graph()
    for query in CONTEXT_QUERIES:
        for triple in store.query(query % fill, use_default_graph_as_union=True):
            context.add((_from_oxigraph(triple.subject), _from_oxigraph(triple.predicate), _from_oxigraph(triple.object)))
    return context


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


# ---------------------------------------------------------------- the report's forms

@cache
def _namespaces() -> dict[str, str]:
    """Prefixes for the text report: the store's, and the shapes file's own (fps:, status:, outcome:, …)."""
    ours = {p: str(ns) for p, ns in shapes_graph().namespaces() if str(ns).startswith("https://w3id.org/footprints-graph/")}
    return {**PREFIXES, **ours, "sh": str(SH)}


def _short(term: Node | None) -> str | None:
    """A term as people read it: prefixed names for vocabulary terms, full IRIs for records."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        prefix = next((p for p, ns in _namespaces().items() if term.startswith(ns) and "/" not in term[len(ns):]), None)
        return f"{prefix}:{term[len(_namespaces()[prefix]):]}" if prefix else f"<{term}>"
    if isinstance(term, Literal) and term.datatype:
        return f"{json.dumps(str(term), ensure_ascii=False)}^^{_short(term.datatype)}"
    return term.n3()


def path_text(path: Node | None) -> str | None:
    """A SHACL property path in SPARQL's syntax: fp:date|fp:startDate, ^fp:victim/rdf:type."""
    if path is None or isinstance(path, URIRef):
        return _short(path)
    shapes = shapes_graph()
    if (path, RDF.first, None) in shapes:
        return "/".join(path_text(p) for p in Collection(shapes, path))
    for predicate, form in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
                            (SH.zeroOrOnePath, "({})?")):
        if (inner := shapes.value(path, predicate)) is not None:
            return form.format(path_text(inner))
    return "|".join(path_text(p) for p in Collection(shapes, shapes.value(path, SH.alternativePath)))


def _by_record(results: list[ValidationResult]) -> list[tuple[Node, list[ValidationResult]]]:
    """Results grouped by record, records with the worst results first; within a record, worst first."""
    groups: dict[Node, list[ValidationResult]] = {}
    for result in sorted(results, key=lambda r: (r.severity.rank, str(r.source_shape), str(r.focus_node), str(r.value))):
        groups.setdefault(result.record, []).append(result)
    return sorted(groups.items(), key=lambda item: (item[1][0].severity.rank, str(item[0])))


def _counts(report: ValidationReport) -> str:
    counts = [f"{len(report.of(s))} {s.label.lower()}{'s' if len(report.of(s)) != 1 else ''}" for s in Severity]
    return ", ".join(counts)


def report_text(report: ValidationReport) -> str:
    """The report for people: a summary line, then each record with its results, worst first."""
    verdict = "Conforms" if report.conforms else "Does not conform"
    lines = [f"{verdict}: {_counts(report)}."]
    for record, results in _by_record(report.results):
        origin = report.origins.get(record)
        lines += ["", f"{_short(record)}" + (f"  ({origin})" if origin else "")]
        # two constraints of one shape can fail on one value (datatype and language): say it once
        lines += [line for result in dict.fromkeys(map(_result_lines, results)) for line in result]
    return "\n".join(lines) + "\n"


def _result_lines(result: ValidationResult) -> tuple[str, ...]:
    where = [path_text(result.path) or "", _short(result.value) or ""]
    if result.focus_node != result.record:
        where.insert(0, f"on {_short(result.focus_node)}")
    head = f"  {result.severity.label:<9} {' '.join(w for w in where if w)}  [{_short(result.source_shape)}]"
    return head.rstrip(), f"            {result.message}"


def report_json(report: ValidationReport) -> dict:
    """The report for programs: counts, then records with their results."""
    return {
        **report.counts(),
        "records": [{"record": str(record), "origin": report.origins.get(record),
                     "results": [_result_json(r) for r in results]} for record, results in _by_record(report.results)],
    }


def _result_json(result: ValidationResult) -> dict:
    return {
        "severity": result.severity.label, "focus_node": str(result.focus_node), "path": path_text(result.path),
        "value": _short(result.value), "message": {"en": result.message, "ko": result.message_ko},
        "source_shape": str(result.source_shape),
    }


def report_graph(report: ValidationReport) -> Graph:
    """The SHACL validation report graph."""
    graph = Graph()
    for prefix, namespace in _namespaces().items():
        graph.bind(prefix, namespace)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.shacl_conforms)))
    for result in report.results:
        graph.add((node, SH.result, _add_result(graph, result)))
    return graph


def _add_result(graph: Graph, result: ValidationResult) -> BNode:
    node = BNode()
    values = ((RDF.type, SH.ValidationResult), (SH.resultSeverity, result.severity.value),
              (SH.focusNode, result.focus_node), (SH.sourceShape, result.source_shape),
              (SH.resultMessage, Literal(result.message, lang="en")), (SH.value, result.value),
              (SH.resultPath, _copy_path(graph, result.path)), (SH.sourceConstraintComponent, result.constraint_component))
    for predicate, value in values:
        if value is not None:
            graph.add((node, predicate, value))
    if result.message_ko:
        graph.add((node, SH.resultMessage, Literal(result.message_ko, lang="ko")))
    return node


def _copy_path(graph: Graph, path: Node | None) -> Node | None:
    """A complex path is blank nodes of the shapes graph: copy their closure into the report."""
    if isinstance(path, BNode):
        for predicate, value in shapes_graph().predicate_objects(path):
            graph.add((path, predicate, _copy_path(graph, value) if isinstance(value, BNode) else value))
    return path


# ---------------------------------------------------------------- the command's entry points

REPORT_FORMATS = ("text", "json", "turtle", "json-ld")


def validate_submission(paths: list[Path], store: ox.Store | None, base: str = DEFAULT_BASE,
                        uwazi_mapping: Path | None = None) -> ValidationReport:
    """Check submission files together with the published records they refer to, read from `store` (the
    current release's; None before the first build, and the submission is checked on its own). Nothing in a
    submission makes this process reach another host (a JSON-LD @context, an entity): see hardening.py."""
    known = existing_keys(store, base) if store is not None else {}
    with outbound_connections_refused():
        submission = read_submission(paths, known, base, uwazi_mapping)
        context = store_context(store, submission.graph) if store is not None else Graph()
        return ValidationReport(validate_graph(submission.graph, context).results, submission.origins)


def render_report(report: ValidationReport, form: str) -> str:
    """The report as text, JSON, or the SHACL report graph in Turtle or JSON-LD."""
    if form == "text":
        return report.text()
    if form == "json":
        return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    return report.graph().serialize(format=form)
