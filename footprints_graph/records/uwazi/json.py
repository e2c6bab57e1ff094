"""Reading Uwazi entity JSON (the API's /api/entities and /api/search answers): every value checked and
typed by its property's type (dates as Unix seconds, selects as thesaurus terms, …); a bad one is named with
its entity and field."""

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from footprints_graph.errors import Origin, RecordError
from footprints_graph.records.uwazi.schema import (
    PROPERTY_TYPES,
    DateRange,
    EntityRef,
    GeoPoint,
    Link,
    NestedRow,
    Term,
    UwaziEntity,
    UwaziExport,
    UwaziProperty,
    UwaziSchema,
    UwaziTemplate,
    Value,
    checked_term,
    geo_point,
    inherited_property,
    load_json,
    media_url,
    number,
    schema_from_json,
)


def read_uwazi_json(path: Path | str, schema: UwaziSchema | None = None, language: str | None = None) -> UwaziExport:
    """Entities from an API answer (`/api/entities`, `/api/search`: `{rows:[…]}`), a bare list of entities,
    `{entities:[…]}`, `{searchResults:{rows}}` or `{doc:{…}}`. Without `schema` the file must carry its own
    `templates` (and `thesauris`/`dictionaries`). `language` is for entities that do not state theirs (an
    /api/search answer is in the language of the request)."""
    source = str(path)
    raw = load_json(Path(path))
    schema = schema or _embedded_schema(raw, source)
    entities = tuple(_json_entity(e, i, source, schema, language) for i, e in enumerate(_raw_entities(raw, source)))
    return UwaziExport(source=source, schema=schema, entities=entities)


def _embedded_schema(raw: Any, source: str) -> UwaziSchema:
    if not isinstance(raw, dict) or "templates" not in raw:
        raise RecordError(Origin(source), "the file has no templates: pass a schema (read_uwazi_schema)")
    return schema_from_json(raw["templates"], raw.get("thesauris", raw.get("dictionaries", [])), source)


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
        raise RecordError(replace(origin, field="template"),
                          f"template {template_id!r} is not among the templates: {known}")
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
    return number(item["value"], origin)


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
    return checked_term(term, schema.thesauri.get(prop.content or ""), origin)


def _json_relationship(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> EntityRef:
    inherited_type = item.get("inheritedType") or prop.inherit_type
    inherited_items = item.get("inheritedValue") or []
    inherited_prop = inherited_property(prop, inherited_type, schema)
    return EntityRef(
        shared_id=item.get("value"), title=item.get("label"),
        inherited_type=inherited_type if inherited_items else None,
        inherited=tuple(_json_value(i, inherited_prop, schema, origin) for i in inherited_items),
    )


def _json_link(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> Link:
    value = item["value"]
    if not isinstance(value, dict) or not isinstance(value.get("url"), str) or not value["url"]:
        raise RecordError(origin, f"link {value!r} is not {{label, url}}")
    return Link(label=value.get("label") or "", url=value["url"])


def _json_file(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> str:
    return media_url(_json_text(item, prop, schema, origin))


def _json_geolocation(item: dict, prop: UwaziProperty, schema: UwaziSchema, origin: Origin) -> GeoPoint:
    value = item["value"]
    if not isinstance(value, dict) or "lat" not in value or "lon" not in value:
        raise RecordError(origin, f"geolocation {value!r} is not {{lat, lon, label}}")
    return geo_point(value["lat"], value["lon"], value.get("label") or "", origin)


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
