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
# members of each class, and the names, are read off the store's quads by predicate and object in the named graphs
# (as `GRAPH ?g`), not by SPARQL: the join of every record's types to the classes took 38 s at 100,000 victims.
#   members: { GRAPH ?g { ?s a ?class } } UNION { GRAPH ?g { ?listing fp:listingOf ?s ; fp:victimCategory ?class } }
#   names:   GRAPH ?g { ?s ?p ?name }, ?p one of NAME_PREDICATES
# A name a listing gives (fp:nameAsListed) is also its person's skos:prefLabel or skos:altLabel.
Term = ox.NamedNode | ox.BlankNode | ox.Literal  # what a quad's object can be
NAME_PREDICATES = ("skos:prefLabel", "rdfs:label", "skos:altLabel", "dct:title")

# Which name an entity is shown under: its preferred label first.
NAME_RANK = {f"{PREFIXES['skos']}prefLabel": 0, f"{PREFIXES['rdfs']}label": 1, f"{PREFIXES['dct']}title": 2}


def build_index(store: ox.Store, base: str) -> Index:
    """The index of one release: two small SPARQL queries (the types and the class tree), then the members of
    each type and their names read off the store's quads."""
    types = _types(store)
    members = _members(store, types)
    found = defaultdict(list)
    for predicate in NAME_PREDICATES:
        rank = NAME_RANK.get(prefixed(predicate).value, 3)
        for quad in named(statements(store, predicate)):
            if (subject := quad.subject.value) in members:
                found[subject].append((rank, language_rank(quad.object), quad.object.value))
    entities = {e.id: e for iri, labels in found.items() if (e := _entity(iri, labels, members[iri], base))}
    return Index(base, types, entities)


def prefixed(name: str) -> ox.NamedNode:
    """The IRI a prefixed name of PREFIXES stands for (`skos:prefLabel`)."""
    prefix, local = name.split(":", 1)
    return ox.NamedNode(PREFIXES[prefix] + local)


def statements(store: ox.Store, predicate: str, value: Term | None = None) -> Iterator[ox.Quad]:
    """Every quad of `predicate` (a prefixed name), with the object `value` if given, in any graph: read off the
    store's index by predicate, not joined by SPARQL."""
    return store.quads_for_pattern(None, prefixed(predicate), value)


def named(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads in named graphs (what `GRAPH ?g` matches), not the default graph."""
    return (quad for quad in quads if not isinstance(quad.graph_name, ox.DefaultGraph))


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
            types_of_class[class_iri].add(local_name(f"{ONTOLOGY}{type_id}"))
    listed = defaultdict(list)  # (listing, graph) → the persons it lists
    for quad in named(statements(store, "fp:listingOf")):
        listed[(quad.subject, quad.graph_name)].append(quad.object.value)
    members = defaultdict(set)
    for class_iri, type_ids in types_of_class.items():
        for quad in named(statements(store, "rdf:type", ox.NamedNode(class_iri))):
            members[quad.subject.value].update(type_ids)
        for quad in named(statements(store, "fp:victimCategory", ox.NamedNode(class_iri))):
            for person in listed.get((quad.subject, quad.graph_name), ()):
                members[person].update(type_ids)
    return members


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


def language_rank(literal: ox.Literal) -> int:
    language = (literal.language or "").lower()
    return LABEL_LANGUAGES.index(language) if language in LABEL_LANGUAGES else len(LABEL_LANGUAGES)


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def type_json(index: Index, type_id: str) -> dict:
    return {"id": type_id, "name": index.types[type_id].name}


