"""The TOML file that maps an Uwazi collection to RDF (format: data/uwazi/README.md), read into
`UwaziMapping` and checked as it is read: every key known, every CURIE expanded, every concept found by its
skos:notation; an error points into the file."""

import re
import tomllib
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Namespace, URIRef

from footprints_graph.errors import Origin, RecordError
from footprints_graph.iris import KEY_PATTERN, prefixes
from footprints_graph.vocab import FP, UnknownConcept, concept_in_scheme

SCHEMA = Namespace("https://schema.org/")
# The CURIEs a mapping may write: open namespaces, so a mapping's fp: term is checked by the shapes, not here.
PREFIXES = {prefix: Namespace(iri) for prefix, iri
            in prefixes("fp", "fpv", "dct", "schema", "skos", "rdfs", "owl", "prov").items()}
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
COLLECTION_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # no dots: a dot separates it from the sharedId
IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')


@dataclass(frozen=True)
class EventMapping:
    """A node for an event of the entity (e.g. its abduction) that several properties describe."""

    classes: tuple[URIRef, ...]
    link: URIRef  # event → entity, e.g. fp:victim


@dataclass(frozen=True)
class PropertyMapping:
    """How the values of one Uwazi property become RDF; `origin` points into the mapping file."""

    origin: Origin
    predicate: URIRef | None = None
    on: str | None = None  # the event the values describe, instead of the entity
    classes: tuple[URIRef, ...] = ()  # of the node each value gets (date range, nested row)
    start: URIRef = FP.startDate
    end: URIRef = FP.endDate
    concepts: dict[str, URIRef] = field(default_factory=dict)  # thesaurus value id, label or Group::Label → concept
    as_type: bool = False  # also rdf:type the concept (our victim categories are punned classes)
    fields: dict[str, URIRef] = field(default_factory=dict)  # nested key → predicate
    inherited: "PropertyMapping | None" = None  # for the values a relationship inherits from its targets


@dataclass(frozen=True)
class TemplateMapping:
    classes: tuple[URIRef, ...]
    events: dict[str, EventMapping]
    properties: dict[str, PropertyMapping]
    # Language copy → language tag of its title (a FOOTPRINTS English copy holds a romanized Korean name,
    # "ko-Latn"); None leaves that copy's title out. Copies not named keep their own language.
    title_languages: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class UwaziMapping:
    file: str
    collection: str
    instance_url: str
    source: str  # a document key or an IRI
    skip_unmapped: bool
    templates: dict[str, TemplateMapping]


def load_mapping(path: Path | str) -> UwaziMapping:
    """Read and check a TOML mapping file."""
    origin = Origin(str(path))
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise RecordError(origin, f"not valid TOML: {error}") from error
    _check_keys(raw, {"collection", "instance_url", "source", "unmapped", "templates"}, origin)
    return UwaziMapping(
        file=str(path),
        collection=_matching(_required(raw, "collection", origin), COLLECTION_KEY, replace(origin, field="collection")),
        instance_url=_instance_url(_required(raw, "instance_url", origin), replace(origin, field="instance_url")),
        source=_source(_required(raw, "source", origin), replace(origin, field="source")),
        skip_unmapped=_unmapped(raw.get("unmapped", "error"), replace(origin, field="unmapped")),
        templates={name: _template_mapping(t, replace(origin, record=f"templates.{name}"))
                   for name, t in raw.get("templates", {}).items()},
    )


def _check_keys(table: dict, allowed: set[str], origin: Origin) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise RecordError(replace(origin, field=unknown[0]),
                          f"unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(allowed))}")


def _required(table: dict, key: str, origin: Origin):
    if key not in table:
        raise RecordError(replace(origin, field=key), f"{key!r} is required")
    return table[key]


def _matching(text: str, pattern: re.Pattern, origin: Origin) -> str:
    if not isinstance(text, str) or not pattern.match(text):
        raise RecordError(origin, f"{text!r} must match {pattern.pattern}")
    return text


def _instance_url(text: str, origin: Origin) -> str:
    if not isinstance(text, str) or urlsplit(text).scheme not in ("http", "https") or IRI_FORBIDDEN.search(text):
        raise RecordError(origin, f"{text!r} is not an http(s) URL")
    return text.rstrip("/")


def _source(text: str, origin: Origin) -> str:
    if isinstance(text, str) and (":" in text or KEY_PATTERN.match(text)):
        return str(_iri(text, origin)) if ":" in text else text
    raise RecordError(origin, f"{text!r} is neither a document key (e.g. 'footprints-database') nor an IRI")


def _unmapped(text: str, origin: Origin) -> bool:
    if text not in ("error", "skip"):
        raise RecordError(origin, f"{text!r} is neither 'error' nor 'skip'")
    return text == "skip"


def _iri(text: str, origin: Origin) -> URIRef:
    """A full IRI, or a CURIE with one of PREFIXES."""
    if not isinstance(text, str):
        raise RecordError(origin, f"{text!r} is not an IRI or CURIE")
    if text.startswith(("http://", "https://", "urn:")) and not IRI_FORBIDDEN.search(text):
        return URIRef(text)
    prefix, _, local = text.partition(":")
    if prefix not in PREFIXES or not local or IRI_FORBIDDEN.search(local):
        raise RecordError(origin, f"{text!r} is not a full IRI or a CURIE with prefix {', '.join(PREFIXES)}")
    return PREFIXES[prefix][local]


def _iris(value, origin: Origin) -> tuple[URIRef, ...]:
    return tuple(_iri(v, origin) for v in ([value] if isinstance(value, str) else value))


def _template_mapping(raw: dict, origin: Origin) -> TemplateMapping:
    _check_keys(raw, {"classes", "events", "properties", "title_languages"}, origin)
    events = {name: _event_mapping(name, e, replace(origin, record=f"{origin.record}.events.{name}"))
              for name, e in raw.get("events", {}).items()}
    properties = {name: _property_mapping(p, replace(origin, record=f"{origin.record}.properties.{name}"))
                  for name, p in raw.get("properties", {}).items()}
    for prop in properties.values():
        if prop.on and prop.on not in events:
            raise RecordError(replace(prop.origin, field="on"),
                              f"event {prop.on!r} is not declared under {origin.record}.events")
    return TemplateMapping(_iris(raw.get("classes", []), _at(origin, "classes")), events, properties,
                           _title_languages(raw.get("title_languages", {}), _at(origin, "title_languages")))


def _title_languages(raw: dict, origin: Origin) -> dict[str, str | None]:
    """Copy language → a BCP 47 tag, or false: no title from that copy."""
    for language, tag in raw.items():
        if tag is not False and not (isinstance(tag, str) and LANGUAGE_TAG.match(tag)):
            raise RecordError(origin, f"{language} = {tag!r} is neither a language tag (e.g. \"ko-Latn\") nor false")
    return {language: tag or None for language, tag in raw.items()}


def _event_mapping(name: str, raw: dict, origin: Origin) -> EventMapping:
    _check_keys(raw, {"classes", "link"}, origin)
    _matching(name, COLLECTION_KEY, origin)  # it goes into the event's IRI
    return EventMapping(
        classes=_iris(raw.get("classes", []), _at(origin, "classes")),
        link=_iri(_required(raw, "link", origin), _at(origin, "link")),
    )


PROPERTY_KEYS = {"predicate", "on", "classes", "start", "end", "concepts", "scheme", "as_type", "fields", "inherited"}


def _property_mapping(raw: dict, origin: Origin) -> PropertyMapping:
    _check_keys(raw, PROPERTY_KEYS, origin)
    return PropertyMapping(
        origin=origin,
        predicate=_iri(raw["predicate"], _at(origin, "predicate")) if "predicate" in raw else None,
        on=raw.get("on"),
        classes=_iris(raw.get("classes", []), _at(origin, "classes")),
        start=_iri(raw.get("start", "fp:startDate"), _at(origin, "start")),
        end=_iri(raw.get("end", "fp:endDate"), _at(origin, "end")),
        concepts=_concepts(raw.get("concepts", {}), raw.get("scheme"), _at(origin, "concepts")),
        as_type=raw.get("as_type", False) is True,
        fields={key: _iri(p, _at(origin, f"fields.{key}")) for key, p in raw.get("fields", {}).items()},
        inherited=_property_mapping(raw["inherited"], _at(origin, "inherited")) if "inherited" in raw else None,
    )


def _at(origin: Origin, key: str) -> Origin:
    """Where in the mapping file an entry is, for error messages."""
    return replace(origin, field=key)


def _concepts(raw: dict, scheme: str | None, origin: Origin) -> dict[str, URIRef]:
    """Thesaurus value → concept: a CURIE/IRI, or a skos:notation of a concept of `scheme` in our ontology."""
    scheme_iri = _iri(scheme, _at(origin, "scheme")) if scheme else None
    return {value: _concept(target, scheme_iri, origin) for value, target in raw.items()}


def _concept(target: str, scheme: URIRef | None, origin: Origin) -> URIRef:
    if ":" in target:
        return _iri(target, origin)
    if scheme is not None:
        with suppress(UnknownConcept):
            return concept_in_scheme(scheme, target)
    raise RecordError(origin, f"no concept with skos:notation {target!r} in scheme {scheme or '(no scheme given)'}")
