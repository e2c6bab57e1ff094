"""Reading HURIDOCS Uwazi exports: entity JSON from the Uwazi API, and Uwazi's CSV export and import files.

FOOTPRINTS (nkfootprints.info) runs on Uwazi, as do many human-rights archives. The reader checks and types
every value by its property's type (dates as Unix seconds, selects as thesaurus terms, …) and says where a
bad one is; it mints no IRIs: that is `footprints_graph.convert.uwazi`'s job. Formats as described in
`shared/uwazi-samples/README.md` (Uwazi commit 849f7d97).
"""

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from footprints_graph.errors import Origin, RecordError

# Every property type Uwazi has; `preview` stores no value.
PROPERTY_TYPES = (
    "text", "markdown", "numeric", "date", "multidate", "daterange", "multidaterange", "select",
    "multiselect", "relationship", "link", "image", "media", "geolocation", "generatedid", "nested", "preview",
)
# Uwazi parses import dates with the collection's dateFormat first, then these (csv/typeParsers.ts).
DEFAULT_DATE_FORMAT = "YYYY/MM/DD"
FALLBACK_DATE_FORMATS = ("LL", "YYYY MM DD", "YYYY/MM/DD", "YYYY-MM-DD", "YYYY")
# Only these may have `__<language>` columns in an import file (csv/validateColumns.ts).
TRANSLATABLE_TYPES = frozenset({"text", "markdown", "select", "multiselect", "link", "nested"})
MULTI_VALUE = "|"
GROUP_SEPARATOR = "::"
EXPORT_RANGE_SEPARATOR = "~"
IMPORT_RANGE_SEPARATOR = ":"
LANGUAGE_COLUMN = re.compile(r"^(.*)__([a-z]{2})$")
# Columns that are not template properties: the export's fixed columns and the import's special ones.
TITLE, SHARED_ID, TEMPLATE, PUBLISHED = "title", "id", "template", "published"
UNCONVERTED_COLUMNS = frozenset({"date_added", "documents", "attachments", "file"})


# ---------------------------------------------------------------- templates and thesauri


@dataclass(frozen=True)
class UwaziProperty:
    """One property of a template. `content` is the thesaurus `_id` of a select, or the target template of a
    relationship; an inheriting relationship shows the value of property `inherit_property` of its targets."""

    id: str | None
    name: str
    label: str
    type: str
    content: str | None = None
    inherit_property: str | None = None
    inherit_type: str | None = None


@dataclass(frozen=True)
class UwaziTemplate:
    id: str
    name: str
    properties: tuple[UwaziProperty, ...]

    def property(self, name: str) -> UwaziProperty | None:
        return next((p for p in self.properties if p.name == name), None)


@dataclass(frozen=True)
class ThesaurusTerm:
    """A thesaurus value; a group (a term with `children`) has at most one level below it."""

    id: str
    label: str
    children: tuple["ThesaurusTerm", ...] = ()


@dataclass(frozen=True)
class UwaziThesaurus:
    id: str
    name: str
    terms: tuple[ThesaurusTerm, ...]

    def by_id(self, value_id: str) -> tuple[ThesaurusTerm, ThesaurusTerm | None] | None:
        """The term with `value_id` and its group, if it is in one."""
        for term in self.terms:
            if term.id == value_id:
                return term, None
            child = next((c for c in term.children if c.id == value_id), None)
            if child:
                return child, term
        return None

    def by_label(self, label: str, group: str | None) -> tuple[ThesaurusTerm, ThesaurusTerm | None] | None:
        """The term labelled `label` (under group `group`), matched as Uwazi does: ignoring case and spacing."""
        top = next((t for t in self.terms if _same_label(t.label, group or label)), None)
        if top is None or group is None:
            return (top, None) if top else None
        child = next((c for c in top.children if _same_label(c.label, label)), None)
        return (child, top) if child else None


@dataclass(frozen=True)
class UwaziSchema:
    """The templates (by `_id`) and thesauri (by `_id`) that say what each metadata value is."""

    templates: Mapping[str, UwaziTemplate]
    thesauri: Mapping[str, UwaziThesaurus]

    def template_named(self, name: str) -> UwaziTemplate | None:
        return next((t for t in self.templates.values() if t.name == name), None)

    def property_by_id(self, property_id: str | None) -> UwaziProperty | None:
        all_properties = (p for t in self.templates.values() for p in t.properties)
        return next((p for p in all_properties if property_id and p.id == property_id), None)


# ---------------------------------------------------------------- values and entities


@dataclass(frozen=True)
class DateRange:
    """A daterange value: Unix seconds (UTC), either end may be open."""

    start: int | None
    end: int | None


@dataclass(frozen=True)
class Term:
    """A select/multiselect value: thesaurus value id (None when a CSV label is not in a known thesaurus),
    label as this language copy shows it, its group, and the thesaurus (`_id`) it is from."""

    id: str | None
    label: str
    parent: "Term | None" = None
    thesaurus: str | None = None


@dataclass(frozen=True)
class EntityRef:
    """A relationship value: the target's sharedId (None when a CSV names an unknown title), its title, and
    for an inheriting property the target's values of the inherited property."""

    shared_id: str | None
    title: str | None
    inherited: tuple["Value", ...] = ()
    inherited_type: str | None = None


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class GeoPoint:
    lat: Decimal
    lon: Decimal
    label: str


@dataclass(frozen=True)
class NestedRow:
    """One row of a legacy `nested` property: each key with its list of values."""

    fields: tuple[tuple[str, tuple[str | int | float, ...]], ...]


# text, markdown, generatedid, image and media are str; numeric is int or Decimal; date and multidate are int.
Value = str | int | Decimal | DateRange | Term | EntityRef | Link | GeoPoint | NestedRow


@dataclass(frozen=True)
class UwaziEntity:
    """One language copy of an Uwazi entity; copies share `shared_id`. `metadata` maps a property name to
    its values, typed by the property's type; empty properties are left out."""

    origin: Origin
    shared_id: str | None
    language: str | None
    title: str
    template: UwaziTemplate
    published: bool
    edit_date: int | None  # epoch milliseconds
    metadata: Mapping[str, tuple[Value, ...]]


@dataclass(frozen=True)
class UwaziExport:
    """The entities read from one file; `ignored_columns` are CSV columns that match no template property
    (Uwazi's importer ignores them too)."""

    source: str
    schema: UwaziSchema
    entities: tuple[UwaziEntity, ...]
    ignored_columns: tuple[str, ...] = ()


# ---------------------------------------------------------------- names


def safe_name(label: str) -> str:
    """A property name from its label, as Uwazi makes it (`safeName` in propertyNameGeneration.ts): every
    character but ASCII letters and digits becomes `_`. (Not re.I: in Python it would let 'K' (Kelvin) pass.)"""
    return re.sub(r"[^A-Za-z0-9]", "_", label.strip()).lower()


def _same_label(a: str, b: str) -> bool:
    return " ".join(a.split()).lower() == " ".join(b.split()).lower()


# ---------------------------------------------------------------- reading templates and thesauri


def read_uwazi_schema(templates: Path | str, thesauri: Path | str | None = None) -> UwaziSchema:
    """Templates (`/api/templates`: `{rows:[…]}`, a list, or a file with a `templates` key) and thesauri
    (`/api/dictionaries`, `/api/thesauris`) from JSON files."""
    raw_thesauri = _load_json(Path(thesauri)) if thesauri else []
    return _schema(_load_json(Path(templates)), raw_thesauri, str(templates))


def _schema(raw_templates: Any, raw_thesauri: Any, source: str) -> UwaziSchema:
    templates = [_template(raw, source) for raw in _rows(raw_templates, "templates")]
    # /api/thesauris also lists templates as pseudo-thesauri of their entities; they hold no terms.
    thesauri = [_thesaurus(raw) for raw in _rows(raw_thesauri, "thesauris", "dictionaries") if raw.get("type") != "template"]
    return UwaziSchema(templates={t.id: t for t in templates}, thesauri={t.id: t for t in thesauri})


def _rows(raw: Any, *keys: str) -> list[dict]:
    """The objects of an API answer: a list, `{rows:[…]}`, `{<key>: …}`, or an object keyed by `_id`."""
    if isinstance(raw, list):
        return raw
    if not isinstance(raw, dict):
        return []
    for key in ("rows", *keys):
        if key in raw:
            return _rows(raw[key], *keys)
    return [value for value in raw.values() if isinstance(value, dict)]


def _template(raw: dict, source: str) -> UwaziTemplate:
    if "_id" not in raw:
        raise RecordError(Origin(source, record=raw.get("name")), "a template has no _id")
    return UwaziTemplate(
        id=raw["_id"], name=raw.get("name", ""), properties=tuple(_property(p) for p in raw.get("properties", [])))


def _property(raw: dict) -> UwaziProperty:
    inherit = raw.get("inherit") or {}
    return UwaziProperty(
        id=raw.get("_id"), name=raw["name"], label=raw.get("label", raw["name"]), type=raw["type"],
        content=raw.get("content") or None, inherit_property=inherit.get("property"),
        inherit_type=inherit.get("type"),
    )


def _thesaurus(raw: dict) -> UwaziThesaurus:
    return UwaziThesaurus(id=raw["_id"], name=raw.get("name", ""), terms=tuple(_term(v) for v in raw.get("values", [])))


def _term(raw: dict) -> ThesaurusTerm:
    return ThesaurusTerm(id=raw["id"], label=raw["label"], children=tuple(_term(v) for v in raw.get("values", [])))


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise RecordError(Origin(str(path), line=error.lineno), f"not valid JSON: {error.msg}") from error


# ---------------------------------------------------------------- reading entity JSON


def read_uwazi_json(path: Path | str, schema: UwaziSchema | None = None, language: str | None = None) -> UwaziExport:
    """Entities from an API answer (`/api/entities`, `/api/search`: `{rows:[…]}`), a bare list of entities,
    `{entities:[…]}`, `{searchResults:{rows}}` or `{doc:{…}}`. Without `schema` the file must carry its own
    `templates` (and `thesauris`/`dictionaries`). `language` is for entities that do not state theirs (an
    /api/search answer is in the language of the request)."""
    source = str(path)
    raw = _load_json(Path(path))
    schema = schema or _embedded_schema(raw, source)
    entities = tuple(_json_entity(e, i, source, schema, language) for i, e in enumerate(_raw_entities(raw, source)))
    return UwaziExport(source=source, schema=schema, entities=entities)


def _embedded_schema(raw: Any, source: str) -> UwaziSchema:
    if not isinstance(raw, dict) or "templates" not in raw:
        raise RecordError(Origin(source), "the file has no templates: pass a schema (read_uwazi_schema)")
    return _schema(raw["templates"], raw.get("thesauris", raw.get("dictionaries", [])), source)


def _raw_entities(raw: Any, source: str) -> list[dict]:
    if isinstance(raw, list):
        return raw
    for key in ("rows", "entities"):
        if isinstance(raw, dict) and key in raw:
            return raw[key]
    if isinstance(raw, dict) and "searchResults" in raw:
        return raw["searchResults"]["rows"]
    if isinstance(raw, dict) and "doc" in raw:
        return [raw["doc"]]
    raise RecordError(Origin(source), "no entities: expected {rows:[…]}, {entities:[…]}, {doc:{…}} or a list")


def _json_entity(raw: dict, index: int, source: str, schema: UwaziSchema, language: str | None) -> UwaziEntity:
    if not isinstance(raw, dict):
        raise RecordError(Origin(source, record=f"#{index}"), f"entity {raw!r} is not a JSON object")
    shared_id = raw.get("sharedId")
    origin = Origin(source, record=f"#{index} {shared_id}" if shared_id else f"#{index}")
    template = _json_template(raw.get("template"), schema, origin)
    return UwaziEntity(
        origin=origin, shared_id=shared_id, language=raw.get("language", language), title=raw.get("title", ""),
        template=template,
        published=raw.get("published") is True,  # unknown means unpublished: it must not go public
        edit_date=_epoch_ms(raw.get("editDate"), replace(origin, field="editDate")),
        metadata=_json_metadata(raw.get("metadata") or {}, template, schema, origin),
    )


def _json_template(template_id: Any, schema: UwaziSchema, origin: Origin) -> UwaziTemplate:
    if template_id not in schema.templates:
        known = ", ".join(f"{t.id} ({t.name})" for t in schema.templates.values())
        raise RecordError(replace(origin, field="template"), f"template {template_id!r} is not among the templates: {known}")
    return schema.templates[template_id]


def _epoch_ms(value: Any, origin: Origin) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise RecordError(origin, f"{value!r} is not a time in epoch milliseconds")
    return int(value)


def _json_metadata(raw: dict, template: UwaziTemplate, schema: UwaziSchema, origin: Origin) -> dict:
    metadata = {}
    for name, items in raw.items():
        field_origin = replace(origin, field=name)
        prop = template.property(name)
        if prop is None and items:
            raise RecordError(field_origin, f"template {template.name!r} has no property {name!r}")
        if prop and items and prop.type != "preview":
            metadata[name] = tuple(_json_value(item, prop, schema, field_origin) for item in items)
    return metadata


def _json_value(item: Any, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> Value:
    parser = JSON_PARSERS.get(prop.type)
    if parser is None:
        raise RecordError(origin, f"property type {prop.type!r} is not one Uwazi has: {', '.join(PROPERTY_TYPES)}")
    if not isinstance(item, dict) or ("value" not in item and prop.type != "relationship"):
        raise RecordError(origin, f"{item!r} is not a metadata object {{value: …}}")
    return parser(item, prop, schema, origin)


def _json_text(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> str:
    if not isinstance(item["value"], str):
        raise RecordError(origin, f"{prop.type} {item['value']!r} is not a string")
    return item["value"]


def _json_numeric(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> int | Decimal:
    return _number(item["value"], origin)


def _number(value: Any, origin: Origin) -> int | Decimal:
    """An int, or a Decimal written exactly as the source wrote it (floats through their shortest repr)."""
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise RecordError(origin, f"numeric {value!r} is not a number")
    return int(number) if number == number.to_integral_value() and "." not in str(value) else number


def _json_date(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> int:
    return _unix_seconds(item["value"], origin)


def _unix_seconds(value: Any, origin: Origin) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise RecordError(origin, f"date {value!r} is not a time in Unix seconds")
    return int(value)


def _json_daterange(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> DateRange:
    value = item["value"]
    if not isinstance(value, dict) or not {"from", "to"} & value.keys():
        raise RecordError(origin, f"date range {value!r} is not {{from, to}}")
    ends = [None if value.get(end) is None else _unix_seconds(value[end], origin) for end in ("from", "to")]
    return DateRange(*ends)


def _json_term(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> Term:
    parent = item.get("parent")
    term = Term(
        id=item["value"], label=item.get("label", ""), thesaurus=prop.content,
        parent=Term(parent["value"], parent.get("label", ""), thesaurus=prop.content) if parent else None,
    )
    return _checked_term(term, schema.thesauri.get(prop.content or ""), origin)


def _checked_term(term: Term, thesaurus: UwaziThesaurus | None, origin: Origin) -> Term:
    """`term` checked against its thesaurus, if known; a missing group is filled in from it (the English
    copies of the sample leave `parent` out)."""
    if thesaurus is None:
        return term
    found = thesaurus.by_id(term.id)
    if found is None:
        raise RecordError(origin, f"value {term.id!r} ({term.label}) is not in thesaurus {thesaurus.name!r}")
    group = found[1]
    if term.parent is None and group is not None:
        return replace(term, parent=Term(group.id, group.label, thesaurus=thesaurus.id))
    return term


def _json_relationship(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> EntityRef:
    inherited_type = item.get("inheritedType") or prop.inherit_type
    inherited_items = item.get("inheritedValue") or []
    inherited_prop = _inherited_property(prop, inherited_type, schema)
    return EntityRef(
        shared_id=item.get("value"), title=item.get("label"), inherited_type=inherited_type if inherited_items else None,
        inherited=tuple(_json_value(i, inherited_prop, schema, origin) for i in inherited_items),
    )


def _inherited_property(prop: UwaziProperty, inherited_type: str | None, schema: UwaziSchema) -> UwaziProperty:
    """The target property a relationship inherits (its thesaurus types inherited selects)."""
    target = schema.property_by_id(prop.inherit_property)
    return target or UwaziProperty(id=None, name=prop.name, label=prop.label, type=inherited_type or "text")


def _json_link(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> Link:
    value = item["value"]
    if not isinstance(value, dict) or not isinstance(value.get("url"), str) or not value["url"]:
        raise RecordError(origin, f"link {value!r} is not {{label, url}}")
    return Link(label=value.get("label") or "", url=value["url"])


def _json_file(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> str:
    return _media_url(_json_text(item, prop, schema, origin))


def _media_url(value: str) -> str:
    """A media value may carry time links: "(url, {timelinks…})"; the URL is what we keep."""
    if value.startswith("(") and value.endswith(")"):
        return value[1:-1].split(",", 1)[0].strip()
    return value


def _json_geolocation(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> GeoPoint:
    value = item["value"]
    if not isinstance(value, dict) or "lat" not in value or "lon" not in value:
        raise RecordError(origin, f"geolocation {value!r} is not {{lat, lon, label}}")
    return _geo_point(value["lat"], value["lon"], value.get("label") or "", origin)


def _geo_point(lat: Any, lon: Any, label: str, origin: Origin) -> GeoPoint:
    try:
        point = GeoPoint(Decimal(str(lat).strip()), Decimal(str(lon).strip()), label)
    except InvalidOperation:
        raise RecordError(origin, f"geolocation {lat!r}|{lon!r} is not a latitude|longitude pair of numbers") from None
    if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
        raise RecordError(origin, f"geolocation {lat}|{lon} is out of range (latitude -90…90, longitude -180…180)")
    return point


def _json_nested(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> NestedRow:
    value = item["value"]
    if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
        raise RecordError(origin, f"nested row {value!r} is not {{key: [values]}}")
    return NestedRow(fields=tuple((key, tuple(values)) for key, values in value.items()))


JsonParser = Callable[[dict, UwaziProperty, UwaziSchema, Origin], Value]
JSON_PARSERS: dict[str, JsonParser] = {
    "text": _json_text, "markdown": _json_text, "generatedid": _json_text, "numeric": _json_numeric,
    "date": _json_date, "multidate": _json_date, "daterange": _json_daterange, "multidaterange": _json_daterange,
    "select": _json_term, "multiselect": _json_term, "relationship": _json_relationship, "link": _json_link,
    "image": _json_file, "media": _json_file, "geolocation": _json_geolocation, "nested": _json_nested,
}


# ---------------------------------------------------------------- what an export tells about other files


def shared_ids_by_title(export: UwaziExport) -> dict[str, str]:
    """Title → sharedId of every entity an export names (its entities and their relationship targets), to
    read a CSV export, which has titles but no sharedIds. Titles that name two entities are left out."""
    pairs = {(e.title, e.shared_id) for e in export.entities if e.shared_id}
    pairs |= {(ref.title, ref.shared_id) for e in export.entities for ref in _refs(e) if ref.shared_id and ref.title}
    title_counts = Counter(title for title, _ in pairs)
    return {title: shared_id for title, shared_id in sorted(pairs) if title_counts[title] == 1}


def _refs(entity: UwaziEntity) -> Iterator[EntityRef]:
    return (v for values in entity.metadata.values() for v in values if isinstance(v, EntityRef))


def observed_thesauri(export: UwaziExport) -> dict[str, UwaziThesaurus]:
    """The thesauri as far as an export's select values show them (ids, labels, groups), by thesaurus `_id`:
    enough to read a CSV export of the same entities when /api/dictionaries is not at hand."""
    labels: dict[tuple[str, str], str] = {}  # (thesaurus, value id) → first label seen
    groups: dict[str, dict[str, list[str]]] = {}  # thesaurus → top-level id → ids of its children
    for term in _terms(export):
        labels.setdefault((term.thesaurus, term.id), term.label)
        tops = groups.setdefault(term.thesaurus, {})
        if term.parent is None:
            tops.setdefault(term.id, [])
        else:
            labels.setdefault((term.thesaurus, term.parent.id), term.parent.label)
            children = tops.setdefault(term.parent.id, [])
            if term.id not in children:
                children.append(term.id)
    return {
        thesaurus: UwaziThesaurus(thesaurus, "", tuple(
            ThesaurusTerm(top, labels[thesaurus, top], tuple(ThesaurusTerm(c, labels[thesaurus, c]) for c in children))
            for top, children in tops.items()))
        for thesaurus, tops in groups.items()
    }


def _terms(export: UwaziExport) -> Iterator[Term]:
    values = (v for e in export.entities for values in e.metadata.values() for v in values)
    return (v for v in values if isinstance(v, Term) and v.thesaurus and v.id)


# ---------------------------------------------------------------- reading CSV


@dataclass(frozen=True)
class _Column:
    """A CSV column: its header as written, the header's safe name without language, and the language."""

    header: str
    key: str
    language: str | None


@dataclass(frozen=True)
class _CsvSettings:
    source: str
    schema: UwaziSchema
    template: UwaziTemplate | None  # None: each row names its template (an export)
    date_format: str
    language: str
    shared_ids: Mapping[str, str]


def read_uwazi_csv(
    path: Path | str,
    schema: UwaziSchema,
    template: str | None = None,
    date_format: str = DEFAULT_DATE_FORMAT,
    language: str = "en",
    shared_ids: Mapping[str, str] | None = None,
) -> UwaziExport:
    """Entities from an Uwazi CSV export (a `Template` column names each row's template) or an import file
    (all rows in `template`, a name or `_id`). `date_format` is the collection's dateFormat (moment tokens);
    `language` is the export's language or the import's default language. A CSV export has no sharedIds:
    `shared_ids` (title → sharedId, see `shared_ids_by_title`) supplies them and resolves relationship titles."""
    source = str(path)
    header, rows = _csv_rows(Path(path))
    columns = [_column(h) for h in header]
    settings = _CsvSettings(
        source, schema, _fixed_template(template, schema, source, columns), date_format.upper(), language,
        shared_ids or {},
    )
    _check_language_columns(columns, settings)
    entities = tuple(e for line, cells in rows for e in _csv_row(line, cells, columns, settings))
    return UwaziExport(source, schema, entities, _ignored_columns(columns, entities, settings))


def _csv_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows with the line each starts on."""
    text = path.read_text(encoding="utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, line = [], 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            rows.append((line, cells))
        line = reader.line_num + 1
    if not rows:
        raise RecordError(Origin(str(path)), "the file is empty: no header row")
    return [cell.strip() for cell in rows[0][1]], rows[1:]


def _column(header: str) -> _Column:
    match = LANGUAGE_COLUMN.match(safe_name(header))
    if match:
        return _Column(header, match.group(1), match.group(2))
    return _Column(header, safe_name(header), None)


def _fixed_template(template: str | None, schema: UwaziSchema, source: str, columns: list[_Column]) -> UwaziTemplate | None:
    if template is None:
        if not any(c.key == TEMPLATE for c in columns):
            raise RecordError(Origin(source, line=1), "the file has no Template column: say which template its rows are in")
        return None
    found = schema.templates.get(template) or schema.template_named(template)
    if found is None:
        raise RecordError(Origin(source, line=1), f"template {template!r} is not among the templates: {_names(schema)}")
    return found


def _names(schema: UwaziSchema) -> str:
    return ", ".join(repr(t.name) for t in schema.templates.values())


def _check_language_columns(columns: list[_Column], settings: _CsvSettings) -> None:
    """Uwazi's rules for `__xx` columns (validateColumns.ts), checked against the fixed template."""
    origin = Origin(settings.source, line=1)
    translated = {c.key for c in columns if c.language}
    for key in sorted(translated):
        if any(c.key == key and c.language is None for c in columns):
            raise RecordError(replace(origin, field=key), "the column is both with and without a language suffix")
        if not any(c.key == key and c.language == settings.language for c in columns):
            raise RecordError(replace(origin, field=key), f"language columns lack the default language {settings.language!r}")
        prop = settings.template and _property_for(key, settings.template)
        if prop and prop.type not in TRANSLATABLE_TYPES:
            raise RecordError(replace(origin, field=key), f"a {prop.type} property takes no language columns")


def _property_for(key: str, template: UwaziTemplate) -> UwaziProperty | None:
    return _column_keys(template).get(key)


@cache
def _column_keys(template: UwaziTemplate) -> dict[str, UwaziProperty]:
    """Column key → property. Uwazi compares a header's safe name with the property name; an export heads
    columns with labels, and a geolocation import column is `<label>_geolocation`. Names win over labels."""
    by_label = {f"{safe_name(p.label)}{suffix}": p for p in template.properties
                for suffix in ("", "_geolocation" if p.type == "geolocation" else "")}
    return by_label | {p.name: p for p in template.properties}


def _csv_row(line: int, cells: list[str], columns: list[_Column], settings: _CsvSettings) -> list[UwaziEntity]:
    origin = Origin(settings.source, line=line)
    if len(cells) > len(columns):
        raise RecordError(origin, f"the row has {len(cells)} cells but the header has {len(columns)} columns")
    row = {(c.key, c.language): (c.header, cell.strip()) for c, cell in zip(columns, cells)}
    title = _cell(row, TITLE, settings.language)
    origin = replace(origin, record=title or None)
    template = settings.template or _row_template(row, settings, origin)
    shared_id = _cell(row, SHARED_ID, None) or settings.shared_ids.get(title) or None
    published = _published(_cell(row, PUBLISHED, None), replace(origin, field="Published"))
    return [
        _csv_copy(row, template, language, shared_id, published, origin, settings)
        for language in _row_languages(row, settings.language)
    ]


def _cell(row: dict, key: str, language: str | None) -> str:
    return row.get((key, language), row.get((key, None), ("", "")))[1]


def _row_template(row: dict, settings: _CsvSettings, origin: Origin) -> UwaziTemplate:
    name = _cell(row, TEMPLATE, None)
    template = settings.schema.template_named(name)
    if template is None:
        raise RecordError(replace(origin, field="Template"), f"template {name!r} is not among the templates: {_names(settings.schema)}")
    return template


def _published(text: str, origin: Origin) -> bool:
    """An import file has no Published column; Uwazi imports entities unpublished."""
    if text not in ("", "Published", "Unpublished"):
        raise RecordError(origin, f"{text!r} is neither 'Published' nor 'Unpublished'")
    return text == "Published"


def _row_languages(row: dict, default_language: str) -> list[str]:
    """A row has a copy in the default language and in each language it fills a column for (entityRow.ts)."""
    filled = sorted({language for (_, language), (_, text) in row.items() if language and text})
    return [default_language, *(language for language in filled if language != default_language)]


def _csv_copy(row: dict, template: UwaziTemplate, language: str, shared_id: str | None, published: bool,
              origin: Origin, settings: _CsvSettings) -> UwaziEntity:
    title = _cell(row, TITLE, language)
    if not title:
        raise RecordError(replace(origin, field="Title"), f"the title is empty in language {language!r}")
    metadata = {}
    for prop, header, text in _property_cells(row, template, language, settings.language):
        values = _csv_values(text, prop, settings, replace(origin, field=header)) if text else ()
        if values:
            metadata[prop.name] = values
    return UwaziEntity(origin, shared_id, language, title, template, published, None, metadata)


def _property_cells(row: dict, template: UwaziTemplate, language: str, default_language: str) -> Iterator[tuple]:
    """(property, header, text) of the copy in `language`. Select labels always come from the default
    language's column: Uwazi resolves the term there and takes other languages from its translations."""
    for (key, column_language), (header, text) in row.items():
        prop = _property_for(key, template)
        if prop is None or prop.type == "preview":
            continue
        wanted = default_language if prop.type in ("select", "multiselect") else language
        if column_language in (None, wanted):
            yield prop, header, text


def _csv_values(text: str, prop: UwaziProperty, settings: _CsvSettings, origin: Origin) -> tuple[Value, ...]:
    parser = CSV_PARSERS.get(prop.type)
    if parser is None:
        raise RecordError(origin, f"property type {prop.type!r} cannot be read from CSV")
    return parser(text, prop, settings, origin)


def _parts(text: str) -> list[str]:
    return [part.strip() for part in text.split(MULTI_VALUE) if part.strip()]


def _csv_text(text: str, prop: UwaziProperty, settings: _CsvSettings, origin: Origin) -> tuple[Value, ...]:
    return (_media_url(text) if prop.type == "media" else text,)


def _csv_numeric(text: str, prop: UwaziProperty, settings: _CsvSettings, origin: Origin) -> tuple[Value, ...]:
    return (_number(text, origin),)


def _csv_date(text: str, prop: UwaziProperty, settings: _CsvSettings, origin: Origin) -> tuple[Value, ...]:
    return tuple(_parse_date(part, settings.date_format, origin) for part in _parts(text))


def _csv_daterange(text: str, prop: UwaziProperty, settings: _CsvSettings, origin: Origin) -> tuple[Value, ...]:
    return tuple(_parse_range(part, settings.date_format, origin) for part in _parts(text))


def _parse_range(text: str, date_format: str, origin: Origin) -> DateRange:
    """`from:to` in an import file, `from~to` in an export; either end may be empty."""
    separator = EXPORT_RANGE_SEPARATOR if EXPORT_RANGE_SEPARATOR in text else IMPORT_RANGE_SEPARATOR
    ends = [end.strip() for end in text.split(separator)]
    if len(ends) != 2:
        raise RecordError(origin, f"date range {text!r} is not 'from:to' (or 'from~to')")
    return DateRange(*(_parse_date(end, date_format, origin) if end else None for end in ends))


def _parse_date(text: str, date_format: str, origin: Origin) -> int:
    """Unix seconds of a date written in the collection's format or one of Uwazi's fallbacks (read as UTC)."""
    formats = dict.fromkeys((date_format, *FALLBACK_DATE_FORMATS))
    for moment_format in formats:
        try:
            day = datetime.strptime(text, _strptime_format(moment_format))
        except ValueError:
            continue
        return int(day.replace(tzinfo=timezone.utc).timestamp())
    others = ", ".join(f for f in formats if f != date_format)
    raise RecordError(origin, f"date {text!r} is not in format {date_format} (nor {others})")


MOMENT_TOKENS = {"YYYY": "%Y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%m", "DD": "%d", "D": "%d", "LL": "%B %d, %Y"}


def _strptime_format(moment_format: str) -> str:
    escaped = moment_format.replace("%", "%%")
    return re.sub("|".join(MOMENT_TOKENS), lambda m: MOMENT_TOKENS[m.group(0)], escaped)


def _csv_select(text: str, prop: UwaziProperty, settings: _CsvSettings, origin: Origin) -> tuple[Value, ...]:
    labels = _parts(text) if prop.type == "multiselect" else [text]
    return tuple(_csv_term(label, prop, settings, origin) for label in labels)


def _csv_term(text: str, prop: UwaziProperty, settings: _CsvSettings, origin: Origin) -> Term:
    """A label, or `Group::Term`, resolved in the thesaurus when it is known; a label Uwazi would add to the
    thesaurus on import keeps no id."""
    *group, label = [part.strip() for part in text.split(GROUP_SEPARATOR)]
    if len(group) > 1 or not label or (group and not group[0]):
        raise RecordError(origin, f"select value {text!r} is not 'Label' or 'Group::Label'")
    thesaurus = settings.schema.thesauri.get(prop.content or "")
    found = thesaurus.by_label(label, group[0] if group else None) if thesaurus else None
    if found and found[0].children:
        raise RecordError(origin, f"{label!r} is a group of thesaurus {thesaurus.name!r}: write 'Group::Term'")
    if found:
        term, top = found
        parent = Term(top.id, top.label, thesaurus=prop.content) if top else None
        return Term(term.id, term.label, parent, prop.content)
    parent = Term(None, group[0], thesaurus=prop.content) if group else None
    return Term(None, label, parent, prop.content)


def _csv_relationship(text: str, prop: UwaziProperty, settings: _CsvSettings, origin: Origin) -> tuple[Value, ...]:
    """Target titles; an export writes an inheriting property as the inherited values instead."""
    if prop.inherit_type and settings.template is None:
        inherited_prop = _inherited_property(prop, prop.inherit_type, settings.schema)
        inherited = _csv_values(text, inherited_prop, settings, origin)
        return (EntityRef(None, None, inherited, prop.inherit_type),)
    return tuple(EntityRef(settings.shared_ids.get(title), title) for title in _parts(text))


def _csv_link(text: str, prop: UwaziProperty, settings: _CsvSettings, origin: Origin) -> tuple[Value, ...]:
    """`label|url`, or a bare URL that is its own label."""
    label, _, url = text.partition(MULTI_VALUE) if MULTI_VALUE in text else (text, "", text)
    return (Link(label.strip(), url.strip()),)


def _csv_geolocation(text: str, prop: UwaziProperty, settings: _CsvSettings, origin: Origin) -> tuple[Value, ...]:
    parts = text.split(MULTI_VALUE)
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise RecordError(origin, f"geolocation {text!r} is not 'latitude|longitude'")
    return (_geo_point(parts[0], parts[1], "", origin),)


CsvParser = Callable[[str, UwaziProperty, _CsvSettings, Origin], tuple[Value, ...]]
CSV_PARSERS: dict[str, CsvParser] = {
    "text": _csv_text, "markdown": _csv_text, "generatedid": _csv_text, "image": _csv_text, "media": _csv_text,
    "numeric": _csv_numeric, "date": _csv_date, "multidate": _csv_date, "daterange": _csv_daterange,
    "multidaterange": _csv_daterange, "select": _csv_select, "multiselect": _csv_select,
    "relationship": _csv_relationship, "link": _csv_link, "geolocation": _csv_geolocation,
}


def _ignored_columns(columns: list[_Column], entities: tuple[UwaziEntity, ...], settings: _CsvSettings) -> tuple[str, ...]:
    templates = {e.template for e in entities} | ({settings.template} if settings.template else set())
    special = {TITLE, SHARED_ID, TEMPLATE, PUBLISHED} | UNCONVERTED_COLUMNS
    return tuple(
        c.header for c in columns
        if c.key not in special and not any(_property_for(c.key, t) for t in templates)
    )
