"""Uwazi's schema and the values of its entities: templates and thesauri (read from the API's JSON), the
typed values a reader makes of a property's cells, and what an export tells about other files of the same
collection. Formats as Uwazi (HURIDOCS, commit 849f7d97) writes them."""

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from footprints_graph.errors import Origin, RecordError

# Every property type Uwazi has; `preview` stores no value.
PROPERTY_TYPES = (
    "text", "markdown", "numeric", "date", "multidate", "daterange", "multidaterange", "select",
    "multiselect", "relationship", "link", "image", "media", "geolocation", "generatedid", "nested", "preview",
)


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
    raw_thesauri = load_json(Path(thesauri)) if thesauri else []
    return schema_from_json(load_json(Path(templates)), raw_thesauri, str(templates))


def schema_from_json(raw_templates: Any, raw_thesauri: Any, source: str) -> UwaziSchema:
    templates = [_template(raw, source) for raw in _rows(raw_templates, "templates")]
    # /api/thesauris also lists templates as pseudo-thesauri of their entities; they hold no terms.
    rows = _rows(raw_thesauri, "thesauris", "dictionaries")
    thesauri = [_thesaurus(raw) for raw in rows if raw.get("type") != "template"]
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


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise RecordError(Origin(str(path), line=error.lineno), f"not valid JSON: {error.msg}") from error


# ---------------------------------------------------------------- values both readers check


def number(value: Any, origin: Origin) -> int | Decimal:
    """An int, or a Decimal written exactly as the source wrote it (floats through their shortest repr)."""
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise RecordError(origin, f"numeric {value!r} is not a number")
    return int(number) if number == number.to_integral_value() and "." not in str(value) else number


def checked_term(term: Term, thesaurus: UwaziThesaurus | None, origin: Origin) -> Term:
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


def inherited_property(prop: UwaziProperty, inherited_type: str | None, schema: UwaziSchema) -> UwaziProperty:
    """The target property a relationship inherits (its thesaurus types inherited selects)."""
    target = schema.property_by_id(prop.inherit_property)
    return target or UwaziProperty(id=None, name=prop.name, label=prop.label, type=inherited_type or "text")


def media_url(value: str) -> str:
    """A media value may carry time links: "(url, {timelinks…})"; the URL is what we keep."""
    if value.startswith("(") and value.endswith(")"):
        return value[1:-1].split(",", 1)[0].strip()
    return value


def geo_point(lat: Any, lon: Any, label: str, origin: Origin) -> GeoPoint:
    try:
        point = GeoPoint(Decimal(str(lat).strip()), Decimal(str(lon).strip()), label)
    except InvalidOperation:
        raise RecordError(origin, f"geolocation {lat!r}|{lon!r} is not a latitude|longitude pair of numbers") from None
    if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
        raise RecordError(origin, f"geolocation {lat}|{lon} is out of range (latitude -90…90, longitude -180…180)")
    return point


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
