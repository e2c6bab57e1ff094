"""Reading Uwazi's CSV export and its CSV import files: the columns matched to template properties (with
their language suffix), every cell parsed as Uwazi's importer parses it (csv/typeParsers.ts), a bad one named
with its line and column."""

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from footprints_graph.errors import Origin, RecordError
from footprints_graph.records.uwazi.schema import (
    DateRange,
    EntityRef,
    Link,
    Term,
    UwaziEntity,
    UwaziExport,
    UwaziProperty,
    UwaziSchema,
    UwaziTemplate,
    Value,
    geo_point,
    inherited_property,
    media_url,
    number,
    safe_name,
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


def _fixed_template(template: str | None, schema: UwaziSchema, source: str,
                    columns: list[_Column]) -> UwaziTemplate | None:
    if template is None:
        if not any(c.key == TEMPLATE for c in columns):
            raise RecordError(Origin(source, line=1),
                              "the file has no Template column: say which template its rows are in")
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
            raise RecordError(replace(origin, field=key),
                              f"language columns lack the default language {settings.language!r}")
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
    # a short row leaves its last cells empty
    row = {(c.key, c.language): (c.header, cell.strip()) for c, cell in zip(columns, cells, strict=False)}
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
        raise RecordError(replace(origin, field="Template"),
                          f"template {name!r} is not among the templates: {_names(settings.schema)}")
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
    return (media_url(text) if prop.type == "media" else text,)


def _csv_numeric(text: str, prop: UwaziProperty, settings: _CsvSettings, origin: Origin) -> tuple[Value, ...]:
    return (number(text, origin),)


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
        return int(day.replace(tzinfo=UTC).timestamp())
    others = ", ".join(f for f in formats if f != date_format)
    raise RecordError(origin, f"date {text!r} is not in format {date_format} (nor {others})")


MOMENT_TOKENS = {"YYYY": "%Y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%m", "DD": "%d", "D": "%d",
                 "LL": "%B %d, %Y"}


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
        inherited_prop = inherited_property(prop, prop.inherit_type, settings.schema)
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
    return (geo_point(parts[0], parts[1], "", origin),)


CsvParser = Callable[[str, UwaziProperty, _CsvSettings, Origin], tuple[Value, ...]]


CSV_PARSERS: dict[str, CsvParser] = {
    "text": _csv_text, "markdown": _csv_text, "generatedid": _csv_text, "image": _csv_text, "media": _csv_text,
    "numeric": _csv_numeric, "date": _csv_date, "multidate": _csv_date, "daterange": _csv_daterange,
    "multidaterange": _csv_daterange, "select": _csv_select, "multiselect": _csv_select,
    "relationship": _csv_relationship, "link": _csv_link, "geolocation": _csv_geolocation,
}


def _ignored_columns(columns: list[_Column], entities: tuple[UwaziEntity, ...],
                     settings: _CsvSettings) -> tuple[str, ...]:
    templates = {e.template for e in entities} | ({settings.template} if settings.template else set())
    special = {TITLE, SHARED_ID, TEMPLATE, PUBLISHED} | UNCONVERTED_COLUMNS
    return tuple(
        c.header for c in columns
        if c.key not in special and not any(_property_for(c.key, t) for t in templates)
    )
