"""Link sets: a partner archive's mappings between our records and its own identifiers, as linked data.

A link set is one file under `data/links/`, read by every build:

- **SSSOM/TSV** (`*.sssom.tsv`, https://mapping-commons.github.io/sssom/): a YAML metadata header on lines
  starting with `#` (`curie_map`, `mapping_set_id`, `license`, optionally `mapping_set_title`,
  `mapping_set_version`, `creator_id`, and set-wide `mapping_date`), then a tab-separated table with
  `subject_id`, `predicate_id`, `object_id`, `mapping_justification` and optionally `confidence`,
  `author_id`, `author_label`, `mapping_date`, `comment`.
- **CSV** (`*.csv`): `subject,predicate,object,author,date` and optionally `confidence`, `justification`,
  `comment`.

Each file becomes the named graph `{base}graph/links.<name>` holding the links themselves
(`<our record> owl:sameAs|skos:exactMatch|skos:closeMatch <their IRI>`), one mapping node per link in
SSSOM's RDF form (an `owl:Axiom` with `owl:annotatedSource/Property/Target`, `sssom:mapping_justification`,
`sssom:confidence`, `pav:authoredBy` or `sssom:author_label`, `dct:created`) and the link set's own
description (`fp:LinkSet`, a `void:Linkset` and `sssom:MappingSet`, with its predicates and link count).

Every row is checked before anything is written: the subject must be one of our public records, the
predicate one of `PREDICATES`, the object an absolute IRI outside our base, the confidence in 0..1, the
date a real day, and someone must have asserted the link. Every problem is reported with file and line.
"""

import csv
import hashlib
import io
import re
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, VOID

from footprints_graph.convert import ConvertedRecord
from footprints_graph.convert.contributions import CONTRIBUTIONS, contributed_link_sets, convert_contributions
from footprints_graph.convert.records import convert_tables
from footprints_graph.errors import FootprintsError, Origin
from footprints_graph.iris import DECLARED_PREFIXES, DEFAULT_BASE, PREFIXES, KeyError_, check_key, graph_iri
from footprints_graph.vocab import FP

SSSOM = Namespace(DECLARED_PREFIXES["sssom"])
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
PAV = Namespace("http://purl.org/pav/")


PREDICATES = {"owl:sameAs": OWL.sameAs, "skos:exactMatch": SKOS.exactMatch, "skos:closeMatch": SKOS.closeMatch}
JUSTIFICATIONS = ("ManualMappingCuration", "LexicalMatching", "LogicalReasoning", "CompositeMatching",
                  "UnspecifiedMatching", "SemanticSimilarityThresholdMatching", "LexicalSimilarityThresholdMatching",
                  "MappingChaining", "MappingReview", "MappingInversion", "StructuralMatching",
                  "InstanceBasedMatching", "BackgroundKnowledgeBasedMatching")
KNOWN_PREFIXES = {**PREFIXES, "semapv": str(SEMAPV), "sssom": str(SSSOM), "orcid": "https://orcid.org/",
                  "wikidata": "http://www.wikidata.org/entity/", "wd": "http://www.wikidata.org/entity/"}
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
NON_HIERARCHICAL_SCHEMES = ("urn",)  # IRIs without '//' that a partner's record may have (urn:uuid:…, urn:nbn:…)
SSSOM_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")
CSV_COLUMNS = ("subject", "predicate", "object", "author", "date")
LINK_FILES = ("*.sssom.tsv", "*.csv")


class LinkSetError(FootprintsError):
    """A link set that cannot be used; lists every problem found, each with its file and line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in link sets; nothing was written:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class Mapping:
    """One row: the link and who asserted it, when, how and how sure."""

    line: int
    subject: str
    predicate: str
    object: str
    justification: str
    confidence: float | None = None
    authors: tuple[str, ...] = ()
    author_labels: tuple[str, ...] = ()
    asserted: date | None = None  # mapping_date
    comment: str | None = None


@dataclass
class LinkSet:
    name: str
    path: Path
    mappings: list[Mapping] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    generated_by: URIRef | None = None  # the accepted submission it came in, if it came in one

    @property
    def file_name(self) -> str:
        """The name it is kept under in data/: the link set's name and its format's suffix."""
        return f"{self.name}{'.sssom.tsv' if self.path.name.endswith('.tsv') else '.csv'}"

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(f"{Origin(str(self.path), line)}: {message}")

    def graph(self, base: str) -> URIRef:
        return graph_iri(f"links.{self.name}", base)


# ---------------------------------------------------------------- reading


def is_link_set(name: str, content: bytes) -> bool:
    """A file a partner sends as a link set: SSSOM/TSV by its name, or a CSV whose header has the link set's
    columns (a record table's never has subject, predicate and object)."""
    if name.endswith(".sssom.tsv"):
        return True
    header = content.split(b"\n", 1)[0].decode("utf-8-sig", "replace").strip()
    return name.lower().endswith(".csv") and set(CSV_COLUMNS) <= {c.strip() for c in header.split(",")}


def read_link_set(path: Path) -> LinkSet:
    """A link set file, read and checked row by row (but not yet against our records)."""
    link_set = LinkSet(_name(path), path)
    reader = _read_sssom if path.name.endswith(".tsv") else _read_csv
    try:
        reader(link_set, path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as error:
        link_set.problem(None, f"cannot read the file: {error}")
    _check_duplicates(link_set)
    return link_set


def _name(path: Path) -> str:
    stem = path.name.removesuffix(".tsv").removesuffix(".sssom").removesuffix(".csv")
    try:
        return check_key(stem)
    except KeyError_:
        return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "links"


def _read_sssom(link_set: LinkSet, text: str) -> None:
    lines = text.splitlines()
    header_lines = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    link_set.metadata = _metadata(link_set, "\n".join(line[1:] for line in lines[:header_lines]))
    rows = csv.DictReader(io.StringIO("\n".join(lines[header_lines:])), delimiter="\t")
    if _has_columns(link_set, rows.fieldnames, SSSOM_COLUMNS, header_lines + 1):
        for number, row in enumerate(rows, start=header_lines + 2):
            _add(link_set, number, _sssom_row(row, link_set.metadata))


def _metadata(link_set: LinkSet, yaml_text: str) -> dict:
    import yaml  # only SSSOM headers need it

    try:
        metadata = yaml.safe_load(yaml_text) or {}
    except yaml.YAMLError as error:
        link_set.problem(1, f"the '#' metadata header is not YAML: {error}")
        return {}
    if not isinstance(metadata, dict) or not isinstance(metadata.get("curie_map", {}), dict):
        link_set.problem(1, "the metadata header must be a YAML mapping, with curie_map a mapping of prefixes")
        return {}
    for key in ("mapping_set_id", "license"):
        if not ABSOLUTE_IRI.match(str(metadata.get(key, ""))):
            link_set.problem(1, f"the metadata header needs {key}: an absolute IRI (SSSOM requires it)")
    return metadata


def _sssom_row(row: dict, metadata: dict) -> dict:
    """An SSSOM row in the common shape; set-wide values (mapping_date, creator) fill in what a row lacks."""
    return {
        "subject": row.get("subject_id"), "predicate": row.get("predicate_id"), "object": row.get("object_id"),
        "justification": row.get("mapping_justification"), "confidence": row.get("confidence"),
        "authors": row.get("author_id") or _joined(metadata.get("creator_id")),
        "author_labels": row.get("author_label") or _joined(metadata.get("creator_label")),
        "date": row.get("mapping_date") or str(metadata.get("mapping_date") or ""),
        "comment": row.get("comment"), "modifier": row.get("predicate_modifier"),
        "prefixes": metadata.get("curie_map", {}),
    }


def _joined(value) -> str:
    return "|".join(value) if isinstance(value, list) else str(value or "")


def _read_csv(link_set: LinkSet, text: str) -> None:
    rows = csv.DictReader(io.StringIO(text))
    if _has_columns(link_set, rows.fieldnames, CSV_COLUMNS, 1):
        for number, row in enumerate(rows, start=2):
            author = row.get("author") or ""
            _add(link_set, number, {
                "subject": row.get("subject"), "predicate": row.get("predicate"), "object": row.get("object"),
                "justification": row.get("justification") or "semapv:UnspecifiedMatching",
                "confidence": row.get("confidence"), "date": row.get("date"), "comment": row.get("comment"),
                "authors": "|".join(a for a in author.split("|") if ABSOLUTE_IRI.match(a.strip())),
                "author_labels": "|".join(a for a in author.split("|") if not ABSOLUTE_IRI.match(a.strip())),
                "prefixes": {},
            })


def _has_columns(link_set: LinkSet, header: list[str] | None, required: tuple[str, ...], line: int) -> bool:
    missing = [c for c in required if c not in (header or [])]
    if missing:
        link_set.problem(line, f"missing column(s) {', '.join(missing)} (required: {', '.join(required)})")
    return not missing


# ---------------------------------------------------------------- checking one row


def _add(link_set: LinkSet, line: int, row: dict) -> None:
    problems: list[str] = []
    mapping = _mapping(line, {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}, problems)
    for message in problems:
        link_set.problem(line, message)
    if not problems:
        link_set.mappings.append(mapping)


def _mapping(line: int, row: dict, problems: list[str]) -> Mapping:
    prefixes = row["prefixes"]
    subject, predicate, obj = (_expand(row[k] or "", prefixes) for k in ("subject", "predicate", "object"))
    problems += _link_problems(subject, predicate, obj, row)
    authors = tuple(_expand(a, prefixes) for a in (row.get("authors") or "").split("|") if a)
    labels = tuple(a for a in (row.get("author_labels") or "").split("|") if a)
    if not authors and not labels:
        problems.append("no author: say who asserted the mapping (author_id / author_label, or the set's creator_id)")
    justification = _justification(_expand(row["justification"] or "", prefixes), problems)
    return Mapping(line, subject, predicate, obj, justification, _confidence(row.get("confidence"), problems),
                   authors, labels, _date(row.get("date"), problems), row.get("comment") or None)


def _link_problems(subject: str, predicate: str, obj: str, row: dict) -> list[str]:
    problems = ["negated mappings (predicate_modifier) are not stored: leave the row out"] if row.get("modifier") else []
    if predicate not in {str(p) for p in PREDICATES.values()}:
        problems.append(f"predicate {row['predicate']!r} is not one of {', '.join(PREDICATES)}")
    for role, value in (("subject", subject), ("object", obj)):
        problems += _iri_problems(role, value, row["prefixes"])
    return problems


def _iri_problems(role: str, value: str, prefixes: dict) -> list[str]:
    """An absolute IRI after expansion, or why not. `exrach:FA-0004` has the form of an IRI with the scheme
    'exrach', but it is a CURIE whose prefix nobody declared: published, it would be an IRI that resolves
    nowhere. So an IRI must name its authority (`scheme://`) or be a URN."""
    if not ABSOLUTE_IRI.match(value):
        return [f"{role} {value!r} is not an absolute IRI (or a CURIE of the curie_map)"]
    scheme = value.split(":", 1)[0]
    if "://" in value or scheme.lower() in NON_HIERARCHICAL_SCHEMES:
        return []
    declared = ", ".join(sorted(map(str, prefixes))) or "none"
    return [f"{role} {value!r}: the prefix {scheme + ':'!r} is not declared in the curie_map (declared: {declared}); "
            "declare it, or write the full IRI (https://…)"]


def _expand(text: str, prefixes: dict) -> str:
    prefix, colon, local = text.partition(":")
    known = {**KNOWN_PREFIXES, **{str(k): str(v) for k, v in prefixes.items()}}
    return known[prefix] + local if colon and prefix in known and not local.startswith("//") else text


def _justification(iri: str, problems: list[str]) -> str:
    if not iri.startswith(str(SEMAPV)) or iri.removeprefix(str(SEMAPV)) not in JUSTIFICATIONS:
        problems.append(f"mapping_justification {iri!r} is not a semapv justification "
                        f"(e.g. semapv:ManualMappingCuration, semapv:LexicalMatching)")
    return iri


def _confidence(text: str | None, problems: list[str]) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        problems.append(f"confidence {text!r} is not a number from 0 to 1")
        return None
    return value


def _date(text: str | None, problems: list[str]) -> date | None:
    if not text:
        problems.append("no mapping date: say when the mapping was asserted (YYYY-MM-DD)")
        return None
    try:
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
            raise ValueError("write YYYY-MM-DD")
        return date.fromisoformat(text)
    except ValueError as error:
        problems.append(f"mapping date {text!r} is not a real day ({error})")
        return None


def _check_duplicates(link_set: LinkSet) -> None:
    seen: dict[tuple, int] = {}
    for m in link_set.mappings:
        key = (m.subject, m.predicate, m.object)
        if key in seen:
            link_set.problem(m.line, f"the same mapping as line {seen[key]}")
        seen.setdefault(key, m.line)


# ---------------------------------------------------------------- checking against our records


def check_subjects(link_set: LinkSet, records: set[str], base: str) -> None:
    """Each subject must be one of our public records; an object must be someone else's IRI."""
    for m in link_set.mappings:
        if m.subject not in records:
            where = "no public record has this IRI" if m.subject.startswith(base) else f"our IRIs start with {base}"
            link_set.problem(m.line, f"subject {m.subject!r} is not one of our records ({where})")
        if m.object.startswith(base):
            link_set.problem(m.line, f"object {m.object!r} is one of our own IRIs: a link set links our records "
                                     "to another dataset's")


def link_set_files(folder: Path) -> list[Path]:
    return sorted({p for pattern in LINK_FILES for p in folder.glob(pattern)}) if folder.is_dir() else []


def read_link_sets(folder: Path, records: Iterable[ConvertedRecord], base: str = DEFAULT_BASE,
                   contributed: dict[Path, URIRef] | None = None) -> list[ConvertedRecord]:
    """Every link set in `folder` and in `contributed` (accepted submissions' link sets, each with the submission
    that generated it) as records, one per file in its own named graph. Raises LinkSetError with every problem
    of every file if any row is bad, so a build with a bad link set writes nothing."""
    public = {str(r.subject) for r in records if not r.restricted}
    link_sets = [read_link_set(path) for path in link_set_files(folder)]
    for path, submission in (contributed or {}).items():
        link_sets.append(read_link_set(path))
        link_sets[-1].generated_by = submission
    for link_set in link_sets:
        check_subjects(link_set, public, base)
    problems = [p for s in link_sets for p in s.problems] + _clashing_names(link_sets)
    if problems:
        raise LinkSetError(problems)
    return [to_record(s, base) for s in link_sets]


def add_link_set(path: Path, data_dir: Path, base: str = DEFAULT_BASE, replace: bool = False) -> tuple[LinkSet, Path]:
    """Check a partner's file against the records in `data_dir` and copy it into `data_dir/links`, where
    every build reads it. Raises LinkSetError, copying nothing, if any row is bad."""
    link_set = read_link_set(path)
    check_subjects(link_set, public_subjects(data_dir, base), base)
    target = data_dir / "links" / link_set.file_name
    if target.exists() and target.read_bytes() != path.read_bytes() and not replace:
        link_set.problem(None, f"{target} already holds other mappings; pass --replace to overwrite it")
    _refuse_contributed_name(link_set, data_dir)
    if link_set.problems:
        raise LinkSetError(link_set.problems)
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(path, target)
    return link_set, target


def public_subjects(data_dir: Path, base: str = DEFAULT_BASE) -> set[str]:
    """The IRIs of the public records the build makes of `data_dir`: its tables and accepted contributions."""
    records = convert_tables(data_dir, base)
    records += convert_contributions(data_dir / CONTRIBUTIONS, records, base)
    return {str(r.subject) for r in records if not r.restricted}


def _refuse_contributed_name(link_set: LinkSet, data_dir: Path) -> None:
    """Two link sets of one name would be one named graph: the build refuses them, so adding one is refused."""
    for path in contributed_link_sets(data_dir / CONTRIBUTIONS):
        if read_link_set(path).name == link_set.name:
            link_set.problem(None, f"{path} (an accepted submission) already makes the link set {link_set.name!r}; "
                                   "rename the file")


def _clashing_names(link_sets: list[LinkSet]) -> list[str]:
    names = Counter(s.name for s in link_sets)
    return [f"{s.path}: another file also makes the link set {s.name!r}; rename one" for s in link_sets if names[s.name] > 1]


# ---------------------------------------------------------------- RDF

SET_METADATA = {"mapping_set_id": PROV.wasDerivedFrom, "mapping_set_title": DCTERMS.title,
                "license": DCTERMS.license, "mapping_set_version": OWL.versionInfo,
                "object_source": VOID.objectsTarget}  # SSSOM's name for the partner's dataset


def to_record(link_set: LinkSet, base: str) -> ConvertedRecord:
    """The link set as one record in its own named graph: links, mapping nodes and the set's description."""
    graph = link_set.graph(base)
    out = ConvertedRecord(Origin(str(link_set.path)), graph, graph)
    for cls in (FP.LinkSet, VOID.Linkset, SSSOM.MappingSet):
        out.add(graph, RDF.type, cls)
    out.add(graph, FP.linkSetFile, Literal(link_set.path.name))
    out.add(graph, PROV.wasGeneratedBy, link_set.generated_by)
    out.add(graph, VOID.triples, Literal(len(link_set.mappings), datatype=XSD.integer))
    for key, predicate in SET_METADATA.items():
        value = link_set.metadata.get(key)
        out.add(graph, predicate, _term(str(value)) if value else None)
    for predicate in sorted({m.predicate for m in link_set.mappings}):
        out.add(graph, VOID.linkPredicate, URIRef(predicate))
    for mapping in link_set.mappings:
        out.triples += _mapping_triples(graph, mapping)
    return out


def _term(value: str) -> URIRef | Literal:
    return URIRef(value) if ABSOLUTE_IRI.match(value) and "://" in value else Literal(value)


def _mapping_triples(graph: URIRef, m: Mapping) -> list[tuple]:
    subject, predicate, obj = URIRef(m.subject), URIRef(m.predicate), URIRef(m.object)
    node = mapping_node(graph, m)
    triples = [(subject, predicate, obj), (graph, SSSOM.mappings, node), (node, RDF.type, OWL.Axiom),
               (node, OWL.annotatedSource, subject), (node, OWL.annotatedProperty, predicate),
               (node, OWL.annotatedTarget, obj), (node, SSSOM.mapping_justification, URIRef(m.justification))]
    triples += [(node, PAV.authoredBy, URIRef(a)) for a in m.authors]
    triples += [(node, SSSOM.author_label, Literal(a)) for a in m.author_labels]
    optional = ((SSSOM.confidence, m.confidence, XSD.double), (DCTERMS.created, m.asserted, XSD.date),
                (RDFS.comment, m.comment, None))
    triples += [(node, p, Literal(v, datatype=t)) for p, v, t in optional if v is not None]
    return triples


def mapping_node(graph: URIRef, m: Mapping) -> URIRef:
    """A mapping's IRI: the link set's IRI with a fragment hashed from the link, so it is the same in every
    build and whatever the order of the rows."""
    digest = hashlib.sha256(f"{m.subject} {m.predicate} {m.object}".encode()).hexdigest()[:16]
    return URIRef(f"{graph}#mapping-{digest}")


# ---------------------------------------------------------------- counting (for VoID)

LINKSET_COUNTS = """
SELECT ?linkset ?predicate (COUNT(*) AS ?links) WHERE {
  GRAPH ?linkset { ?linkset a void:Linkset ; void:linkPredicate ?predicate . ?s ?predicate ?o }
} GROUP BY ?linkset ?predicate"""


LINKSET_TARGETS = "SELECT ?linkset ?target WHERE { GRAPH ?linkset { ?linkset a void:Linkset ; void:objectsTarget ?target } }"


def linkset_targets(store: ox.Store) -> dict[str, str]:
    """{link set graph IRI: the partner's dataset IRI} for the link sets whose header names it (object_source)."""
    rows = store.query(LINKSET_TARGETS, prefixes={"void": str(VOID)})
    return {row["linkset"].value: row["target"].value for row in rows if isinstance(row["target"], ox.NamedNode)}


def linkset_counts(store: ox.Store) -> dict[str, dict[str, int]]:
    """{link set graph IRI: {link predicate IRI: number of links}} for the link sets in `store`."""
    counts: dict[str, dict[str, int]] = {}
    for row in store.query(LINKSET_COUNTS, prefixes={"void": DECLARED_PREFIXES["void"]}):
        counts.setdefault(row["linkset"].value, {})[row["predicate"].value] = int(row["links"].value)
    return {k: dict(sorted(v.items())) for k, v in sorted(counts.items())}
