"""A shape result's path in the words of the record tables, for records that came from a table: a contributor
who filled in people.csv reads `events.csv: person, event_type` (add an events row naming this person, of an
act type), not `^fp:victim/rdf:type/skos:inScheme`, and `date | start_date | end_date`, not
`fp:date|fp:startDate|fp:endDate`.

The columns come from the converter's own tables (convert/records.py): a predicate names the column that
makes it, in the record's table; an inverse step (^p) names the table whose rows point here with p.
"""

from functools import cache

from rdflib import RDFS, SKOS

from footprints_graph.convert.records import LISTING_COLUMNS, PEOPLE, TABLES
from footprints_graph.iris import DECLARED_PREFIXES
from footprints_graph.vocab import FP

# A person's own triples, made from its people.csv rows beside the listing's columns (convert/records._person)
PERSON_COLUMNS = {str(RDFS.label): "name", str(SKOS.prefLabel): "name", str(SKOS.altLabel): "alt_names",
                  str(FP.restricted): "restricted"}
IRI_KINDS = {"person": PEOPLE.kind, "listing": PEOPLE.kind, **{t.iri_kind: t.spec.kind for t in TABLES}}


@cache
def _columns() -> dict[str, dict[str, str]]:
    """table → {predicate IRI: column name}."""
    tables = {t.spec.kind: {str(p): c.name for c in t.columns for p in c.predicates} for t in TABLES}
    people = {str(p): c.name for c in LISTING_COLUMNS for p in c.predicates}
    return {**tables, PEOPLE.kind: {**people, **PERSON_COLUMNS}}


def table_of(record_iri: str, base: str) -> str | None:
    """The table a record of our IRI space is a row of (people for a person or a listing)."""
    kind = record_iri.removeprefix(base).split("/", 1)[0] if record_iri.startswith(base) else None
    return IRI_KINDS.get(kind)


def path_in_columns(path: str, table: str) -> str | None:
    """`path` (as the report writes it: prefixed names, / between steps, | between alternatives, ^ inverse)
    as the columns that fill it, starting from `table`; None when no step is a column."""
    words, current = [], table
    for step in path.split("/"):
        names = []
        for alternative in step.split("|"):
            found, current_after = _step(alternative.strip(), current)
            if found:
                names.append(found)
                current = current_after
        words.append(" | ".join(names))
    said = ", ".join(w for w in words if w)
    return said or None


def _step(name: str, table: str) -> tuple[str | None, str]:
    inverse = name.startswith("^")
    predicate = _expand(name.removeprefix("^"))
    if not inverse:
        return _columns().get(table, {}).get(predicate), table
    pointing = next(((t, c[predicate]) for t, c in _columns().items() if predicate in c and t != table), None)
    return (f"{pointing[0]}.csv: {pointing[1]}", pointing[0]) if pointing else (None, table)


def _expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return DECLARED_PREFIXES[prefix] + local if prefix in DECLARED_PREFIXES else name
