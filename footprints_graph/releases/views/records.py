"""The records view: every person's RDF in Turtle, exactly the bytes the linked-data route sends for
`/id/person/…` (endpoint/linked_data/routes.py), so that a lookup is one keyed read instead of some 45 quads
read and decoded from the store and serialised again.

What a record's description holds is defined here, for the route and the view alike: the resource's triples
and those of the blank nodes it owns, the claim nodes that point at it by CLAIM_PROPERTIES with theirs, and of
every document those triples cite (dct:source) its SOURCE_SUMMARY.

The build writes the view from the sorted N-Quads dump of the public release, not from the store: in a sorted
dump a subject's lines are one run, so one pass over its lines finds each run's place and which person each
claim's run is about; each person's description is then its own run, its claims' runs and its blank nodes'
runs. A description is put together as text (each line cut to its triple's N-Triples text, a typed literal
written as the store gives it back, deduplicated and sorted) and only then parsed, by the engine, to be written as
Turtle: as Python objects, hashed into sets and sorted by their text, its triples took more than half of the view's
CPU. Restricted records are never in the public dump, so never in the view.
"""

import os
import sqlite3
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from footprints_graph.iris import ONTOLOGY, PREFIXES
from footprints_graph.terms import line_triple

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
PROBE = ox.NamedNode("urn:footprints-graph:probe")
PROBE_TEXT = b"<urn:footprints-graph:probe> <urn:footprints-graph:probe> "
RECORDS_FILE = "records.sqlite"
SCHEMA = "CREATE TABLE record (iri TEXT PRIMARY KEY, turtle BLOB NOT NULL) WITHOUT ROWID"
_CLAIMS = frozenset(f"<{p}>".encode() for p in CLAIM_PROPERTIES)
_SOURCE = f"<{DCT_SOURCE}>".encode()
_CITES = b" " + _SOURCE + b" <"  # in a line whose predicate is dct:source and object an IRI (or in a literal's text)
_SUMMARY = frozenset(f"<{p}>".encode() for p in SOURCE_SUMMARY)


def description_turtle(triples: set[bytes]) -> bytes:
    """A description's Turtle as the route writes it from the N-Triples text of its triples (as
    `SubjectRuns.stored_triples` gives it): in order of their text, which is the order of str() of the route's
    triples (UTF-8 keeps the order of code points), so grouped by subject (a subject's text ends at `>` or a space,
    which sort below any character an IRI or a blank node's label holds), with the release's prefixes. The text is
    Oxigraph's own N-Triples, so it is parsed without checking it again."""
    text = b" .\n".join(sorted(triples)) + b" .\n"
    return ox.serialize(ox.parse(text, format=ox.RdfFormat.N_TRIPLES, lenient=True), format=ox.RdfFormat.TURTLE,
                        prefixes=PREFIXES)


def write_records(nquads: Path, base: str, path: Path) -> int:
    """The view of every person minted under `base` (`<base>person/…`) in the sorted N-Quads dump `nquads`, into a
    new file `path`; returns how many records it holds."""
    with open(nquads, "rb") as dump:
        runs = SubjectRuns(dump, f"<{base}person/".encode())
        with closing(sqlite3.connect(path)) as db, db:
            # a record's 2-4 KB fit a 16 KB page whole, where 4 KB pages spill each into overflow pages: a lookup at
            # 100k victims read 25 µs -> 15 µs
            db.executescript(f"PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; {SCHEMA}")
            db.executemany("INSERT INTO record VALUES (?, ?)", runs.descriptions())
            return db.execute("SELECT COUNT(*) FROM record").fetchone()[0]


def _lines_holding(text: bytes, needle: bytes) -> Iterator[bytes]:
    """Each line of `text` that holds `needle`, once, found by searching the text (a line in ten holds a typed
    literal, say) rather than by testing every line in Python."""
    found = text.find(needle)
    while found != -1:
        end = text.find(b"\n", found)
        end = len(text) if end == -1 else end
        yield text[text.rfind(b"\n", 0, found) + 1:end]
        found = text.find(needle, end)


class SubjectRuns:
    """Where each subject's run of lines lies in a sorted N-Quads dump, read in one pass: the persons' (those
    starting with `person_prefix`), each claim's run by the person it is about, and which blank nodes each
    subject points at. Runs are read back with pread, not mapped: a mapped dump of 0.7 GB would count in the
    build's resident memory."""

    def __init__(self, dump: BinaryIO, person_prefix: bytes):
        self.dump, self.person_prefix = dump, person_prefix
        self.starts: list[int] = []  # where each run begins, in the dump's order (for a run found by its subject)
        self.persons: list[tuple[bytes, int, int]] = []
        self.claims: dict[bytes, list[tuple[bytes, int, int]]] = defaultdict(list)  # a person's claims' runs
        self.blank_objects: dict[bytes, list[bytes]] = defaultdict(list)
        self._summaries: dict[bytes, set[bytes]] = {}
        self._probe, self._stored = ox.Store(), {}  # an empty store in memory, and what it made of each literal
        self._read()

    def _read(self) -> None:
        subject, start, about, offset = None, 0, [], 0
        for line in self.dump:
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
        self.starts.append(offset)  # the end of the last run

    def _ended(self, subject: bytes | None, start: int, end: int, about: list[bytes]) -> None:
        if subject is None:
            return
        if subject.startswith(self.person_prefix):
            self.persons.append((subject, start, end))
        for person in set(about):
            if person.startswith(self.person_prefix):
                self.claims[person].append((subject, start, end))

    def _bytes(self, start: int, end: int) -> bytes:
        return os.pread(self.dump.fileno(), end - start, start)

    def run(self, subject: bytes) -> bytes:
        """The lines of `subject` (none if it has none), found by bisection over the runs' starts."""
        key = subject + b" "
        index = bisect_left(self.starts, key, hi=len(self.starts) - 1,
                            key=lambda start: self._bytes(start, start + len(key)))
        if index == len(self.starts) - 1:  # after the last run
            return b""
        start, end = self.starts[index], self.starts[index + 1]
        return self._bytes(start, end) if self._bytes(start, start + len(key)) == key else b""

    def descriptions(self) -> Iterator[tuple[str, bytes]]:
        """(IRI, Turtle) of every person, in the dump's order."""
        for subject, start, end in self.persons:
            runs = [(subject, start, end), *self.claims.get(subject, ())]
            text = b"".join([*(self._bytes(a, b) for _, a, b in runs), *self._blank_runs(s for s, _, _ in runs)])
            triples, documents = self.stored_triples(text)
            yield subject[1:-1].decode(), description_turtle(triples.union(*map(self._summary, documents)))

    def stored_triples(self, text: bytes) -> tuple[set[bytes], set[bytes]]:
        """The N-Triples text (without its ` .`) of the triples of N-Quads `text` as the store gives them back, and
        the documents they cite (dct:source). The engine stores a typed literal by its value, so that it reads
        "028"^^xsd:nonNegativeInteger back as "28"^^xsd:integer and "1"^^xsd:boolean as true: such a literal's
        text is replaced by the store's (each asked of an empty store once)."""
        triples = {line_triple(line) for line in text.splitlines()}
        for line in _lines_holding(text, b'"^^<'):
            triple = line_triple(line)
            if triple.endswith(b">"):  # its object is a typed literal (else the text is in a literal's own)
                start = triple.index(b'"')  # the object's first character: an IRI or a blank node's label holds no quote
                stored = self._stored_literal(triple[start:])
                if stored != triple[start:]:  # (a line may come twice, in two graphs)
                    triples.discard(triple)
                    triples.add(triple[:start] + stored)
        documents = set()
        for line in _lines_holding(text, _CITES):
            subject_end = line.index(b" ")  # a subject holds no space
            if line.startswith(_CITES, subject_end):  # dct:source is the predicate, not text in a literal
                documents.add(line[subject_end + len(_CITES) - 1:].rsplit(b" ", 2)[0])  # the object
        return triples, documents

    def _stored_literal(self, literal: bytes) -> bytes:
        """A typed literal's N-Triples text as the store gives it back."""
        if literal not in self._stored:
            term = next(ox.parse(PROBE_TEXT + literal + b" .", format=ox.RdfFormat.N_TRIPLES)).object
            self._probe.add(ox.Quad(PROBE, PROBE, term))
            self._stored[literal] = str(next(self._probe.quads_for_pattern(PROBE, PROBE, None)).object).encode()
            self._probe.clear()
        return self._stored[literal]

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

    def _summary(self, document: bytes) -> set[bytes]:
        """What a description says of a document it cites (SOURCE_SUMMARY), read once per document."""
        if document not in self._summaries:
            triples, _ = self.stored_triples(self.run(document))
            self._summaries[document] = {t for t in triples if t.split(b" ", 2)[1] in _SUMMARY}
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
