"""The records view: every person's RDF in Turtle, exactly the bytes the linked-data route sends for
`/id/person/…` (endpoint/linked_data/routes.py), so that a lookup is one keyed read instead of some 45 quads
read and decoded from the store and serialised again.

What a record's description holds is defined here, for the route and the view alike: the resource's triples
and those of the blank nodes it owns, the claim nodes that point at it by CLAIM_PROPERTIES with theirs, and of
every document those triples cite (dct:source) its SOURCE_SUMMARY.

The build writes the view from the sorted N-Quads dump of the public release, not from the store: in a sorted
dump a subject's lines are one run, so one pass over its lines finds each run's place and which person each
claim's run is about; each person's description is then its own run, its claims' runs and its blank nodes'
runs, parsed together by the engine's N-Quads parser. Restricted records are never in the public dump, so never
in the view.
"""

import mmap
import sqlite3
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pyoxigraph as ox

from footprints_graph.iris import ONTOLOGY, PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCT_SOURCE = "http://purl.org/dc/terms/source"
# claim nodes that point at the resource they are about; a partner's mapping (an owl:Axiom of a link set, with
# its confidence, author and date) is a claim about our record too
CLAIM_PROPERTIES = (*(ONTOLOGY + p for p in ("listingOf", "statusOf", "victim", "familyOf")),
                    "http://www.w3.org/2002/07/owl#annotatedSource")
# what a description says about each source document it cites
SOURCE_SUMMARY = (RDF_TYPE, "http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/title",
                  "https://schema.org/url", ONTOLOGY + "unDocumentSymbol", "http://purl.org/dc/terms/publisher",
                  "http://purl.org/dc/terms/issued")
XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
PROBE = ox.NamedNode("urn:footprints-graph:probe")
RECORDS_FILE = "records.sqlite"
SCHEMA = "CREATE TABLE record (iri TEXT PRIMARY KEY, turtle BLOB NOT NULL) WITHOUT ROWID"
_CLAIMS = frozenset(f"<{p}>".encode() for p in CLAIM_PROPERTIES)


def description_turtle(triples: set[ox.Triple]) -> bytes:
    """A description's Turtle as the route writes it: its triples in order of their text (so grouped by subject:
    a subject's text ends at `>` or a space, which sort below any character an IRI or a blank node's label
    holds), with the release's prefixes."""
    return ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def write_records(nquads: Path, base: str, path: Path) -> int:
    """The view of every person minted under `base` (`<base>person/…`) in the sorted N-Quads dump `nquads`, into a
    new file `path`; returns how many records it holds."""
    with open(nquads, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as dump:
        runs = SubjectRuns(dump, f"<{base}person/".encode())
        with closing(sqlite3.connect(path)) as db, db:
            db.executescript(f"PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; {SCHEMA}")
            db.executemany("INSERT INTO record VALUES (?, ?)", runs.descriptions())
            return db.execute("SELECT COUNT(*) FROM record").fetchone()[0]


class SubjectRuns:
    """Where each subject's run of lines lies in a sorted N-Quads dump, read in one pass: the persons' (those
    starting with `person_prefix`), each claim's run by the person it is about, and which blank nodes each
    subject points at."""

    def __init__(self, dump: mmap.mmap, person_prefix: bytes):
        self.dump, self.person_prefix = dump, person_prefix
        self.starts: list[int] = []  # where each run begins, in the dump's order (for a run found by its subject)
        self.persons: list[tuple[bytes, int, int]] = []
        self.claims: dict[bytes, list[tuple[int, int]]] = defaultdict(list)  # a person's claims' runs
        self.blank_objects: dict[bytes, list[bytes]] = defaultdict(list)
        self._summaries: dict[ox.NamedNode, set[ox.Triple]] = {}
        self._probe, self._stored = ox.Store(), {}  # an empty store in memory, and what it made of each literal
        self._read()

    def _read(self) -> None:
        subject, start, about, offset = None, 0, [], 0
        for line in iter(self.dump.readline, b""):
            s, p, rest = line.split(b" ", 2)
            if s != subject:
                self._ended(subject, start, offset, about)
                subject, start, about = s, offset, []
                self.starts.append(offset)
            if p in _CLAIMS:
                about.append(rest[:rest.index(b" ")])
            elif rest[:2] == b"_:":
                self.blank_objects[s].append(rest[:rest.index(b" ")])
            offset += len(line)
        self._ended(subject, start, offset, about)

    def _ended(self, subject: bytes | None, start: int, end: int, about: list[bytes]) -> None:
        if subject is None:
            return
        if subject.startswith(self.person_prefix):
            self.persons.append((subject, start, end))
        for person in set(about):
            if person.startswith(self.person_prefix):
                self.claims[person].append((start, end))

    def run(self, subject: bytes) -> bytes:
        """The lines of `subject` (none if it has none), found by bisection over the runs' starts."""
        key = subject + b" "
        index = bisect_left(self.starts, key, key=lambda start: self.dump[start:start + len(key)])
        if index == len(self.starts) or self.dump[self.starts[index]:self.starts[index] + len(key)] != key:
            return b""
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.dump)
        return self.dump[self.starts[index]:end]

    def descriptions(self) -> Iterator[tuple[str, bytes]]:
        """(IRI, Turtle) of every person, in the dump's order."""
        for subject, start, end in self.persons:
            runs = [(subject, self.dump[start:end]),
                    *((self._subject_at(a), self.dump[a:b]) for a, b in self.claims.get(subject, ()))]
            text = b"".join([*(lines for _, lines in runs), *self._blank_runs(s for s, _ in runs)])
            triples = {self._as_stored(quad.triple) for quad in ox.parse(text, format=ox.RdfFormat.N_QUADS)}
            documents = {t.object for t in triples if t.predicate.value == DCT_SOURCE and isinstance(t.object, ox.NamedNode)}
            yield subject[1:-1].decode(), description_turtle(triples.union(*map(self._summary, documents)))

    def _as_stored(self, triple: ox.Triple) -> ox.Triple:
        """The triple as the store gives it back: the engine stores a typed literal by its value, so that it
        reads "028"^^xsd:nonNegativeInteger back as "28"^^xsd:integer and "1"^^xsd:boolean as true."""
        literal = triple.object
        if not isinstance(literal, ox.Literal) or literal.language or literal.datatype == XSD_STRING:
            return triple
        if literal not in self._stored:
            self._probe.add(ox.Quad(PROBE, PROBE, literal))
            self._stored[literal] = next(self._probe.quads_for_pattern(PROBE, PROBE, None)).object
            self._probe.clear()
        return ox.Triple(triple.subject, triple.predicate, self._stored[literal])

    def _subject_at(self, start: int) -> bytes:
        return self.dump[start:self.dump.find(b" ", start)]

    def _blank_runs(self, subjects: Iterator[bytes]) -> list[bytes]:
        """The runs of the blank nodes the subjects point at, and of those these point at, each once."""
        todo = list(dict.fromkeys(b for s in subjects for b in self.blank_objects.get(s, ())))
        seen, found = set(todo), []
        while todo:
            blank = todo.pop()
            found.append(self.run(blank))
            for owned in self.blank_objects.get(blank, ()):
                if owned not in seen:
                    seen.add(owned)
                    todo.append(owned)
        return found

    def _summary(self, document: ox.NamedNode) -> set[ox.Triple]:
        """What a description says of a document it cites (SOURCE_SUMMARY), read once per document."""
        if document not in self._summaries:
            quads = ox.parse(self.run(f"<{document.value}>".encode()), format=ox.RdfFormat.N_QUADS)
            self._summaries[document] = {self._as_stored(q.triple) for q in quads if q.predicate.value in SOURCE_SUMMARY}
        return self._summaries[document]


class RecordView:
    """The records view of one release, opened read-only: a record's Turtle by its IRI, shared by a worker's
    threads (SQLite serialises their reads of one connection)."""

    def __init__(self, path: Path):
        if not path.is_file():  # sqlite would create an empty file where the view is missing
            raise FileNotFoundError(f"no records view at {path}")
        self.db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)

    def turtle(self, iri: str) -> bytes | None:
        row = self.db.execute("SELECT turtle FROM record WHERE iri = ?", (iri,)).fetchone()
        return row[0] if row else None
