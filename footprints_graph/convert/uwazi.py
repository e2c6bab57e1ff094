"""Uwazi entities → RDF, as a TOML mapping file says (format: data/uwazi/README.md).

Each entity becomes one resource whatever its number of language copies, with an IRI made from the mapping's
collection key and its `sharedId`, so it keeps its IRI across exports and rebuilds. Values that need nodes of
their own (places, date ranges, nested rows, events) get IRIs made from the entity's, never blank nodes.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from footprints_graph.convert import ConvertedRecord, Triple
from footprints_graph.convert.uwazi_mapping import (
    IRI_FORBIDDEN,
    SCHEMA,
    EventMapping,
    PropertyMapping,
    TemplateMapping,
    UwaziMapping,
    load_mapping,
)
from footprints_graph.errors import Origin, RecordError
from footprints_graph.iris import DEFAULT_BASE, mint, slug
from footprints_graph.records.uwazi import (
    DateRange,
    EntityRef,
    GeoPoint,
    Link,
    NestedRow,
    Term,
    UwaziEntity,
    UwaziExport,
    UwaziSchema,
    Value,
)
from footprints_graph.vocab import FP

__all__ = ["UwaziMapping", "convert_uwazi", "load_mapping"]

SHARED_ID = re.compile(r"^[a-z0-9]+$")
# Thesaurus and value ids go into concept IRIs as they are: only characters that need no escaping.
IRI_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
# Predicates a property may leave out, by type.
DEFAULT_PREDICATES = {"generatedid": DCTERMS.identifier, "link": SCHEMA.url}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _label_key(text: str) -> str:
    """Labels match ignoring case and spacing, as Uwazi matches them; ids match exactly."""
    return " ".join(text.split()).lower()


# ---------------------------------------------------------------- converting


@dataclass(frozen=True)
class _Setting:
    """What every value of one conversion needs."""

    mapping: UwaziMapping
    schema: UwaziSchema
    base: str
    source: URIRef  # dct:source of every entity and of every node the mapping gives a class


@dataclass(frozen=True)
class _Site:
    """Where one value goes: its subject (the entity or an event node), the key of the nodes minted for it,
    the mapping rule, and the language of the copy it comes from."""

    subject: URIRef
    node_key: str  # "<collection>.<sharedId>[.<event>].<property>"; a value's node adds ".<index>"
    index: str
    prop_type: str
    rule: PropertyMapping
    language: str | None
    origin: Origin
    setting: _Setting

    def value_node(self) -> URIRef:
        return mint("uwazi", f"{self.node_key}.{self.index}", self.setting.base)


def convert_uwazi(export: UwaziExport, mapping: UwaziMapping, base: str = DEFAULT_BASE) -> list[ConvertedRecord]:
    """One record per entity (all its language copies), in the order the export first names them."""
    setting = _Setting(mapping, export.schema, base, _source_iri(mapping.source, base))
    graph = mint("graph", f"uwazi-{mapping.collection}", base)
    return [_convert_entity(copies, setting, graph) for copies in _copies_by_shared_id(export.entities)]


def _copies_by_shared_id(entities: Iterable[UwaziEntity]) -> list[list[UwaziEntity]]:
    groups: dict[str, list[UwaziEntity]] = {}
    for entity in entities:
        groups.setdefault(_shared_id(entity), []).append(entity)
    return list(groups.values())


def _shared_id(entity: UwaziEntity) -> str:
    origin = replace(entity.origin, field="sharedId")
    if not entity.shared_id:
        raise RecordError(origin,
                          "the entity has no sharedId (a CSV export has none: pass shared_ids to read_uwazi_csv)")
    return _checked_shared_id(entity.shared_id, origin)


def _checked_shared_id(shared_id: str, origin: Origin) -> str:
    if not SHARED_ID.match(shared_id):
        raise RecordError(origin, f"sharedId {shared_id!r} has characters outside [a-z0-9]; it cannot become an IRI")
    return shared_id


def _convert_entity(copies: list[UwaziEntity], setting: _Setting, graph: URIRef) -> ConvertedRecord:
    first = copies[0]
    template = _template_mapping_of(first, setting.mapping)
    key = f"{setting.mapping.collection}.{first.shared_id}"
    record = ConvertedRecord(first.origin, mint("uwazi", key, setting.base), graph,
                             restricted=not all(c.published for c in copies))
    triples = set(_entity_triples(record.subject, copies, template, setting))
    for copy in copies:
        _check_mapped(copy, template, setting.mapping)
        triples.update(_metadata_triples(copy, record.subject, key, template, setting))
    record.triples = sorted(triples, key=_ntriples_order)
    return record


def _template_mapping_of(entity: UwaziEntity, mapping: UwaziMapping) -> TemplateMapping:
    template = mapping.templates.get(entity.template.name)
    if template is None:
        raise RecordError(replace(entity.origin, field="template"),
                          f"template {entity.template.name!r} is not in the mapping {mapping.file}")
    unknown = sorted(set(template.properties) - {p.name for p in entity.template.properties})
    if unknown:
        raise RecordError(replace(entity.origin, field=unknown[0]),
                          f"the mapping names properties template {entity.template.name!r} does not have: "
                          f"{', '.join(unknown)}")
    return template


def _check_mapped(entity: UwaziEntity, template: TemplateMapping, mapping: UwaziMapping) -> None:
    unmapped = [name for name in entity.metadata if name not in template.properties]
    if unmapped and not mapping.skip_unmapped:
        raise RecordError(replace(entity.origin, field=unmapped[0]),
                          f"properties not in the mapping for template {entity.template.name!r}: {', '.join(unmapped)} "
                          f"(map them, or set unmapped = \"skip\" in {mapping.file})")


def _ntriples_order(triple: Triple) -> tuple[str, str, str]:
    return tuple(term.n3() for term in triple)


def _entity_triples(subject: URIRef, copies: list[UwaziEntity], template: TemplateMapping,
                    setting: _Setting) -> list[Triple]:
    """Classes, a label per language copy, and where the entity comes from."""
    first, mapping = copies[0], setting.mapping
    triples = [(subject, RDF.type, cls) for cls in template.classes]
    triples += _title_labels(subject, copies, template.title_languages)
    triples += [
        (subject, PROV.wasDerivedFrom, URIRef(f"{mapping.instance_url}/entity/{first.shared_id}")),
        (subject, FP.uwaziSharedId, Literal(first.shared_id)),
        (subject, FP.uwaziTemplate, Literal(first.template.name)),
        (subject, DCTERMS.source, setting.source),
    ]
    edit_dates = [c.edit_date for c in copies if c.edit_date is not None]
    if edit_dates:
        triples.append((subject, DCTERMS.modified, _xsd_datetime(max(edit_dates))))
    return triples


def _title_labels(subject: URIRef, copies: list[UwaziEntity], languages: dict[str, str | None]) -> list[Triple]:
    """rdfs:label: each copy's title, tagged with its language or the tag `languages` gives it."""
    kept = [c for c in copies if c.title and not (c.language in languages and languages[c.language] is None)]
    return [(subject, RDFS.label, Literal(c.title, lang=languages.get(c.language, c.language))) for c in kept]


def _source_iri(source: str, base: str) -> URIRef:
    return URIRef(source) if ":" in source else mint("document", source, base)


def _xsd_datetime(epoch_ms: int) -> Literal:
    moment = EPOCH + timedelta(milliseconds=epoch_ms)
    text = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return Literal(text, datatype=XSD.dateTime, normalize=False)


def _metadata_triples(entity: UwaziEntity, subject: URIRef, key: str, template: TemplateMapping,
                      setting: _Setting) -> Iterable[Triple]:
    for name, values in entity.metadata.items():
        rule = template.properties.get(name)
        if rule is None:
            continue  # skipped: _check_mapped allowed it
        site = _site(rule, subject, key, name, entity, setting)
        if rule.on:
            yield from _event_triples(template.events[rule.on], site.subject, subject, setting.source)
        for index, value in enumerate(values, start=1):
            yield from CONVERTERS[site.prop_type](value, replace(site, index=str(index)))


def _site(rule: PropertyMapping, subject: URIRef, key: str, name: str, entity: UwaziEntity, setting: _Setting) -> _Site:
    """The site of a property's values: on the entity, or on the event node `rule.on` names."""
    if rule.on:
        key = f"{key}.{rule.on}"
        subject = mint("uwazi", key, setting.base)
    prop_type = entity.template.property(name).type
    return _Site(subject, f"{key}.{slug(name)}", "1", prop_type, rule, entity.language,
                 replace(entity.origin, field=name), setting)


def _event_triples(event: EventMapping, node: URIRef, entity: URIRef, source: URIRef) -> list[Triple]:
    """The event's classes, its link to the entity, and its source: every fact node carries its own."""
    types = [(node, RDF.type, cls) for cls in event.classes]
    return types + [(node, event.link, entity), (node, DCTERMS.source, source)]


def _predicate(site: _Site) -> URIRef:
    predicate = site.rule.predicate or DEFAULT_PREDICATES.get(site.prop_type)
    if predicate is None:
        raise RecordError(site.origin, f"the mapping gives no predicate for this {site.prop_type} property "
                                       f"({site.rule.origin.record})")
    return predicate


# ---------------------------------------------------------------- one converter per property type


def _text(value: str, site: _Site) -> list[Triple]:
    return [(site.subject, _predicate(site), Literal(value, lang=site.language))]


def _identifier(value: str, site: _Site) -> list[Triple]:
    return [(site.subject, _predicate(site), Literal(value))]


def _numeric(value: int | Decimal, site: _Site) -> list[Triple]:
    return [(site.subject, _predicate(site), Literal(value))]


def _date(value: int, site: _Site) -> list[Triple]:
    return [(site.subject, _predicate(site), _xsd_date(value, site.origin))]


def _xsd_date(seconds: int, origin: Origin) -> Literal:
    """The UTC day of a time in Unix seconds (Uwazi stores a date as its UTC midnight)."""
    try:
        day = (EPOCH + timedelta(seconds=seconds)).date()
    except OverflowError:
        raise RecordError(origin, f"date {seconds} (Unix seconds) is outside years 1-9999") from None
    return Literal(f"{day.year:04d}-{day.month:02d}-{day.day:02d}", datatype=XSD.date, normalize=False)


def _range_ends(value: DateRange, node: URIRef, site: _Site) -> list[Triple]:
    ends = [(site.rule.start, value.start), (site.rule.end, value.end)]
    return [(node, predicate, _xsd_date(seconds, site.origin)) for predicate, seconds in ends if seconds is not None]


def _daterange(value: DateRange, site: _Site) -> list[Triple]:
    """Start and end on the subject; with a predicate, on a node of their own that it links to."""
    if site.rule.predicate is None:
        return _range_ends(value, site.subject, site)
    return _range_node(value, site)


def _range_node(value: DateRange, site: _Site) -> list[Triple]:
    """One node per range, so that each start stays paired with its end."""
    node = site.value_node()
    return _node_link(node, site) + _range_ends(value, node, site)


def _node_link(node: URIRef, site: _Site) -> list[Triple]:
    """The link to a value's node, and the node's classes; a typed node (e.g. an fp:Event) is a fact of its
    own and carries the source."""
    typed = [(node, RDF.type, cls) for cls in site.rule.classes]
    sourced = [(node, DCTERMS.source, site.setting.source)] if typed else []
    return [(site.subject, _predicate(site), node)] + typed + sourced


def _select(value: Term, site: _Site) -> list[Triple]:
    concept = _mapped_concept(value, site.rule)
    triples = [] if concept else _minted_concept_triples(value, site)
    concept = concept or _concept_iri(value, site)
    triples.append((site.subject, _predicate(site), concept))
    if site.rule.as_type:
        triples.append((site.subject, RDF.type, concept))
    return triples


def _mapped_concept(value: Term, rule: PropertyMapping) -> URIRef | None:
    """The concept the mapping gives for the value id, else for `Group::Label`, else for the label."""
    if value.id in rule.concepts:
        return rule.concepts[value.id]
    by_label = {_label_key(key): concept for key, concept in rule.concepts.items()}
    group = f"{value.parent.label}::" if value.parent else ""
    return by_label.get(_label_key(f"{group}{value.label}")) or by_label.get(_label_key(value.label))


def _concept_iri(value: Term, site: _Site) -> URIRef:
    """`{base}uwazi/<collection>/thesaurus/<thesaurus-id>/<value-id>`: ids as Uwazi has them."""
    if not value.thesaurus or not value.id:
        raise RecordError(site.origin, f"select value {value.label!r} has no thesaurus value id (it is not in a known "
                          f"thesaurus): map it under 'concepts' in {site.rule.origin.record}")
    for segment in (value.thesaurus, value.id):
        if not IRI_SEGMENT.match(segment):
            raise RecordError(site.origin, f"thesaurus id {segment!r} has characters that cannot go into an IRI path")
    return URIRef(f"{_scheme_iri(value.thesaurus, site)}/{value.id}")


def _scheme_iri(thesaurus: str, site: _Site) -> URIRef:
    return URIRef(f"{site.setting.base}uwazi/{site.setting.mapping.collection}/thesaurus/{thesaurus}")


def _minted_concept_triples(value: Term, site: _Site) -> list[Triple]:
    """A concept of the Uwazi thesaurus, labelled in the language of the copy, under its group if it has one."""
    concept, scheme = _concept_iri(value, site), _scheme_iri(value.thesaurus, site)
    triples = [
        (concept, RDF.type, SKOS.Concept), (concept, SKOS.inScheme, scheme), (scheme, RDF.type, SKOS.ConceptScheme),
        (concept, SKOS.prefLabel, Literal(value.label, lang=site.language)),
    ]
    thesaurus = site.setting.schema.thesauri.get(value.thesaurus)
    if thesaurus and thesaurus.name:
        triples.append((scheme, RDFS.label, Literal(thesaurus.name)))
    if value.parent:
        triples += _minted_concept_triples(value.parent, site)
        triples.append((concept, SKOS.broader, _concept_iri(value.parent, site)))
    return triples


def _relationship(value: EntityRef, site: _Site) -> list[Triple]:
    """The target entity's IRI and, if the mapping says so, the values it passes on to this entity."""
    triples = []
    if site.rule.predicate or not site.rule.inherited:
        triples.append((site.subject, _predicate(site), _target_iri(value, site)))
    if site.rule.inherited:
        triples += _inherited(value, site)
    return triples


def _target_iri(value: EntityRef, site: _Site) -> URIRef:
    if not value.shared_id:
        raise RecordError(site.origin, f"relationship target {value.title!r} has no sharedId (a CSV names targets by "
                          "title: pass shared_ids to read_uwazi_csv)")
    shared_id = _checked_shared_id(value.shared_id, site.origin)
    return mint("uwazi", f"{site.setting.mapping.collection}.{shared_id}", site.setting.base)


def _inherited(value: EntityRef, site: _Site) -> list[Triple]:
    """Inherited values, converted by their own type onto this entity; their nodes are numbered
    `<target index>-<value index>` so two targets' values do not share a node."""
    if value.inherited and value.inherited_type not in CONVERTERS:
        raise RecordError(site.origin, f"inherited type {value.inherited_type!r} cannot be converted")
    inherited_site = replace(site, rule=site.rule.inherited, prop_type=value.inherited_type)
    return [
        triple for index, inherited in enumerate(value.inherited, start=1)
        for triple in CONVERTERS[value.inherited_type](inherited,
                                                       replace(inherited_site, index=f"{site.index}-{index}"))
    ]


def _link(value: Link, site: _Site) -> list[Triple]:
    url = _web_iri(value.url, site.origin, "link")
    triples = [(site.subject, _predicate(site), url)]
    if value.label and value.label != value.url:
        triples.append((url, RDFS.label, Literal(value.label, lang=site.language)))
    return triples


def _file(value: str, site: _Site) -> list[Triple]:
    """An image or media file: an external URL, or a path on the instance such as /api/files/<filename>."""
    url = urljoin(f"{site.setting.mapping.instance_url}/", value)
    return [(site.subject, _predicate(site), _web_iri(url, site.origin, "file"))]


def _web_iri(url: str, origin: Origin, what: str) -> URIRef:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc or IRI_FORBIDDEN.search(url):
        raise RecordError(origin, f"{what} URL {url!r} is not an absolute URL")
    return URIRef(url)


def _geolocation(value: GeoPoint, site: _Site) -> list[Triple]:
    place = site.value_node()
    triples = [
        (site.subject, _predicate(site), place), (place, RDF.type, FP.Place),
        (place, SCHEMA.latitude, Literal(value.lat)), (place, SCHEMA.longitude, Literal(value.lon)),
    ]
    if value.label:
        triples.append((place, RDFS.label, Literal(value.label)))
    return triples


def _nested_row(value: NestedRow, site: _Site) -> list[Triple]:
    """One node per row; each key's values through the predicate `fields` gives it."""
    row = site.value_node()
    triples = _node_link(row, site)
    for key, items in value.fields:
        predicate = site.rule.fields.get(key)
        if predicate is None and items and not site.setting.mapping.skip_unmapped:
            raise RecordError(site.origin, f"nested key {key!r} is not under 'fields' in {site.rule.origin.record}")
        triples += [(row, predicate, Literal(item)) for item in items if predicate]
    return triples


Converter = Callable[[Value, _Site], list[Triple]]


CONVERTERS: dict[str, Converter] = {
    "text": _text, "markdown": _text, "generatedid": _identifier, "numeric": _numeric,
    "date": _date, "multidate": _date, "daterange": _daterange, "multidaterange": _range_node,
    "select": _select, "multiselect": _select, "relationship": _relationship, "link": _link,
    "image": _file, "media": _file, "geolocation": _geolocation, "nested": _nested_row,
}
