"""Reconciliation queries and suggestions over a release's index (Reconciliation Service API 0.2).

Scoring: a person's name is compared with `names.score` (spelling, romanization, order and script); other
entities' labels are compared as normalised text. Each query property whose value agrees with the
candidate's adds `PROPERTY_BONUS`; one that disagrees (the candidate has values, none agrees) subtracts
`PROPERTY_PENALTY`. A candidate is a **match** when its name matches (score ≥ `names.MATCH_THRESHOLD`),
no query property disagrees, and no other candidate of the query also qualifies.
"""

import difflib
import heapq
from dataclasses import dataclass, field

import pyoxigraph as ox

from footprints_graph import names
from footprints_graph.releases.reconciliation.index import (
    GENERIC_TYPES,
    Entity,
    Index,
    Label,
    Pool,
    ReconciliationError,
    normalised,
    type_json,
)
from footprints_graph.releases.reconciliation.properties import (
    PROPERTIES,
    Value,
    check_properties,
    date_bounds,
    property_values,
)

PROPERTY_BONUS, PROPERTY_PENALTY = 5.0, 20.0
PREFIX_ALIKE = 2  # a person whose name begins like the prefix by the name rules: after names and words, before ids
DEFAULT_LIMIT, MAX_LIMIT, SUGGEST_PAGE = 10, 100, 10
FULL_SCAN_LIMIT = 5000  # below this many persons, a query whose family name is misspelt still sees everyone


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
    check_properties(pids)
    ranked = {key: _name_candidates(index, query) for key, query in queries.items()}
    values = property_values(store, index, {c.entity.id for cs in ranked.values() for c in cs}, pids)
    return {key: {"result": _result(index, ranked[key], query, values)} for key, query in queries.items()}


def _name_candidates(index: Index, query: dict) -> list[Candidate]:
    text = (query.get("query") or "").strip()
    pool = index.pool(tuple(_types_of(index, query)))
    if not text:  # a query by properties alone: every entity of the type is a candidate
        return [Candidate(e, 0.0) for e in pool.entities]
    if text in index.entities or index.entity_id(text) in index.entities:
        exact = index.entities.get(text) or index.entities[index.entity_id(text)]
        held = exact.id in pool.place if exact.person else exact in pool.others
        return [Candidate(exact, names.EXACT)] if held else []
    wanted = _limit(query) * 3
    persons = _scored_persons(_plausible(index, pool, text, wanted), text)
    scored = persons + _labelled(pool, text, [score for _, score in persons], wanted)
    best = heapq.nsmallest(wanted, scored, key=lambda pair: (-pair[1], pair[0].name))  # sorted()[:wanted], ties kept
    return [Candidate(entity, score) for entity, score in best]


def _types_of(index: Index, query: dict) -> list[str]:
    wanted = query.get("type") or []
    wanted = [wanted] if isinstance(wanted, str) else wanted
    unknown = [t for t in wanted if t not in index.types]
    if unknown:
        raise ReconciliationError(f"unknown type {unknown[0]!r}; known: {', '.join(index.types)}")
    return wanted


def _plausible(index: Index, pool: Pool, text: str, wanted: int) -> list[Entity]:
    """The plausible persons of the pool (every person when there are few, so that a misspelt family name is
    still found), in the pool's order."""
    persons = pool.persons
    if len(persons) > FULL_SCAN_LIMIT:
        allowed = index.plausible(text, wanted)
        persons = [persons[i] for i in sorted(pool.place[a] for a in allowed if a in pool.place)]
    return persons


def _scored_persons(persons: list[Entity], text: str) -> list[tuple[Entity, float]]:
    """Each person with the best score of its names against the text, each name scored once: persons share names
    (at 100,000 synthetic victims, 210,912 names of which 33,509 differ; the 25,223 Kims, whom a query with a misspelt
    given name compares, have 1,510), and names.score took 6 us a name."""
    scores = {name: names.score(text, name) for name in {name for person in persons for name in person.names}}
    return [(person, max(scores[name] for name in person.names)) for person in persons]


def _labelled(pool: Pool, text: str, person_scores: list[float], wanted: int) -> list[tuple[Entity, float]]:
    """The pool's other entities that may be among the `wanted` best candidates, scored by their labels, in the
    pool's order. They are taken by a bound on their score (_label_bound), highest first; once a bound is below
    the `wanted`-th best score so far, neither that entity nor any after it can rank among the best (`wanted`
    others score more), so they are not compared: difflib's comparison of every label with the text (0.35 ms
    each, about 1,000 labels at 100,000 victims) was most of a search's CPU."""
    query = Label.of(text)
    best = heapq.nlargest(wanted, person_scores)
    heapq.heapify(best)  # the `wanted` best scores so far, the least first
    scores: dict[int, float] = {}
    for bound, place in sorted(((_label_bound(query, labels), i) for i, labels in enumerate(pool.labels)),
                               reverse=True):
        if len(best) == wanted and bound < best[0]:
            break
        scores[place] = max(_label_similarity(query.text, label.text) for label in pool.labels[place])
        (heapq.heappushpop if len(best) == wanted else heapq.heappush)(best, scores[place])
    return [(pool.others[i], scores[i]) for i in sorted(scores)]


def _label_bound(query: Label, labels: tuple[Label, ...]) -> float:
    """At least label_score of the text and any of `labels`: difflib's ratio counts characters of both in matching
    blocks, which never outnumber the characters the two have in common (counted with repeats)."""
    return max(names.EXACT if query.text == label.text else _most_alike(query, label) for label in labels)


def _most_alike(query: Label, label: Label) -> float:
    """difflib's ratio (2 × matches / length, scaled as label_score does) were every character in common matched
    (the two texts differ: not both empty)."""
    shared = sum(min(count, label.characters.get(character, 0)) for character, count in query.characters.items())
    return round(names.FUZZY_CEILING * (2.0 * shared / (len(query.text) + len(label.text))), 1)


def label_score(a: str, b: str) -> float:
    """Labels of organisations and documents: 100 when equal once case, accents, punctuation and spacing
    are normalised, else at most 85 by similarity (never a match)."""
    return _label_similarity(normalised(a), normalised(b))


def _label_similarity(x: str, y: str) -> float:
    if x == y:
        return names.EXACT
    return round(names.FUZZY_CEILING * difflib.SequenceMatcher(None, x, y).ratio(), 1)


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
        "type": [type_json(index, t) for t in sorted(entity.types)],
    }


def describe(index: Index, entity: Entity) -> str:
    """A short line to tell namesakes apart: the entity's specific types and other names."""
    specific = sorted(index.types[t].name for t in entity.types if t not in GENERIC_TYPES)
    others = [n for n in entity.names if n != entity.name][:3]
    return "; ".join(filter(None, [", ".join(specific), " / ".join(others)]))


# ---------------------------------------------------------------- suggest


def suggest_entities(index: Index, prefix: str, cursor: int) -> list[dict]:
    """Entities whose name begins with the prefix, then those with a word that does, then persons whose name
    begins like it by the name rules, then ids (each looked up in the index's ordered beginnings)."""
    wanted = prefix.strip().casefold()
    if not wanted:
        return []
    ranks = index.beginning_with(wanted)
    for entity_id in index.named_alike(prefix.strip()):
        ranks[entity_id] = min(ranks.get(entity_id, PREFIX_ALIKE), PREFIX_ALIKE)
    hits = sorted((rank, index.entities[i].name, i) for i, rank in ranks.items())
    page = hits[cursor: cursor + SUGGEST_PAGE]
    return [_suggestion(index, index.entities[i]) for _, _, i in page]


def _suggestion(index: Index, entity: Entity) -> dict:
    entry = {"id": entity.id, "name": entity.name, "notable": [type_json(index, t) for t in sorted(entity.types)]}
    description = describe(index, entity)
    return {**entry, "description": description} if description else entry


def suggest_types(index: Index, prefix: str, cursor: int) -> list[dict]:
    wanted = prefix.strip().casefold()
    hits = [t for t in index.types.values() if _starts(wanted, t.id, t.name)]
    return [t.as_json(index.types) for t in hits[cursor: cursor + SUGGEST_PAGE]]


def suggest_properties(prefix: str, cursor: int) -> list[dict]:
    wanted = prefix.strip().casefold()
    hits = [p for p in PROPERTIES.values() if _starts(wanted, p.id, p.name)]
    return [p.as_json() for p in hits[cursor: cursor + SUGGEST_PAGE]]


def _starts(wanted: str, *texts: str) -> bool:
    return any(text.casefold().startswith(wanted) for text in texts)


