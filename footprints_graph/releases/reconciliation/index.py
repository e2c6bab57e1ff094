"""The name index of one release: every reconcilable entity (persons, organisations, source documents) with
its names and types, read from the store and kept by the caller under the build id.

An entity's id is its IRI relative to the base (`person/kim-jung-wook`); types are local names in the
ontology namespace (`Detainee`).
"""

import bisect
import itertools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from footprints_graph import names
from footprints_graph.errors import FootprintsError
from footprints_graph.iris import ONTOLOGY, PREFIXES

GENERIC_TYPES = ("Victim", "Organisation", "SourceDocument")
LABEL_LANGUAGES = ("en", "ko-latn", "ko")  # which label to show first


class ReconciliationError(FootprintsError, ValueError):
    """A request the service cannot answer as asked (unknown type, property or malformed value); the endpoint
    answers it with 400."""


# ---------------------------------------------------------------- the release's index


@dataclass(frozen=True)
class Type:
    id: str
    name: str
    broader: tuple[str, ...] = ()

    def as_json(self, types: dict[str, "Type"]) -> dict:
        entry = {"id": self.id, "name": self.name}
        if self.broader:
            entry["broader"] = [types[b].as_json(types) for b in self.broader]
        return entry


@dataclass(frozen=True)
class Entity:
    id: str
    iri: str
    name: str
    names: tuple[str, ...]
    types: frozenset[str]
    person: bool = field(init=False)  # a victim: its names are compared as Korean personal names

    def __post_init__(self) -> None:
        object.__setattr__(self, "person", "Victim" in self.types)


PREFIX_NAME, PREFIX_WORD, PREFIX_ID = 0, 1, 3  # how an entity begins with a typed prefix: its ranks in suggestions
WORDS = re.compile(r"[\s\-]+")


@dataclass
class Index:
    """Every reconcilable entity of one release with its names and types, and lookups built once: the
    entities of each type; the persons by the family-name keys their names can have, and by family name and
    given-name syllable (so that a query scores only plausible candidates); for suggestions as someone types,
    every name, word of a name and id in order (casefolded), and the given-name keys of each family name in
    order, so that what begins with a prefix is found by bisection rather than by a pass over every entity."""

    base: str
    types: dict[str, Type]
    entities: dict[str, Entity]
    by_type: dict[str, list[Entity]] = field(default_factory=dict)
    by_family: dict[str, set[str]] = field(default_factory=dict)
    by_syllable: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    beginnings: list[tuple[str, int, str]] = field(default_factory=list)  # (text, PREFIX_*, entity id)
    given_by_family: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # family key → (given key, id)

    def __post_init__(self) -> None:
        for entity in self.entities.values():
            for type_id in entity.types:
                self.by_type.setdefault(type_id, []).append(entity)
            self.beginnings += _beginnings(entity)
            for reading in (r for n in entity.names for r in names.parse(n)) if entity.person else ():
                self.by_family.setdefault(reading.keys[0], set()).add(entity.id)
                self.given_by_family.setdefault(reading.keys[0], []).append((reading.keys[1], entity.id))
                for syllable in _syllables(reading):
                    self.by_syllable.setdefault((reading.keys[0], syllable), set()).add(entity.id)
        self.beginnings.sort()
        for given in self.given_by_family.values():
            given.sort()

    def pool(self, type_ids: tuple[str, ...]) -> "Pool":
        """The entities of any of `type_ids` (every entity for none), made once per combination of types and kept:
        a pass over 100,000 persons took 150 ms per query. Kept in the instance's dict, not a field, so that an
        index read from a release's views holds none until asked."""
        pools = self.__dict__.setdefault("_pools", {})
        if type_ids not in pools:
            pools[type_ids] = Pool.of(list(self.entities.values()) if not type_ids else
                                      list({e.id: e for t in type_ids for e in self.by_type.get(t, [])}.values()))
        return pools[type_ids]

    def beginning_with(self, wanted: str) -> dict[str, int]:
        """Each entity a name, a word of a name or whose id begins with `wanted` (casefolded), with the best
        (least) PREFIX_* rank it does so by."""
        found: dict[str, int] = {}
        for _, rank, entity_id in _from(self.beginnings, (wanted,), wanted):
            found[entity_id] = min(rank, found.get(entity_id, rank))
        return found

    def named_alike(self, prefix: str) -> set[str]:
        """The persons whose name begins like `prefix` by the name rules (names.starts_like): a reading of a name
        with the family key of a reading of the prefix and a given-name key beginning with the prefix's."""
        return {entity_id for p in names.parse(prefix) if p.keys[0]
                for _, entity_id in _from(self.given_by_family.get(p.keys[0], []), (p.keys[1],), p.keys[1])}

    def plausible(self, text: str, wanted: int) -> set[str]:
        """Persons who share the query's family name and a syllable of its given name; all who share the
        family name when that finds fewer than `wanted`."""
        readings = names.parse(text)
        shared = set().union(*(self.by_syllable.get((r.keys[0], s), set()) for r in readings for s in _syllables(r)))
        if len(shared) >= wanted:
            return shared
        return set().union(*(self.by_family.get(r.keys[0], set()) for r in readings))

    def entity_id(self, iri: str) -> str | None:
        return iri[len(self.base):] if iri.startswith(self.base) else None


@dataclass(frozen=True)
class Label:
    """A name of an organisation or document as label_score compares it (normalised), with the count of each of
    its characters: what a query's text shares with it bounds their similarity before it is computed."""

    text: str
    characters: Counter

    @classmethod
    def of(cls, name: str) -> "Label":
        text = normalised(name)
        return cls(text, Counter(text))


@dataclass(frozen=True)
class Pool:
    """The candidates of a query's types, in order (each type's entities in index order, the first type listed
    first): the persons and the others apart, each person's place among the persons, and the others' names as
    labels (normalised once here, where each query normalised every name again)."""

    entities: list[Entity]
    persons: list[Entity]
    others: list[Entity]
    place: dict[str, int]
    labels: list[tuple[Label, ...]]  # of each of `others`, in order

    @classmethod
    def of(cls, entities: list[Entity]) -> "Pool":
        persons = [e for e in entities if e.person]
        others = [e for e in entities if not e.person]
        return cls(entities, persons, others, {e.id: i for i, e in enumerate(persons)},
                   [tuple(Label.of(n) for n in e.names) for e in others])


def normalised(text: str) -> str:
    """A label as compared: case, accents, punctuation and spacing folded."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return " ".join(re.findall(r"\w+", "".join(c for c in folded if not unicodedata.combining(c))))


def _beginnings(entity: Entity) -> list[tuple[str, int, str]]:
    folded = [n.casefold() for n in entity.names]
    words = {w for n in folded for w in WORDS.split(n) if w}
    return ([(n, PREFIX_NAME, entity.id) for n in folded] + [(w, PREFIX_WORD, entity.id) for w in words]
            + [(entity.id, PREFIX_ID, entity.id)])


def _from(ordered: list[tuple], start: tuple, prefix: str) -> Iterator[tuple]:
    """The entries of `ordered` (sorted) whose first member begins with `prefix`, from the first >= `start`."""
    for entry in itertools.islice(ordered, bisect.bisect_left(ordered, start), None):
        if not entry[0].startswith(prefix):
            return
        yield entry


def _syllables(reading: names.ParsedName) -> set[str]:
    """The keys of a given name's syllables and of the whole given name (for names written run together)."""
    return {*reading.syllable_keys, reading.keys[1]}


def select(store: ox.Store, query: str) -> Iterable[ox.QuerySolution]:
    return store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)


# Each branch finds its labels itself: Virtuoso 7 answers nothing when a union of a VALUES block and a BIND is
# joined to a pattern after it.
TYPES_QUERY = """
SELECT ?type ?label ?broader WHERE {
  { VALUES ?type { fp:Victim fp:Organisation fp:SourceDocument } ?type rdfs:label ?label }
  UNION { ?type skos:inScheme fpv:victim-categories ; rdfs:label ?label . BIND(fp:Victim AS ?broader) }
  FILTER(langMatches(lang(?label), "en"))
}"""

# The ontology's class tree, whose closure Python takes: Virtuoso refuses `rdfs:subClassOf*` joined to other
# patterns ("transitive derived table"), and every store runs a plain triple pattern alike.
SUBCLASS_QUERY = "SELECT ?class ?super WHERE { ?class rdfs:subClassOf ?super FILTER(isIRI(?super)) }"

# A person is of each victim category a source lists it under: its own class is given only where all its sources
# agree (convert/records.py), and a query for detainees must still find a person one source lists as such. The
# members of each class and the names are asked class by class and predicate by predicate, each a plain pattern in
# the named graphs, and joined in Python: the join of every record's types to the classes in one query took 38 s
# at 100,000 victims. A name a listing gives (fp:nameAsListed) is also its person's skos:prefLabel or skos:altLabel.
TYPED_QUERY = "SELECT ?entity WHERE {{ GRAPH ?g {{ ?entity a <{type}> }} }}"
LISTED_QUERY = "SELECT ?entity WHERE {{ GRAPH ?g {{ ?listing fp:victimCategory <{type}> ; fp:listingOf ?entity }} }}"
NAMES_QUERY = "SELECT ?entity ?name WHERE {{ GRAPH ?g {{ ?entity {predicate} ?name }} }}"
NAME_PREDICATES = ("skos:prefLabel", "rdfs:label", "skos:altLabel", "dct:title")

# Which name an entity is shown under: its preferred label first.
NAME_RANK = {"skos:prefLabel": 0, "rdfs:label": 1, "dct:title": 2}


def build_index(store: ox.Store, base: str) -> Index:
    """The index of one release: two small SPARQL queries (the types and the class tree), then the members of
    each type and their names, each a plain pattern whose answer is read as text (`solutions`)."""
    types = _types(store)
    members = _members(store, types)
    found = defaultdict(list)
    for predicate in NAME_PREDICATES:
        rank = NAME_RANK.get(predicate, 3)
        for entity, name in solutions(store, NAMES_QUERY.format(predicate=predicate)):
            if (subject := iri(entity)) in members:
                written, language = literal(name)
                found[subject].append((rank, language_rank(language), written))
    entities = {e.id: e for subject, labels in found.items()
                if (e := _entity(subject, labels, members[subject], base))}
    return Index(base, types, entities)


def _types(store: ox.Store) -> dict[str, Type]:
    rows = [(local_name(r["type"].value), r["label"].value, r["broader"]) for r in select(store, TYPES_QUERY)]
    types = {tid: Type(tid, label, (local_name(broader.value),) if broader else ()) for tid, label, broader in rows}
    return dict(sorted(types.items(), key=lambda item: (item[0] not in GENERIC_TYPES, item[0])))


def _members(store: ox.Store, types: dict[str, Type]) -> dict[str, set[str]]:
    """The types of each entity: those of every class it is of, or a listing of it (in the same graph) gives."""
    subclasses = _subclasses(store)
    types_of_class = defaultdict(set)
    for type_id in types:
        for class_iri in subclasses(f"{ONTOLOGY}{type_id}"):
            types_of_class[class_iri].add(type_id)
    members = defaultdict(set)
    for class_iri, type_ids in types_of_class.items():
        for query in (TYPED_QUERY, LISTED_QUERY):
            for (entity,) in solutions(store, query.format(type=class_iri)):
                members[iri(entity)].update(type_ids)
    return members


# ---------------------------------------------------------------- answers read as text
# A SELECT answer in the TSV syntax of SPARQL results, split into rows and values: the engine writes the whole
# answer without Python's lock, and splitting text costs Python a fraction of a term object a value (the quads read
# one by one took about 7 µs each at 100,000 victims, most of it making their terms). Each value is a term as TSV
# writes it: <iri>, _:blank, a literal quoted with tab, line feed, carriage return, quote and backslash escaped,
# then @language or ^^<datatype> (a number or boolean bare), or nothing where its variable is unbound.
TSV = ox.QueryResultsFormat.TSV
TSV_ESCAPE = re.compile(r"\\(.)")
TSV_ESCAPED = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\"}


def solutions(store: ox.Store, query: str) -> list[list[str]]:
    """The rows of the SELECT `query` over the union of the graphs, each its values as TSV writes them."""
    answer = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True).serialize(format=TSV)
    return [line.split("\t") for line in answer.decode("utf-8").split("\n")[1:-1]]  # the variables' line first


def iri(value: str) -> str | None:
    """The IRI a value of `solutions` is; None for a literal, a blank node or none."""
    return value[1:-1] if value.startswith("<") else None


def literal(value: str) -> tuple[str, str]:
    """The lexical form and the language tag ("" for none) of a literal value of `solutions`."""
    if not value.startswith('"'):
        return value, ""  # a number or a boolean in its short form
    end = value.rindex('"')
    text = value[1:end] if "\\" not in value else TSV_ESCAPE.sub(lambda m: TSV_ESCAPED[m[1]], value[1:end])
    return text, value[end + 2:] if value.startswith("@", end + 1) else ""


def term_text(value: str) -> str | None:
    """STR() of a value of `solutions`: an IRI's or a literal's text; None for a blank node (STR of one is an
    error) or none."""
    if not value or value.startswith("_:"):
        return None
    return iri(value) if value.startswith("<") else literal(value)[0]


def _subclasses(store: ox.Store) -> Callable[[str], set[str]]:
    """A class and every class under it (rdfs:subClassOf*, which holds for a class and itself)."""
    narrower = defaultdict(set)
    for row in select(store, SUBCLASS_QUERY):
        narrower[row["super"].value].add(row["class"].value)

    def under(top: str) -> set[str]:
        found, waiting = {top}, [top]
        while waiting:
            for subclass in narrower[waiting.pop()] - found:
                found.add(subclass)
                waiting.append(subclass)
        return found
    return under


def _entity(iri: str, labels: list[tuple[int, int, str]], types: set[str], base: str) -> Entity | None:
    if not iri.startswith(base):
        return None
    ordered = [text for _, _, text in sorted(labels)]
    return Entity(iri[len(base):], iri, ordered[0], tuple(dict.fromkeys(ordered)), frozenset(types))


def language_rank(language: str) -> int:
    """Where a label in `language` (its tag, "" for none) comes among an entity's names: LABEL_LANGUAGES first."""
    language = language.lower()
    return LABEL_LANGUAGES.index(language) if language in LABEL_LANGUAGES else len(LABEL_LANGUAGES)


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def type_json(index: Index, type_id: str) -> dict:
    return {"id": type_id, "name": index.types[type_id].name}


