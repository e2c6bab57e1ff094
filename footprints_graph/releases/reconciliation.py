"""Reconciliation over one release: the name index, candidate scoring, property values, data extension and
previews of the W3C Entity Reconciliation CG's Reconciliation Service API 0.2. The HTTP side (manifest,
JSONP, CORS, routes) is `endpoint/reconcile.py`.

Entities are our persons (type `Victim` and the victim categories), organisations and source documents.
An entity's id is its IRI relative to the base (`person/kim-jung-wook`); types and properties are local
names in the ontology namespace (`Detainee`, `creditedTo`). Everything comes from the store by SPARQL: one
pass builds a name index per release (cached by the caller under the build id), and each batch of
queries, preview or extension asks only for the values of the entities it concerns.

Scoring: a person's name is compared with `names.score` (spelling, romanization, order and script); other
entities' labels are compared as normalised text. Each query property whose value agrees with the
candidate's adds `PROPERTY_BONUS`; one that disagrees (the candidate has values, none agrees) subtracts
`PROPERTY_PENALTY`. A candidate is a **match** when its name matches (score ≥ `names.MATCH_THRESHOLD`),
no query property disagrees, and no other candidate of the query also qualifies.
"""

import difflib
import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pyoxigraph as ox

from footprints_graph import names
from footprints_graph.convert.values import PARTIAL_DATE
from footprints_graph.iris import ONTOLOGY
from footprints_graph.iris import PREFIXES

PROPERTY_BONUS, PROPERTY_PENALTY = 5.0, 20.0
DEFAULT_LIMIT, MAX_LIMIT, SUGGEST_PAGE = 10, 100, 10
FULL_SCAN_LIMIT = 5000  # below this many persons, a query whose family name is misspelt still sees everyone
GENERIC_TYPES = ("Victim", "Organisation", "SourceDocument")
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
LABEL_LANGUAGES = ("en", "ko-latn", "ko")  # which label to show first


class ReconciliationError(ValueError):
    """A request the service cannot answer as asked (unknown type, property or malformed value)."""


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


@dataclass
class Index:
    """Every reconcilable entity of one release with its names and types, and lookups built once: the
    entities of each type; the persons by the family-name keys their names can have, and by family name and
    given-name syllable (so that a query scores only plausible candidates)."""

    base: str
    types: dict[str, Type]
    entities: dict[str, Entity]
    by_type: dict[str, list[Entity]] = field(default_factory=dict)
    by_family: dict[str, set[str]] = field(default_factory=dict)
    by_syllable: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entity in self.entities.values():
            for type_id in entity.types:
                self.by_type.setdefault(type_id, []).append(entity)
            for reading in (r for n in entity.names for r in names.parse(n)) if entity.person else ():
                self.by_family.setdefault(reading.keys[0], set()).add(entity.id)
                for syllable in _syllables(reading):
                    self.by_syllable.setdefault((reading.keys[0], syllable), set()).add(entity.id)

    def plausible(self, text: str, wanted: int) -> set[str]:
        """Persons who share the query's family name and a syllable of its given name; all who share the
        family name when that finds fewer than `wanted`."""
        readings = names.parse(text)
        shared = set().union(*(self.by_syllable.get((r.keys[0], s), set()) for r in readings for s in _syllables(r)))
        return shared if len(shared) >= wanted else set().union(*(self.by_family.get(r.keys[0], set()) for r in readings))

    def entity_id(self, iri: str) -> str | None:
        return iri[len(self.base):] if iri.startswith(self.base) else None


def _syllables(reading: names.ParsedName) -> set[str]:
    """The keys of a given name's syllables and of the whole given name (for names written run together)."""
    return {*reading.syllable_keys, reading.keys[1]}


def _select(store: ox.Store, query: str) -> Iterable[ox.QuerySolution]:
    return store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)


TYPES_QUERY = """
SELECT ?type ?label ?broader WHERE {
  { VALUES ?type { fp:Victim fp:Organisation fp:SourceDocument } }
  UNION { ?type skos:inScheme fpv:victim-categories . BIND(fp:Victim AS ?broader) }
  ?type rdfs:label ?label FILTER(langMatches(lang(?label), "en"))
}"""

# The two queries that read every record name their graphs (GRAPH ?g) rather than use the union default
# graph, and leave duplicates to Python: several times faster on Oxigraph for 100,000 records.
MEMBERS_QUERY = """
SELECT ?s ?type WHERE { VALUES ?type { %s } ?class rdfs:subClassOf* ?type . GRAPH ?g { ?s a ?class } }"""

# A name a listing gives (fp:nameAsListed) is also its person's skos:prefLabel or skos:altLabel.
NAMES_QUERY = """
SELECT ?s ?p ?name WHERE { VALUES ?p { skos:prefLabel rdfs:label skos:altLabel dct:title } GRAPH ?g { ?s ?p ?name } }"""

# Which name an entity is shown under: its preferred label first.
NAME_RANK = {f"{PREFIXES['skos']}prefLabel": 0, f"{PREFIXES['rdfs']}label": 1, f"{PREFIXES['dct']}title": 2}


def build_index(store: ox.Store, base: str) -> Index:
    """The index of one release: three SPARQL queries over the whole store."""
    types = _types(store)
    members = _members(store, types)
    found = defaultdict(list)
    for row in _select(store, NAMES_QUERY):
        if row["s"].value in members:
            found[row["s"].value].append((NAME_RANK.get(row["p"].value, 3), _language_rank(row["name"]), row["name"].value))
    entities = {e.id: e for iri, labels in found.items() if (e := _entity(iri, labels, members[iri], base))}
    return Index(base, types, entities)


def _types(store: ox.Store) -> dict[str, Type]:
    rows = [(_local(r["type"].value), r["label"].value, r["broader"]) for r in _select(store, TYPES_QUERY)]
    types = {tid: Type(tid, label, (_local(broader.value),) if broader else ()) for tid, label, broader in rows}
    return dict(sorted(types.items(), key=lambda item: (item[0] not in GENERIC_TYPES, item[0])))


def _members(store: ox.Store, types: dict[str, Type]) -> dict[str, set[str]]:
    values = " ".join(f"<{ONTOLOGY}{t}>" for t in types)
    members = defaultdict(set)
    for row in _select(store, MEMBERS_QUERY % values):
        members[row["s"].value].add(_local(row["type"].value))
    return members


def _entity(iri: str, labels: list[tuple[int, int, str]], types: set[str], base: str) -> Entity | None:
    if not iri.startswith(base):
        return None
    ordered = [text for _, _, text in sorted(labels)]
    return Entity(iri[len(base):], iri, ordered[0], tuple(dict.fromkeys(ordered)), frozenset(types))


def _language_rank(literal: ox.Literal) -> int:
    language = (literal.language or "").lower()
    return LABEL_LANGUAGES.index(language) if language in LABEL_LANGUAGES else len(LABEL_LANGUAGES)


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


# ---------------------------------------------------------------- properties


@dataclass(frozen=True)
class Property:
    """A property for query matching, data extension and previews. `pattern` binds ?value for ?s."""

    id: str
    name: str
    applies_to: tuple[str, ...]
    kind: str  # entity | concept | text | iri | date | interval
    pattern: str
    description: str = ""
    value_type: str = ""  # for entity values: the type of the entities

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "description": self.description} if self.description else \
            {"id": self.id, "name": self.name}


# FILTER EXISTS, not a join, for the act types: Oxigraph would otherwise start from the scheme and scan
# every event (seconds instead of milliseconds for thousands of persons).
ACT = "?act fp:victim ?s ; a ?type FILTER EXISTS { ?type skos:inScheme fpv:act-types }"
ACT_DATES = ACT + """
  OPTIONAL { ?act fp:date ?date } OPTIONAL { ?act fp:startDate ?start } OPTIONAL { ?act fp:endDate ?end }
  BIND(COALESCE(STR(?date), CONCAT(COALESCE(STR(?start), ".."), "/", COALESCE(STR(?end), ".."))) AS ?value)"""

PROPERTIES = {p.id: p for p in (
    Property("victimCategory", "victim category", ("Victim",), "concept", "?s fp:victimCategory ?value ."),
    Property("creditedTo", "credited organisation", ("Victim",), "entity", "?s fp:creditedTo ?value .",
             "The organisation a source credits for the record", "Organisation"),
    Property("act", "act", ("Victim",), "concept", ACT + " BIND(?type AS ?value)"),
    Property("actDate", "date of act", ("Victim",), "interval", ACT_DATES,
             "A date (2013-10) or a range (1950-06-25/1953-07-27; '..' is open), as precise as the source"),
    Property("status", "status", ("Victim",), "concept", "?assessment fp:statusOf ?s ; fp:status ?value ."),
    Property("statusAsOf", "status as of", ("Victim",), "date", "?assessment fp:statusOf ?s ; fp:asOf ?value ."),
    Property("source", "source document", GENERIC_TYPES, "entity", "?s dct:source ?value .",
             "The document that states the record", "SourceDocument"),
    Property("altLabel", "alternative names", GENERIC_TYPES, "text", "?s skos:altLabel ?value ."),
    Property("sameAs", "same as", GENERIC_TYPES, "iri", "?s owl:sameAs|skos:exactMatch|skos:closeMatch ?value .",
             "Links to the same thing elsewhere (Wikidata, partner archives)"),
    Property("organisationType", "organisation type", ("Organisation",), "concept", "?s fp:organisationType ?value ."),
    Property("partOf", "part of", ("Organisation",), "entity", "?s schema:parentOrganization ?value .",
             "The larger organisation", "Organisation"),
    Property("documentType", "document type", ("SourceDocument",), "concept", "?s fp:documentType ?value ."),
    Property("publisher", "publisher", ("SourceDocument",), "entity", "?s dct:publisher ?value .",
             "The organisation that publishes the document", "Organisation"),
    Property("issued", "date issued", ("SourceDocument",), "date", "?s dct:issued ?value ."),
    Property("unDocumentSymbol", "UN document symbol", ("SourceDocument",), "text", "?s fp:unDocumentSymbol ?value ."),
    Property("url", "web address", ("Organisation", "SourceDocument"), "iri", "?s schema:url ?value ."),
)}

VALUES_QUERY = """
SELECT DISTINCT ?s ?value ?label WHERE {
  VALUES ?s { %s }
  %s
}"""
LABELLED_KINDS = ("entity", "concept")  # their values are IRIs shown by their labels
LABEL = "OPTIONAL { ?value skos:prefLabel|rdfs:label ?label }"


@dataclass(frozen=True)
class Value:
    """One property value: its data-extension cell, the strings a query value may equal, its date bounds."""

    cell: dict
    keys: frozenset[str]
    bounds: tuple[date, date] | None = None


Values = dict[str, dict[str, list[Value]]]  # entity id → property id → values


def property_values(store: ox.Store, index: Index, ids: Iterable[str], pids: Iterable[str]) -> Values:
    """{entity id: {property id: [Value]}}, one SPARQL query per property."""
    iris = " ".join(f"<{index.entities[i].iri}>" for i in sorted(set(ids)) if i in index.entities)
    found: Values = defaultdict(lambda: defaultdict(list))
    for pid in sorted(set(pids)):
        for iri, values in (_values_of(store, index, PROPERTIES[pid], iris) if iris else {}).items():
            found[index.entity_id(iri)][pid] = values
    return found


def _values_of(store: ox.Store, index: Index, prop: Property, iris: str) -> dict[str, list[Value]]:
    labels = defaultdict(list)
    pattern = f"{prop.pattern} {LABEL}" if prop.kind in LABELLED_KINDS else prop.pattern
    for row in _select(store, VALUES_QUERY % (iris, pattern)):
        label = row["label"]
        labels[(row["s"].value, row["value"])].append((_language_rank(label), label.value) if label else (9, ""))
    found = defaultdict(list)
    for (iri, term), ranked in sorted(labels.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        found[iri].append(VALUE_KINDS[prop.kind](term, min(ranked)[1], index))
    return found


def _entity_value(term, label: str, index: Index) -> Value:
    local = index.entity_id(term.value)
    if local is None:
        return _iri_value(term, label, index)
    name = label or local
    return Value({"id": local, "name": name}, frozenset({local.casefold(), name.casefold(), term.value.casefold()}))


def _concept_value(term, label: str, _index: Index) -> Value:
    name = label or _local(term.value)
    return Value({"str": name}, frozenset({name.casefold(), _local(term.value).casefold(), term.value.casefold()}))


def _text_value(term, _label: str, _index: Index) -> Value:
    return Value({"str": term.value}, frozenset({term.value.casefold()}))


def _iri_value(term, _label: str, _index: Index) -> Value:
    return Value({"str": term.value}, frozenset({term.value.casefold()}))


def _date_value(term, _label: str, _index: Index) -> Value:
    text = term.value
    full = getattr(term, "datatype", None) is not None and term.datatype.value == XSD_DATE
    cell = {"date": f"{text}T00:00:00Z"} if full else {"str": text}
    return Value(cell, frozenset({text}), date_bounds(text))


def _interval_value(term, _label: str, _index: Index) -> Value:
    start, _, end = term.value.partition("/")
    low = date_bounds(start)[0] if start not in ("", "..") else date.min
    high = date_bounds(end or start)[1] if (end or start) not in ("", "..") else date.max
    return Value({"str": term.value}, frozenset({term.value}), (low, high))


VALUE_KINDS = {"entity": _entity_value, "concept": _concept_value, "text": _text_value, "iri": _iri_value,
               "date": _date_value, "interval": _interval_value}


def date_bounds(text: str) -> tuple[date, date] | None:
    """The first and last day a partial date can mean: '2013-10' → (2013-10-01, 2013-10-31)."""
    found = PARTIAL_DATE.match(text.strip())
    if not found or found.group(1).startswith("-"):
        return None
    year, month, day = (int(g) if g else None for g in found.groups())
    try:
        if day:
            return date(year, month, day), date(year, month, day)
        if month:
            following = date(year + month // 12, month % 12 + 1, 1)
            return date(year, month, 1), following - timedelta(days=1)
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


def properties_for(index: Index, type_ids: Iterable[str]) -> list[Property]:
    """The properties that apply to entities of these types (a category inherits its broader type's)."""
    wanted = set()
    for tid in type_ids:
        wanted |= {tid, *index.types[tid].broader} if tid in index.types else set()
    return [p for p in PROPERTIES.values() if wanted & set(p.applies_to)]


# ---------------------------------------------------------------- reconciliation queries


@dataclass
class Candidate:
    entity: Entity
    name_score: float
    score: float = 0.0
    features: list[dict] = field(default_factory=list)
    contradicted: bool = False


def reconcile(store: ox.Store, index: Index, queries: dict[str, dict]) -> dict[str, dict]:
    """A reconciliation result batch for a query batch (already validated against the query schema)."""
    pids = {prop["pid"] for query in queries.values() for prop in query.get("properties", [])}
    _check_properties(pids)
    ranked = {key: _name_candidates(index, query) for key, query in queries.items()}
    values = property_values(store, index, {c.entity.id for cs in ranked.values() for c in cs}, pids)
    return {key: {"result": _result(index, ranked[key], query, values)} for key, query in queries.items()}


def _check_properties(pids: Iterable[str]) -> None:
    unknown = sorted(set(pids) - set(PROPERTIES))
    if unknown:
        raise ReconciliationError(f"unknown property {unknown[0]!r}; known: {', '.join(PROPERTIES)}")


def _name_candidates(index: Index, query: dict) -> list[Candidate]:
    text = (query.get("query") or "").strip()
    pool = _typed(index, _types_of(index, query))
    if not text:  # a query by properties alone: every entity of the type is a candidate
        return [Candidate(e, 0.0) for e in pool]
    if text in index.entities or index.entity_id(text) in index.entities:
        exact = index.entities.get(text) or index.entities[index.entity_id(text)]
        return [Candidate(exact, names.EXACT)] if exact.id in {e.id for e in pool} else []
    scored = [Candidate(e, _name_score(e, text)) for e in _blocked(index, pool, text, _limit(query) * 3)]
    return sorted(scored, key=lambda c: (-c.name_score, c.entity.name))[: _limit(query) * 3]


def _types_of(index: Index, query: dict) -> list[str]:
    wanted = query.get("type") or []
    wanted = [wanted] if isinstance(wanted, str) else wanted
    unknown = [t for t in wanted if t not in index.types]
    if unknown:
        raise ReconciliationError(f"unknown type {unknown[0]!r}; known: {', '.join(index.types)}")
    return wanted


def _typed(index: Index, type_ids: list[str]) -> list[Entity]:
    if not type_ids:
        return list(index.entities.values())
    return list({e.id: e for t in type_ids for e in index.by_type.get(t, [])}.values())


def _blocked(index: Index, pool: list[Entity], text: str, wanted: int) -> list[Entity]:
    """The plausible persons of the pool (every person when there are few, so that a misspelt family name is
    still found), and every other entity of the pool."""
    persons = [e for e in pool if e.person]
    if len(persons) > FULL_SCAN_LIMIT:
        allowed = index.plausible(text, wanted)
        persons = [e for e in persons if e.id in allowed]
    return persons + [e for e in pool if not e.person]


def _name_score(entity: Entity, text: str) -> float:
    score = names.score if entity.person else label_score
    return max(score(text, name) for name in entity.names)


def label_score(a: str, b: str) -> float:
    """Labels of organisations and documents: 100 when equal once case, accents, punctuation and spacing
    are normalised, else at most 85 by similarity (never a match)."""
    x, y = _normalised(a), _normalised(b)
    if x == y:
        return names.EXACT
    return round(names.FUZZY_CEILING * difflib.SequenceMatcher(None, x, y).ratio(), 1)


def _normalised(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).casefold()
    return " ".join(re.findall(r"\w+", "".join(c for c in folded if not unicodedata.combining(c))))


def _limit(query: dict) -> int:
    return max(1, min(int(query.get("limit") or DEFAULT_LIMIT), MAX_LIMIT))


def _result(index: Index, candidates: list[Candidate], query: dict, values: dict) -> list[dict]:
    for candidate in candidates:
        _apply_properties(candidate, query.get("properties", []), values.get(candidate.entity.id, {}))
    ranked = sorted(candidates, key=lambda c: (-c.score, -c.name_score, c.entity.name, c.entity.id))
    matching = [c for c in ranked if c.name_score >= names.MATCH_THRESHOLD and not c.contradicted]
    return [_candidate_json(index, c, len(matching) == 1 and c is matching[0]) for c in ranked[: _limit(query)]]


def _apply_properties(candidate: Candidate, props: list[dict], values: dict[str, list[Value]]) -> None:
    score = candidate.name_score
    candidate.features = [{"id": "name", "value": candidate.name_score}]
    for prop in props:
        held = values.get(prop["pid"], [])
        agrees = any(_agrees(value, wanted) for value in held for wanted in _as_list(prop["v"]))
        score += PROPERTY_BONUS if agrees else (-PROPERTY_PENALTY if held else 0.0)
        candidate.contradicted |= bool(held) and not agrees
        candidate.features.append({"id": f"property:{prop['pid']}", "value": agrees})
    candidate.score = round(max(0.0, min(100.0, score)), 1)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _agrees(value: Value, wanted) -> bool:
    text = _query_text(wanted)
    if text.casefold() in value.keys:
        return True
    bounds = date_bounds(text)
    return bool(bounds and value.bounds and bounds[0] <= value.bounds[1] and value.bounds[0] <= bounds[1])


def _query_text(wanted) -> str:
    """A query property value as text: an entity by its id, a number without a trailing '.0'."""
    if isinstance(wanted, dict):
        return str(wanted.get("id", ""))
    if isinstance(wanted, bool):
        return str(wanted).lower()
    if isinstance(wanted, float) and wanted.is_integer():
        return str(int(wanted))
    return str(wanted).strip()


def _candidate_json(index: Index, candidate: Candidate, match: bool) -> dict:
    entity = candidate.entity
    return {
        "id": entity.id, "name": entity.name, "description": describe(index, entity),
        "score": candidate.score, "features": candidate.features, "match": match,
        "type": [_type_json(index, t) for t in sorted(entity.types)],
    }


def describe(index: Index, entity: Entity) -> str:
    """A short line to tell namesakes apart: the entity's specific types and other names."""
    specific = sorted(index.types[t].name for t in entity.types if t not in GENERIC_TYPES)
    others = [n for n in entity.names if n != entity.name][:3]
    return "; ".join(filter(None, [", ".join(specific), " / ".join(others)]))


# ---------------------------------------------------------------- suggest, extend, preview


def suggest_entities(index: Index, prefix: str, cursor: int) -> list[dict]:
    wanted = prefix.strip().casefold()
    hits = sorted((rank, e.name, e.id) for e in index.entities.values() if (rank := _prefix_rank(e, wanted)) is not None)
    page = hits[cursor: cursor + SUGGEST_PAGE]
    return [_suggestion(index, index.entities[i]) for _, _, i in page]


def _prefix_rank(entity: Entity, wanted: str) -> int | None:
    """0 when a name starts with the prefix, 1 when a word of a name does, 2 for the id; None otherwise."""
    if not wanted:
        return None
    if any(n.casefold().startswith(wanted) for n in entity.names):
        return 0
    if any(w.startswith(wanted) for n in entity.names for w in re.split(r"[\s\-]+", n.casefold())):
        return 1
    return 2 if entity.id.startswith(wanted) else None


def _suggestion(index: Index, entity: Entity) -> dict:
    entry = {"id": entity.id, "name": entity.name, "notable": [_type_json(index, t) for t in sorted(entity.types)]}
    description = describe(index, entity)
    return {**entry, "description": description} if description else entry


def suggest_types(index: Index, prefix: str, cursor: int) -> list[dict]:
    wanted = prefix.strip().casefold()
    hits = [t for t in index.types.values() if t.id.casefold().startswith(wanted) or t.name.casefold().startswith(wanted)]
    return [t.as_json(index.types) for t in hits[cursor: cursor + SUGGEST_PAGE]]


def suggest_properties(prefix: str, cursor: int) -> list[dict]:
    wanted = prefix.strip().casefold()
    hits = [p for p in PROPERTIES.values() if p.id.casefold().startswith(wanted) or p.name.casefold().startswith(wanted)]
    return [p.as_json() for p in hits[cursor: cursor + SUGGEST_PAGE]]


def propose_properties(index: Index, type_id: str, limit: int | None) -> dict:
    if type_id not in index.types:
        raise ReconciliationError(f"unknown type {type_id!r}; known: {', '.join(index.types)}")
    proposed = [p.as_json() for p in properties_for(index, [type_id])][: limit or None]
    return {"type": type_id, "properties": proposed, **({"limit": limit} if limit else {})}


def extend(store: ox.Store, index: Index, query: dict) -> dict:
    """A data extension response for a data extension query (already validated against its schema)."""
    pids = [p["id"] for p in query["properties"]]
    _check_properties(pids)
    values = property_values(store, index, query["ids"], pids)
    rows = {i: {pid: [v.cell for v in values.get(i, {}).get(pid, [])] for pid in pids} for i in query["ids"]}
    return {"meta": [_meta(PROPERTIES[pid], index) for pid in pids], "rows": rows}


def _meta(prop: Property, index: Index) -> dict:
    entry = {"id": prop.id, "name": prop.name}
    return {**entry, "type": _type_json(index, prop.value_type)} if prop.value_type else entry


def _type_json(index: Index, type_id: str) -> dict:
    return {"id": type_id, "name": index.types[type_id].name}


def preview(store: ox.Store, index: Index, entity_id: str) -> str | None:
    """An HTML snippet summarising an entity, for an iframe in OpenRefine; None if there is no such entity."""
    entity = index.entities.get(entity_id)
    if entity is None:
        return None
    props = properties_for(index, entity.types)
    values = property_values(store, index, [entity_id], [p.id for p in props]).get(entity_id, {})
    rows = "".join(_preview_row(p, values[p.id]) for p in props if values.get(p.id))
    types = ", ".join(sorted(index.types[t].name for t in entity.types))
    return PREVIEW_PAGE.format(name=html.escape(entity.name), iri=html.escape(entity.iri), types=html.escape(types),
                               rows=rows)


def _preview_row(prop: Property, values: list[Value]) -> str:
    shown = ", ".join(html.escape(_shown(v)) for v in values)
    return f"<dt>{html.escape(prop.name)}</dt><dd>{shown}</dd>"


def _shown(value: Value) -> str:
    """A value as text: an entity by name, a date as its day."""
    return value.cell.get("name") or value.cell.get("str") or value.cell.get("date", "")[:10]


PREVIEW_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{name}</title>
<style>body{{font:13px/1.4 sans-serif;margin:6px}} h1{{font-size:15px;margin:0 0 4px}}
dt{{color:#555;float:left;clear:left;width:9em}} dd{{margin:0 0 2px 9.5em}}</style>
</head><body><h1><a href="{iri}" target="_blank">{name}</a></h1><p>{types}</p><dl>{rows}</dl></body></html>
"""
