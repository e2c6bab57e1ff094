"""The browse view: which victims hold each value of each facet — category, status, year of the act, credited
organisation, source — as bit sets over the victims in the order /browse lists them, so that the counts of any
combination of values and any page of the persons it keeps are a few AND and popcount operations on Python
integers (milliseconds at 100,000 victims, where the SPARQL counts took 11 to 19 s).

Written by the build into `<release>/views/browse.sqlite` (SQLite, read-only once written): a table of the
persons by rank, and a table of facet values, each with the bit set of the persons that hold it (bit r: the
person of rank r). Each facet is defined by a graph pattern (FACETS) that binds ?value (what is shown) and ?key
(what goes in the URL: a concept's notation, a year, a record's IRI relative to the base) for ?person; the build
asks the engine for each pattern's solutions and reads them as text (reconciliation/index.py's `solutions`: 7 s
of the engine's for the five at 100,000 victims, without Python's lock, where reading their quads in Python took
11 s, and making term objects of the solutions 32 s).
"""

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from footprints_graph.releases.reconciliation.index import iri, literal, solutions, term_text

CATEGORY_DEFINITION = "https://w3id.org/footprints-graph/vocab/date-basis/category-definition"

# The year of a person's act, as precisely as its dates allow: "2013"; "1950-1953" for an act known only within
# a range; "1953-" for one bounded only by the start of its category's legal definition.
ACT_YEAR = """?act fp:victim ?person ; a/skos:inScheme fpv:act-types .
  OPTIONAL { ?act fp:date ?date } OPTIONAL { ?act fp:startDate ?start }
  OPTIONAL { ?act fp:endDate ?end } OPTIONAL { ?act fp:dateBasis ?basis }
  BIND(SUBSTR(STR(?start), 1, 4) AS ?from) BIND(SUBSTR(STR(?end), 1, 4) AS ?to)
  BIND(IF(BOUND(?date), SUBSTR(STR(?date), 1, 4),
       IF(BOUND(?end), IF(COALESCE(?from, "") = ?to, ?to, CONCAT(COALESCE(?from, ""), "-", ?to)),
          IF(COALESCE(?basis = <CATEGORY_DEFINITION>, false), CONCAT(?from, "-"), ?from))) AS ?key)
  BIND(?key AS ?value)""".replace("CATEGORY_DEFINITION", CATEGORY_DEFINITION)

BASE = "$BASE"  # stands for the base IRI, as a SPARQL string, in the facet patterns
RELATIVE_KEY = f"BIND(STRAFTER(STR(?value), {BASE}) AS ?key)"

# A person's category is its own class, which the build gives only where every source agrees; a person the sources
# disagree on falls under the consistency rule it breaks instead (its fp:Inconsistency involves its listings), so
# the category counts sum to no one twice.
FACETS = {
    "category": """{ ?person a ?value . ?value skos:inScheme fpv:victim-categories ; skos:notation ?key . }
  UNION { ?inconsistency fp:involves/fp:listingOf ?person ; fp:rule ?value . ?value skos:notation ?key . }""",
    "status": "?status fp:statusOf ?person ; fp:status ?value . ?value skos:notation ?key .",
    "year": ACT_YEAR,
    "organisation": "?person a fp:Victim ; fp:creditedTo ?value . " + RELATIVE_KEY,
    "source": "?person a fp:Victim ; dct:source ?value . " + RELATIVE_KEY,
}
FACET_QUERY = "SELECT ?person ?value ?key WHERE {{ {pattern} }}"

# Every victim with its preferred labels and its categories, each asked apart: the engine joining a person's labels
# and categories to its class took longer than reading every label and category (victims are most of them).
VICTIMS_QUERY = "SELECT ?person WHERE { ?person a fp:Victim }"
LABELS_QUERY = "SELECT ?person ?label WHERE { ?person skos:prefLabel ?label }"
CATEGORIES_QUERY = "SELECT ?person ?category WHERE { ?person fp:victimCategory ?category }"
# A person's name in the lists people take away: its preferred label in the first of these languages it has one in
# (as the name index shows it), and its Hangul one.
NAME_LANGUAGES = ("en", "ko-latn", "ko", "")

SCHEMA = """
CREATE TABLE person (rank INTEGER PRIMARY KEY, iri TEXT NOT NULL, name TEXT, name_ko TEXT, categories TEXT NOT NULL);
CREATE TABLE facet_value (facet TEXT NOT NULL, value TEXT, key TEXT NOT NULL, members BLOB NOT NULL);
"""


@dataclass(frozen=True)
class Person:
    iri: str
    name: str | None
    name_ko: str | None
    categories: list[str]  # IRIs of its fp:victimCategory values


@dataclass(frozen=True)
class FacetValue:
    facet: str
    value: str | None  # the value's IRI; None for a literal (a year: its key is what is shown)
    key: str
    members: int  # bit set over person ranks


Selection = dict[str, list[str]]  # facet name → chosen keys


def _persons(store) -> list[Person]:
    """Every victim (`?person a fp:Victim`) with its skos:prefLabel values and fp:victimCategory IRIs, in browse
    order."""
    labels = {iri(person): [] for person, in solutions(store, VICTIMS_QUERY)}
    categories = {person: set() for person in labels}
    for person, label in solutions(store, LABELS_QUERY):
        if (person := iri(person)) in labels:
            labels[person].append(literal(label))
    for person, category in solutions(store, CATEGORIES_QUERY):
        if (person := iri(person)) in categories and (category := iri(category)):
            categories[person].add(category)
    return [Person(p, _named(labels[p], NAME_LANGUAGES), _named(labels[p], ("ko",)), sorted(categories[p]))
            for p in sorted(labels, key=lambda p: _sort_key(labels[p], p))]


Label = tuple[str, str]  # a literal's lexical form and language tag ("" for none)


def _sort_key(labels: list[Label], person: str) -> tuple:
    lowered = [text.lower() for text, _ in labels]
    return (1, min(lowered)) if lowered else (0, ""), person


def _named(labels: list[Label], languages: tuple[str, ...]) -> str | None:
    """The label in the first of `languages` there is one in (the least by text among several)."""
    for language in languages:
        found = sorted(text for text, tag in labels if tag == language)
        if found:
            return found[0]
    return None


def _by_value(item: tuple[tuple[str | None, str], set[int]]) -> str:
    """A facet value's sort key: its (value, key) as text."""
    return str(item[0])


def _bit_set(ranks: Iterable[int], persons: int) -> int:
    """The number whose bit r is set for each rank r, made once from a byte array: setting one bit at a time in
    an int copies the whole number each time (5 s at 10k victims, quadratic in the victims)."""
    held = bytearray((persons + 7) // 8)
    for rank in ranks:
        held[rank >> 3] |= 1 << (rank & 7)
    return int.from_bytes(held, "little")


def _facet_values(store, base: str, ranks: dict[str, int]) -> list[FacetValue]:
    """Each value of each facet with the ranks of the victims that hold it, from its pattern's solutions (its ?key
    unbound where SPARQL leaves it so, as for a year of a blank node)."""
    found = []
    for facet, pattern in FACETS.items():
        members = defaultdict(set)
        query = FACET_QUERY.format(pattern=pattern.replace(BASE, str(ox.Literal(base))))
        for person, value, key in solutions(store, query):
            if (key := term_text(key)) is not None and (rank := ranks.get(iri(person))) is not None:
                members[(iri(value), key)].add(rank)
        found += [FacetValue(facet, value, key, _bit_set(held, len(ranks)))
                  for (value, key), held in sorted(members.items(), key=_by_value)]
    return found


def write_facets(store, base: str, path: Path) -> None:
    """The browse view of the release in `store`, whose minted IRIs start with `base`, into a new file `path`."""
    persons = _persons(store)
    values = _facet_values(store, base, {person.iri: rank for rank, person in enumerate(persons)})
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO person VALUES (?, ?, ?, ?, ?)",
                       ((rank, p.iri, p.name, p.name_ko, " ".join(p.categories)) for rank, p in enumerate(persons)))
        db.executemany("INSERT INTO facet_value VALUES (?, ?, ?, ?)",
                       ((v.facet, v.value, v.key, _bytes(v.members)) for v in values))


def _bytes(bits: int) -> bytes:
    return bits.to_bytes((bits.bit_length() + 7) // 8, "little")


class FacetIndex:
    """The browse view of one release, opened read-only: counts and pages for any selection."""

    def __init__(self, path: Path):
        self.path = path
        with closing(self._connect()) as db:
            self.size = db.execute("SELECT COUNT(*) FROM person").fetchone()[0]
            self.values = [FacetValue(f, v, k, int.from_bytes(m, "little"))
                           for f, v, k, m in db.execute("SELECT facet, value, key, members FROM facet_value")]

    def _connect(self) -> sqlite3.Connection:
        if not self.path.is_file():  # sqlite would create an empty file where the view is missing
            raise FileNotFoundError(f"no browse view at {self.path}")
        return sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)

    def chosen(self, selection: Selection) -> int:
        """The persons that hold every chosen key: each key is held by the persons of any value with that key."""
        kept = (1 << self.size) - 1
        for facet, keys in selection.items():
            for key in keys:
                held = 0
                for value in self.values:
                    if value.facet == facet and value.key == key:
                        held |= value.members
                kept &= held
        return kept

    def counts(self, kept: int) -> list[tuple[FacetValue, int]]:
        """Each facet value held by some of the `kept` persons, with how many hold it."""
        found = ((value, (value.members & kept).bit_count()) for value in self.values)
        return [(value, n) for value, n in found if n]

    def persons(self, kept: int, offset: int = 0, limit: int | None = None) -> list[Person]:
        """The kept persons from `offset` (at most `limit`), in browse order."""
        ranks = list(_ranks(kept, offset, limit))
        rows = []
        with closing(self._connect()) as db:
            for start in range(0, len(ranks), 500):  # SQLite's limit on parameters, with room to spare
                chunk = ranks[start: start + 500]
                rows += db.execute("SELECT iri, name, name_ko, categories FROM person "
                                   f"WHERE rank IN ({','.join('?' * len(chunk))}) ORDER BY rank", chunk).fetchall()
        return [Person(iri, name, name_ko, categories.split()) for iri, name, name_ko, categories in rows]

    def stream(self, kept: int, batch: int = 1000) -> Iterator[Person]:
        """Every kept person in browse order, a batch at a time (the whole list at 100,000 victims is never held)."""
        for offset in range(0, kept.bit_count(), batch):
            yield from self.persons(kept, offset, batch)


def _ranks(bits: int, offset: int, limit: int | None) -> Iterator[int]:
    """The positions of the set bits of `bits` from the `offset`-th one, at most `limit` of them: whole words of
    the bit string are counted to skip, then ones found one by one."""
    text, step = format(bits, "b")[::-1], 4096
    start = 0
    while start < len(text) and (ones := text.count("1", start, start + step)) <= offset:
        offset, start = offset - ones, start + step
    found = text.find("1", start)
    while found >= 0 and limit != 0:
        if offset:
            offset -= 1
        else:
            yield found
            limit = None if limit is None else limit - 1
        found = text.find("1", found + 1)
