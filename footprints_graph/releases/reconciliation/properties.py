"""Properties of reconcilable entities: their values for query matching, data extension (Reconciliation
Service API 0.2) and previews, each property one SPARQL pattern asked only of the entities a request concerns.
Property ids are local names in the ontology namespace (`creditedTo`).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import pyoxigraph as ox

from footprints_graph.convert.values import PARTIAL_DATE
from footprints_graph.releases.reconciliation.index import (
    GENERIC_TYPES,
    Index,
    ReconciliationError,
    language_rank,
    local_name,
    select,
    type_json,
)

XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


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
    Property("actDateBasis", "date basis of act", ("Victim",), "concept", ACT + " ?act fp:dateBasis ?value .",
             "How the date of act is known: stated by the source, or only the legal window of the category"),
    # exact and close matches apart: a close match is a partner's guess, not the same record
    Property("sameAs", "same as", GENERIC_TYPES, "iri", "?s owl:sameAs|skos:exactMatch ?value .",
             "Links to the same thing elsewhere (Wikidata, partner archives)"),
    Property("closeMatch", "close match", GENERIC_TYPES, "iri", "?s skos:closeMatch ?value .",
             "Links to what a partner archive believes, without certainty, is the same"),
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
    for row in select(store, VALUES_QUERY % (iris, pattern)):
        label = row["label"]
        shown = (language_rank(label.language or ""), label.value) if label else (9, "")
        labels[(row["s"].value, row["value"])].append(shown)
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
    name = label or local_name(term.value)
    return Value({"str": name}, frozenset({name.casefold(), local_name(term.value).casefold(), term.value.casefold()}))


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


def check_properties(pids: Iterable[str]) -> None:
    unknown = sorted(set(pids) - set(PROPERTIES))
    if unknown:
        raise ReconciliationError(f"unknown property {unknown[0]!r}; known: {', '.join(PROPERTIES)}")


def propose_properties(index: Index, type_id: str, limit: int | None) -> dict:
    if type_id not in index.types:
        raise ReconciliationError(f"unknown type {type_id!r}; known: {', '.join(index.types)}")
    proposed = [p.as_json() for p in properties_for(index, [type_id])][: limit or None]
    return {"type": type_id, "properties": proposed, **({"limit": limit} if limit else {})}


def extend(store: ox.Store, index: Index, query: dict) -> dict:
    """A data extension response for a data extension query (already validated against its schema)."""
    pids = [p["id"] for p in query["properties"]]
    check_properties(pids)
    values = property_values(store, index, query["ids"], pids)
    rows = {i: {pid: [v.cell for v in values.get(i, {}).get(pid, [])] for pid in pids} for i in query["ids"]}
    return {"meta": [_meta(PROPERTIES[pid], index) for pid in pids], "rows": rows}


def _meta(prop: Property, index: Index) -> dict:
    entry = {"id": prop.id, "name": prop.name}
    return {**entry, "type": type_json(index, prop.value_type)} if prop.value_type else entry


@dataclass(frozen=True)
class Preview:
    """What OpenRefine's preview iframe shows of an entity (the endpoint renders it as HTML)."""

    name: str
    iri: str
    types: str  # its types' names, comma-separated
    rows: list[tuple[str, str]]  # (property name, the values as text)


def preview(store: ox.Store, index: Index, entity_id: str) -> Preview | None:
    """A summary of an entity, its properties with values; None if there is no such entity."""
    entity = index.entities.get(entity_id)
    if entity is None:
        return None
    props = properties_for(index, entity.types)
    values = property_values(store, index, [entity_id], [p.id for p in props]).get(entity_id, {})
    rows = [(p.name, ", ".join(_shown(v) for v in values[p.id])) for p in props if values.get(p.id)]
    return Preview(entity.name, entity.iri, ", ".join(sorted(index.types[t].name for t in entity.types)), rows)


def _shown(value: Value) -> str:
    """A value as text: an entity by name, a date as its day."""
    return value.cell.get("name") or value.cell.get("str") or value.cell.get("date", "")[:10]
