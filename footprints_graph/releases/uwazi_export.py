"""Back to Uwazi: a release as Uwazi CSV import files, so an Uwazi-based archive can import our records
enriched with what the graph knows (categories, acts and their dates, statuses, credited organisations,
sources, links to other datasets).

`export_uwazi(store, out)` writes, following Uwazi's CSV import conventions (shared/uwazi-samples/README.md):

    victims.csv, organisations.csv, documents.csv   one file per template
    templates.json, thesauri.json                   the templates and thesauri the files assume
                                                    (the /api/templates and /api/dictionaries shapes)

Headers are the property labels (Uwazi matches their safe names); `Title__en` holds the romanized name or
English label and `Title__ko` the Hangul one when there is one; multiple values are joined with `|`; dates
are `YYYY/MM/DD`, date ranges `from:to` with an open end left empty; select values are thesaurus labels;
relationships are the target entities' titles. Uwazi dates are days, so a date the source gives only to the
month or year is written as the range of days it covers, and its wording is kept in a text column (`Date
of act as stated`: `2013-10/..`, where `..` is an open end). Each record's IRI is a link column.
"""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from footprints_graph.iris import DEFAULT_BASE
from footprints_graph.records.uwazi import safe_name
from footprints_graph.releases.reconciliation import Entity, Index, Value, build_index, date_bounds, property_values

LANGUAGE, SECOND_LANGUAGE = "en", "ko"
IRI_COLUMN = "footprints-graph IRI"
MULTI = "|"


@dataclass(frozen=True)
class Column:
    """A template property: its label (the CSV header), Uwazi type, the reconciliation property it is
    filled from, and for a relationship the template of its targets."""

    label: str
    type: str
    source: str
    target: str | None = None

    @property
    def name(self) -> str:
        return safe_name(self.label)


@dataclass(frozen=True)
class Template:
    name: str
    file: str
    type: str  # the reconciliation type of its entities
    columns: tuple[Column, ...]


TEMPLATES = (
    Template("Victim", "victims.csv", "Victim", (
        Column("Alternative names", "text", "altLabel"),
        Column("Victim category", "multiselect", "victimCategory"),
        Column("Credited to", "relationship", "creditedTo", "Organisation"),
        Column("Act", "multiselect", "act"),
        Column("Date of act", "multidaterange", "actDate"),
        Column("Date of act as stated", "text", "actDate"),
        Column("Status", "multiselect", "status"),
        Column("Status as of", "multidate", "statusAsOf"),
        Column("Sources", "relationship", "source", "Source document"),
        Column("Same as", "text", "sameAs"),
    )),
    Template("Organisation", "organisations.csv", "Organisation", (
        Column("Alternative names", "text", "altLabel"),
        Column("Organisation type", "select", "organisationType"),
        Column("Part of", "relationship", "partOf", "Organisation"),
        Column("Website", "link", "url"),
        Column("Same as", "text", "sameAs"),
        Column("Sources", "relationship", "source", "Source document"),
    )),
    Template("Source document", "documents.csv", "SourceDocument", (
        Column("Document type", "select", "documentType"),
        Column("Publisher", "relationship", "publisher", "Organisation"),
        Column("Issued as stated", "text", "issued"),
        Column("UN document symbol", "text", "unDocumentSymbol"),
        Column("Website", "link", "url"),
        Column("Same as", "text", "sameAs"),
    )),
)


# ---------------------------------------------------------------- cells


def uwazi_day(text: str, last: bool = False) -> str:
    """A partial date as an Uwazi day YYYY/MM/DD: its first day (or last, for the end of a range)."""
    bounds = date_bounds(text)
    if bounds is None:
        raise ValueError(f"{text!r} is not a date Uwazi can hold")
    return bounds[last].strftime("%Y/%m/%d")


def uwazi_range(interval: str) -> str:
    """'2013-10/..' → '2013/10/01:'; '1950-06-25/1953-07-27' → '1950/06/25:1953/07/27'; a single partial
    date → the days it covers, '2014' → '2014/01/01:2014/12/31'."""
    start, _, end = interval.partition("/")
    end = end or start
    return ":".join(["" if start == ".." else uwazi_day(start), "" if end == ".." else uwazi_day(end, last=True)])


def _text(value: Value) -> str:
    return value.cell.get("str") or value.cell.get("date", "")[:10]


CELLS: dict[str, Callable[[Value, Index], str]] = {
    "text": lambda v, _index: _text(v),
    "select": lambda v, _index: _text(v),
    "multiselect": lambda v, _index: _text(v),
    "relationship": lambda v, index: index.entities[v.cell["id"]].name if "id" in v.cell else _text(v),
    "link": lambda v, _index: _text(v),
    "multidaterange": lambda v, _index: uwazi_range(_text(v)),
    "multidate": lambda v, _index: uwazi_day(_text(v)),
}


def _cell(column: Column, values: list[Value], index: Index) -> str:
    return MULTI.join(CELLS[column.type](v, index) for v in values)


def _korean_title(entity: Entity) -> str:
    return next((n for n in entity.names if any("\uac00" <= c <= "\ud7a3" for c in n)), "")


# ---------------------------------------------------------------- files


def export_uwazi(store: ox.Store, out: Path, base: str = DEFAULT_BASE) -> list[Path]:
    """Write the Uwazi import files of the records in `store` into the folder `out`; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    index = build_index(store, base)
    thesauri: dict[str, set[str]] = {}
    written = [_write_template(store, index, template, out / template.file, thesauri) for template in TEMPLATES]
    return [*written, _write_json(out / "templates.json", _templates_json()),
            _write_json(out / "thesauri.json", _thesauri_json(thesauri))]


def _write_template(store: ox.Store, index: Index, template: Template, path: Path, thesauri: dict) -> Path:
    entities = sorted((e for e in index.entities.values() if template.type in e.types), key=lambda e: (e.name, e.id))
    values = property_values(store, index, [e.id for e in entities], {c.source for c in template.columns})
    header = [f"Title__{LANGUAGE}", f"Title__{SECOND_LANGUAGE}", *(c.label for c in template.columns), IRI_COLUMN]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for entity in entities:
            own = values.get(entity.id, {})
            cells = [_cell(c, own.get(c.source, []), index) for c in template.columns]
            writer.writerow([entity.name, _korean_title(entity), *cells, entity.iri])
            _collect_terms(template, own, thesauri)
    return path


def _collect_terms(template: Template, values: dict, thesauri: dict) -> None:
    for column in template.columns:
        if column.type in ("select", "multiselect"):
            thesauri.setdefault(column.label, set()).update(_text(v) for v in values.get(column.source, []))


def _templates_json() -> dict:
    return {"rows": [{
        "_id": safe_name(t.name), "name": t.name,
        "commonProperties": [{"name": "title", "label": "Title", "type": "text"}],
        "properties": [*(_property_json(c) for c in t.columns),
                       {"_id": safe_name(IRI_COLUMN), "name": safe_name(IRI_COLUMN), "label": IRI_COLUMN, "type": "link"}],
    } for t in TEMPLATES]}


def _property_json(column: Column) -> dict:
    content = {"select": safe_name(column.label), "multiselect": safe_name(column.label),
               "relationship": safe_name(column.target or "")}.get(column.type)
    entry = {"_id": column.name, "name": column.name, "label": column.label, "type": column.type}
    return {**entry, "content": content} if content else entry


def _thesauri_json(thesauri: dict[str, set[str]]) -> dict:
    return {"rows": [{"_id": safe_name(label), "name": label,
                      "values": [{"id": safe_name(term), "label": term} for term in sorted(terms)]}
                     for label, terms in sorted(thesauri.items())]}


def _write_json(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
