"""Our record tables → RDF. One `TableSpec` and one column table per kind of record; a column maps a cell
to a predicate through a value function. Every record's triples carry `dct:source`: a claim is a node
(listing, event, status, observation, finding) with its own source, so two sources that disagree give
two nodes, never one merged value.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, QB
from rdflib.term import Node

from footprints_graph.convert import ConvertedRecord, values
from footprints_graph.convert.arithmetic import breakdown_inconsistencies
from footprints_graph.convert.categories import category_disagreements
from footprints_graph.errors import Origin, Problem, RecordError, RecordProblems
from footprints_graph.iris import DEFAULT_BASE, KeyError_, check_key, graph_iri, mint
from footprints_graph.records.tables import Record, TableSpec, read_table
from footprints_graph.vocab import FP, UnknownConcept, concept_in

SCHEMA = Namespace("https://schema.org/")
EVENT_SCHEMES = ("act-types", "subsequent-event-types", "other-event-types")
STRUCTURES = {
    "category-outcome": FP.CategoryOutcomeStructure,
    "category-outcome-range": FP.CategoryOutcomeRangeStructure,
    "age-group": FP.AgeGroupStructure,
    "year": FP.YearStructure,
    "subgroup": FP.SubgroupStructure,
}


@dataclass
class Context:
    """What a column's value function needs: the base IRI and the keys every table defines."""

    base: str = DEFAULT_BASE
    keys: dict[str, set[str]] = field(default_factory=dict)
    restricted_people: set[str] = field(default_factory=set)
    problems: RecordProblems = field(default_factory=RecordProblems)  # every bad cell, so one run lists them all
    unkeyed: list[Record] = field(default_factory=list)  # rows whose key cannot make an IRI; their cells are checked
    terms: dict[tuple["Value", str], Node] = field(default_factory=dict)  # see _term

    def ref(self, kind: str, key: str) -> URIRef:
        if key not in self.keys.get(kind, set()):
            raise Problem("no_such_key", kind=kind, key=key, known=", ".join(sorted(self.keys.get(kind, set()))) or "—")
        return mint(kind, key, self.base)

    def source(self, key: str) -> URIRef:
        """A source is a document, a legal instrument or a media item."""
        for kind in ("document", "instrument", "media"):
            if key in self.keys.get(kind, set()):
                return mint(kind, key, self.base)
        raise Problem("no_such_source", key=key)


Value = Callable[[str, Context], Node]


def text(function: Callable[[str], Node]) -> Value:
    return lambda cell, _ctx: function(cell)


def ref(kind: str) -> Value:
    return lambda cell, ctx: ctx.ref(kind, cell)


@dataclass(frozen=True)
class Vocabulary:
    """A cell that holds the notation of a concept of one of `schemes` (the first that has it); the schemes
    say a template which values the column allows."""

    schemes: tuple[str, ...]

    def __call__(self, cell: str, _ctx: Context) -> Node:
        return concept_in(self.schemes, cell)


def vocabulary(*schemes: str) -> Value:
    return Vocabulary(schemes)


def source(cell: str, ctx: Context) -> URIRef:
    return ctx.source(cell)


def structure(cell: str, _ctx: Context) -> URIRef:
    if cell not in STRUCTURES:
        raise Problem("unknown_structure", text=cell, known=", ".join(STRUCTURES))
    return STRUCTURES[cell]


@dataclass(frozen=True)
class Column:
    name: str
    predicates: tuple[URIRef, ...]
    value: Value
    multi: bool = False


def col(name: str, predicate: URIRef | tuple[URIRef, ...], value: Value, multi: bool = False) -> Column:
    return Column(name, predicate if isinstance(predicate, tuple) else (predicate,), value, multi)


SOURCE = col("source", DCTERMS.source, source, multi=True)
CITED_SOURCE = col("cited_source", FP.citedSource, source, multi=True)
NOTE = col("note", RDFS.comment, text(values.english))
SAME_AS = col("same_as", OWL.sameAs, text(values.web_iri), multi=True)
URL = col("url", SCHEMA.url, text(values.web_iri))
LABEL = col("label", (RDFS.label, SKOS.prefLabel), text(values.english))
LABEL_KO = col("label_ko", (RDFS.label, SKOS.prefLabel), text(values.korean))  # the official Korean name


@dataclass(frozen=True)
class Table:
    """A record table: its file, its IRI kind, the classes of its records and its columns."""

    spec: TableSpec
    iri_kind: str
    classes: tuple[URIRef, ...]
    columns: tuple[Column, ...]

    @property
    def file(self) -> str:
        return f"{self.spec.kind}.csv"


def table(kind: str, iri_kind: str, classes: tuple[URIRef, ...], required: tuple[str, ...],
          columns: tuple[Column, ...], key: str = "key") -> Table:
    optional = tuple(c.name for c in columns if c.name not in required)
    return Table(TableSpec(kind, key, required, optional), iri_kind, classes, columns)


TABLES = (
    table("documents", "document", (FP.SourceDocument,), ("label", "document_type", "source"), (
        LABEL, col("title", DCTERMS.title, text(values.english)), col("title_ko", DCTERMS.title, text(values.korean)),
        col("document_type", FP.documentType, vocabulary("document-types")),
        col("publisher", DCTERMS.publisher, ref("organisation")), col("issued", DCTERMS.issued, text(values.partial_date)),
        col("un_symbol", FP.unDocumentSymbol, text(values.plain)), URL,
        col("retrieved", FP.retrieved, text(values.day)), SOURCE, NOTE)),
    table("instruments", "instrument", (FP.LegalInstrument,), ("label", "instrument_type", "source"), (
        LABEL, LABEL_KO, col("instrument_type", FP.instrumentType, vocabulary("instrument-types")),
        col("adopted", FP.adopted, text(values.partial_date)),
        col("entry_into_force", FP.entryIntoForce, text(values.partial_date)),
        col("un_symbol", FP.unDocumentSymbol, text(values.plain)), col("identifier", DCTERMS.identifier, text(values.plain)),
        URL, SAME_AS, SOURCE, NOTE)),
    table("media", "media", (FP.MediaItem,), ("title", "media_type", "source"), (
        col("title", (DCTERMS.title, RDFS.label), text(values.english)),
        col("media_type", FP.documentType, vocabulary("document-types")),
        col("credit", FP.credit, text(values.english)), col("credited_to", FP.creditedTo, ref("organisation")),
        col("victim_category", FP.victimCategory, vocabulary("victim-categories")), SOURCE)),
    table("organisations", "organisation", (FP.Organisation,), ("label", "source"), (
        LABEL, LABEL_KO,
        col("alt_labels", SKOS.altLabel, text(values.english), multi=True),
        col("organisation_type", FP.organisationType, vocabulary("organisation-types")),
        col("part_of", SCHEMA.parentOrganization, ref("organisation")), URL, SAME_AS, SOURCE, NOTE)),
    table("events", "event", (), ("event_type", "source"), (
        col("label", RDFS.label, text(values.english)),
        col("event_type", RDF.type, vocabulary(*EVENT_SCHEMES)),
        col("person", FP.victim, ref("person")),
        col("victim_group", FP.victimGroup, vocabulary("victim-categories")),
        col("date", FP.date, text(values.partial_date)), col("start_date", FP.startDate, text(values.partial_date)),
        col("end_date", FP.endDate, text(values.partial_date)),
        col("date_basis", FP.dateBasis, vocabulary("date-basis")),
        col("perpetrator", FP.perpetrator, ref("organisation"), multi=True),
        col("age", FP.ageAtTime, text(values.age)), col("occupation", FP.occupationAtTime, text(values.english)),
        col("breaches", FP.breaches, ref("instrument"), multi=True), col("part_of", FP.partOfConflict, ref("event")),
        SAME_AS, SOURCE, CITED_SOURCE, col("statement", FP.statement, text(values.english)))),
    table("statuses", "status", (FP.StatusAssessment,), ("person", "status", "as_of", "source"), (
        col("person", FP.statusOf, ref("person")), col("status", FP.status, vocabulary("status")),
        col("as_of", FP.asOf, text(values.partial_date)), SOURCE)),
    table("datasets", "dataset", (QB.DataSet,), ("label", "structure", "source"), (
        LABEL, col("structure", QB.structure, structure),
        col("complete_breakdown", FP.completeBreakdown, text(values.boolean)),
        col("total", FP.total, ref("figure")), SOURCE, col("description", DCTERMS.description, text(values.english)))),
    table("figures", "figure", (QB.Observation,), ("dataset", "victim_category", "outcome", "population", "as_of",
                                                  "source"), (
        col("dataset", QB.dataSet, ref("dataset")),
        col("victim_category", FP.victimCategory, vocabulary("victim-categories")),
        col("outcome", FP.outcome, vocabulary("outcomes")), col("age_group", FP.ageGroup, vocabulary("age-groups")),
        col("subgroup", FP.subgroup, vocabulary("subgroups")), col("ref_year", FP.refYear, text(values.year)),
        col("count", FP.count, text(values.count)), col("count_lower", FP.countLowerBound, text(values.count)),
        col("count_upper", FP.countUpperBound, text(values.count)),
        col("qualifier", FP.qualifier, vocabulary("qualifiers")), col("population", FP.population, vocabulary("populations")),
        col("as_of", FP.asOf, text(values.partial_date)), SOURCE, CITED_SOURCE, col("locator", FP.locator, text(values.plain)),
        col("statement", FP.statement, text(values.english)), NOTE)),
    table("claims", "claim", (FP.Claim,), ("claimant", "claimed_count", "claim_status", "statement", "source"), (
        col("label", RDFS.label, text(values.english)), col("claimant", FP.claimant, ref("organisation")),
        col("published_in", FP.publishedIn, source), col("victim_category", FP.victimCategory, vocabulary("victim-categories")),
        col("claimed_count", FP.claimedCount, text(values.count)),
        col("claim_status", FP.claimStatus, vocabulary("claim-statuses")),
        col("statement", FP.statement, text(values.english)), SOURCE, NOTE)),
    table("findings", "finding", (FP.Finding,), ("about", "statement", "source"), (
        col("about", FP.about, vocabulary("victim-categories")),
        col("statement", FP.statement, text(values.english)), SOURCE, CITED_SOURCE)),
)

PEOPLE = TableSpec("people", "person", ("name", "category", "source"), ("alt_names", "credited_to", "restricted", "note"))


def read_all(data_dir: Path, problems: RecordProblems | None = None) -> dict[str, list[Record]]:
    """Every record table in `data_dir`, by kind; a table that is absent counts as empty. With `problems`, bad
    rows are added to them and left out."""
    specs = [PEOPLE, *(t.spec for t in TABLES)]
    paths = {s.kind: data_dir / f"{s.kind}.csv" for s in specs}
    return {s.kind: list(read_table(paths[s.kind], s, problems)) if paths[s.kind].exists() else [] for s in specs}


def convert_tables(data_dir: Path, base: str = DEFAULT_BASE) -> list[ConvertedRecord]:
    """Read and convert every record table in `data_dir`. Raises RecordError with every bad record."""
    ctx = Context(base)
    records = read_all(data_dir, ctx.problems)
    converted = _convert_all(records, _context(records, ctx))
    return (converted + breakdown_inconsistencies(_breakdowns(converted, base), base)
            + category_disagreements([r for r in converted if _listed_apart(r)], base))


def _breakdowns(converted: list[ConvertedRecord], base: str) -> list[ConvertedRecord]:
    """The records a breakdown's arithmetic reads: data sets and figures. Each check builds an rdflib graph of
    the records it is given, and one of every record took 30 s at 100k victims."""
    graphs = {graph_iri("datasets", base), graph_iri("figures", base)}
    return [r for r in converted if r.graph in graphs]


def _listed_apart(record: ConvertedRecord) -> bool:
    """A person whose listings give more than one victim category: a person carries each listing's category
    (see _listing), so these are the only ones category_disagreements can find."""
    return len(_categories(record)) > 1


def _categories(record: ConvertedRecord) -> set[Node]:
    """The victim categories a record gives its own subject (a person: those of all its listings)."""
    category, subject = str(FP.victimCategory), str(record.subject)  # compared as text: rdflib's == is Python code
    return {o for s, p, o in record.triples if str.__eq__(p, category) and str.__eq__(s, subject)}


def convert_files(paths: list[Path], known: dict[str, set[str]], base: str = DEFAULT_BASE) -> list[ConvertedRecord]:
    """Convert table files on their own, e.g. a submission. A file is known by its name (people.csv,
    events.csv, … or a name ending -people.csv, -events.csv, …); keys resolve against the files and `known`
    (kind → keys already in the graph). Raises RecordError with every bad record of every file."""
    specs = {s.kind: s for s in (PEOPLE, *(t.spec for t in TABLES))}
    records: dict[str, list[Record]] = {kind: [] for kind in specs}
    ctx = Context(base)
    for path in paths:
        try:
            kind = _table_kind(path, specs)
            records[kind] += read_table(path, specs[kind], ctx.problems)
        except RecordError as error:  # a file that cannot be read: the other files are still checked
            ctx.problems.add(error)
    ctx = _context(records, ctx)
    for kind, keys in known.items():
        ctx.keys.setdefault(kind, set()).update(keys)
    return _convert_all(records, ctx)


def _table_kind(path: Path, specs: dict[str, TableSpec]) -> str:
    kind = next((k for k in specs if path.stem == k or path.stem.endswith(f"-{k}")), None)
    if kind is None:
        names = ", ".join(f"{k}.csv" for k in specs)
        raise RecordError(Origin(str(path)), Problem("not_a_record_table", names=names))
    return kind


def _convert_all(records: dict[str, list[Record]], ctx: Context) -> list[ConvertedRecord]:
    converted = _people(records["people"], ctx)
    for spec in TABLES:
        converted += [c for record in records[spec.spec.kind] if (c := _attempt(ctx, _convert, record, spec, ctx))]
    for record in ctx.unkeyed:
        _check_cells(record, ctx)
    ctx.problems.raise_any()
    return converted


def _attempt(ctx: Context, convert: Callable[..., ConvertedRecord], *args) -> ConvertedRecord | None:
    """One record converted, or None with its error kept, so that the records after it are checked too."""
    try:
        return convert(*args)
    except RecordError as error:
        ctx.problems.add(error)
        return None


def _context(records: dict[str, list[Record]], ctx: Context) -> Context:
    """`ctx` with the keys of every table; a record whose key cannot make an IRI is reported and left out."""
    kinds = {"people": "person", **{t.spec.kind: t.iri_kind for t in TABLES}}
    for kind, rows in records.items():
        records[kind] = [record for record in rows if _has_usable_key(record, ctx)]
        for record in records[kind]:
            if kind != "people" and record.key in ctx.keys.get(kinds[kind], set()):
                ctx.problems.add(RecordError(record.at(record.origin.field or "key"), Problem("duplicate_key", key=record.key)))
            ctx.keys.setdefault(kinds[kind], set()).add(record.key)
    sources = [k for kind in ("document", "instrument", "media") for k in ctx.keys.get(kind, set())]
    if len(sources) != len(set(sources)):
        ctx.problems.add(RecordError(Origin("data"), Problem("shared_source_key")))
    ctx.restricted_people = {r.key for r in records["people"] if r.get("restricted") == "true"}
    return ctx


def _has_usable_key(record: Record, ctx: Context) -> bool:
    try:
        check_key(record.key)
    except KeyError_ as error:
        ctx.problems.add(RecordError(record.origin, error))
        ctx.unkeyed.append(record)
        return False
    return True


def _check_cells(record: Record, ctx: Context) -> None:
    """The cells of a row whose key is wrong, checked all the same, so that one run finds all its mistakes."""
    columns = LISTING_COLUMNS if record.kind == "people" else next(t.columns for t in TABLES if t.spec.kind == record.kind)
    for column in columns:
        _terms(record, column, ctx)


def _convert(record: Record, spec: Table, ctx: Context) -> ConvertedRecord:
    subject = mint(spec.iri_kind, record.key, ctx.base)
    out = ConvertedRecord(record.origin, subject, graph_iri(spec.spec.kind, ctx.base))
    for cls in spec.classes:
        out.add(subject, RDF.type, cls)
    for column in spec.columns:
        out.triples += [(subject, predicate, term) for predicate, term in _terms(record, column, ctx)]
    _check_event(record, spec)
    _check_statement(record)
    out.restricted = record.get("person") in ctx.restricted_people
    return out


def _terms(record: Record, column: Column, ctx: Context) -> list[tuple[URIRef, Node]]:
    """The (predicate, term) pairs of a record's cell in `column`; none when it is empty, as most optional cells
    are (a list, not a generator: one made for each column of each record cost more than its work)."""
    text = record.get(column.name)
    if not text:
        return []
    terms = []
    for cell in record.values(column.name) if column.multi else [text]:
        try:
            term = _term(column.value, cell, ctx)
        except (ValueError, UnknownConcept) as error:
            ctx.problems.add(RecordError(record.at(column.name), error))  # a Problem keeps its Korean wording
            continue  # the cell is reported; the record's other cells are still checked
        terms += [(predicate, term) for predicate in column.predicates]
    return terms


def _term(value: Value, cell: str, ctx: Context) -> Node:
    """`value(cell, ctx)`, made once per conversion: a value depends on the cell and the keys `ctx` holds only,
    and cells repeat (dates, counts, sources, concepts, names), so the records share one term where each made its
    own (an rdflib literal takes 2.5-6 µs to make; 93,632 literals of 10k victims are 13,917 distinct ones)."""
    key = (value, cell)
    term = ctx.terms.get(key)
    if term is None:
        term = ctx.terms[key] = value(cell, ctx)
    return term


def _check_event(record: Record, spec: Table) -> None:
    if spec.spec.kind != "events":
        return
    if bool(record.get("person")) == bool(record.get("victim_group")) and record.get("event_type") != "armed-conflict":
        raise RecordError(record.at("person"), Problem("person_or_victim_group"))


def _check_statement(record: Record) -> None:
    """A quote belongs to the one source that says it: the documents that source cites are not its authors."""
    if record.get("statement") and len(record.values("source")) != 1:
        raise RecordError(record.at("source"), Problem("statement_one_source"))


def _people(rows: list[Record], ctx: Context) -> list[ConvertedRecord]:
    """People are grouped by key: one person resource, one listing per (person, source) row."""
    by_person: dict[str, list[Record]] = {}
    for row in rows:
        by_person.setdefault(row.key, []).append(row)
    return [c for key, group in by_person.items() if (c := _attempt(ctx, _person, key, group, ctx))]


def _person(key: str, listings: list[Record], ctx: Context) -> ConvertedRecord:
    person = mint("person", key, ctx.base)
    out = ConvertedRecord(listings[0].origin, person, graph_iri("people", ctx.base))
    restricted = {row.get("restricted") or "false" for row in listings}
    if len(restricted) > 1:
        raise RecordError(listings[-1].at("restricted"), Problem("restricted_disagrees", key=key))
    out.restricted = restricted == {"true"}
    names = [_term(NAME.value, row.cells["name"], ctx) for row in listings]  # the listings' names too
    out.add(person, RDF.type, FP.Victim)
    out.add(person, RDFS.label, names[0])
    out.add(person, SKOS.prefLabel, names[0])
    out.add(person, FP.restricted, FLAGS[out.restricted])
    alternatives = {*names[1:], *(_term(NAME.value, n, ctx) for row in listings for n in row.values("alt_names"))}
    for name in sorted(alternatives - {names[0]}):
        out.add(person, SKOS.altLabel, name)
    for row in listings:
        out.triples += _listing(person, row, ctx)
    categories = _categories(out)
    if len(categories) == 1:
        # typed by its category only where every source agrees, so a count by class holds no one twice; a
        # disagreement is recorded as an fp:Inconsistency instead (convert/categories.py)
        out.add(person, RDF.type, categories.pop())
    return out


NAME = col("name", FP.nameAsListed, text(values.personal_name))
LISTING_COLUMNS = (
    NAME,
    col("category", FP.victimCategory, vocabulary("victim-categories")),
    col("credited_to", FP.creditedTo, ref("organisation")),
    SOURCE, NOTE,
)
# the columns whose claims a person carries too, beside its listing's (see _listing); named once here, where each
# of a listing's terms took three namespace look-ups and up to three comparisons in Python code (rdflib's ==)
ON_THE_PERSON = frozenset(c.name for c in LISTING_COLUMNS
                          if set(c.predicates) & {FP.victimCategory, FP.creditedTo, DCTERMS.source})
FLAGS = {flag: Literal(flag) for flag in (True, False)}  # fp:restricted's two values, made once


def _listing(person: URIRef, row: Record, ctx: Context) -> list[tuple[Node, Node, Node]]:
    """The row's own claim node, and the person-level summary of it (category, credit, source)."""
    if len(row.values("source")) != 1:
        raise RecordError(row.at("source"), Problem("one_source_per_row"))
    listing = mint("listing", f"{row.key}.{row.values('source')[0]}", ctx.base)
    triples = [(listing, RDF.type, FP.Listing), (listing, FP.listingOf, person)]
    for column in LISTING_COLUMNS:
        on_the_person = column.name in ON_THE_PERSON
        for predicate, term in _terms(row, column, ctx):
            triples.append((listing, predicate, term))
            if on_the_person:
                triples.append((person, predicate, term))
    return triples
