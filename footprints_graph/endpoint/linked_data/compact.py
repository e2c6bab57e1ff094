"""Records as compact, framed JSON-LD for web developers who do not want to know RDF.

    GET /id/person/kim-jung-wook?format=compact
    GET /id/person/kim-jung-wook   with   Accept: application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"

answer the resource's description (the same triples as its Turtle, see `linked_data.describe`) as one JSON
object with plain keys from the published context (`/context.jsonld`): `name`, `alternateNames`,
`categories`, `creditedTo`, `sources`, and the claim nodes about the record nested under it (`listings`,
`events`, `statuses`, through the context's `@reverse` terms). Cited documents are embedded where they are
cited, with their label and title, so `record.events[0].sources[0].label.en` reads without a second request.

Shapes a developer can rely on: text is a language map (`{"ko-latn": "Kim Jung-wook", "ko": "김정욱"}`; tags
in lower case, as in every other format the server writes); keys the context declares as sets are always
arrays; a full date is a string (`"2024-03-27"`), a partial date keeps its precision as a value object
(`{"@value": "2013-10", "@type": "gYearMonth"}`). Any JSON-LD processor expands the document back to exactly
the description's triples (a test checks this).

The compaction is driven by the context file alone, so the context and the documents cannot drift apart.
"""

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_options_header

from footprints_graph.resources import resource

COMPACTED = "http://www.w3.org/ns/json-ld#compacted"
FRAMED = "http://www.w3.org/ns/json-ld#framed"
CONTENT_TYPE = f'application/ld+json; profile="{COMPACTED}"'
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
PLAIN_DATATYPES = {f"{XSD}string": str, f"{XSD}boolean": lambda text: text == "true"}  # JSON has these natively
LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

Node = ox.NamedNode | ox.BlankNode


# ---------------------------------------------------------------- the context


@dataclass(frozen=True)
class Term:
    key: str
    iri: str
    coerce: str | None = None  # "@id", "@vocab" or a datatype IRI
    language_map: bool = False
    many: bool = False
    reverse: bool = False

    def fits(self, objects: list) -> bool:
        """Whether every value can be written in this term's shape."""
        if self.language_map:
            return all(isinstance(o, ox.Literal) and o.language for o in objects)
        if self.coerce in ("@id", "@vocab"):
            return all(isinstance(o, ox.NamedNode) for o in objects)
        return True


@dataclass(frozen=True)
class Context:
    vocab: str
    prefixes: dict[str, str]
    terms: tuple[Term, ...]

    @property
    def forward(self) -> dict[str, Term]:
        return {t.iri: t for t in self.terms if not t.reverse}

    @property
    def reverse(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.reverse)

    def expand(self, value: str) -> str:
        prefix, colon, local = value.partition(":")
        return self.prefixes[prefix] + local if colon and prefix in self.prefixes else value

    def compact_iri(self, iri: str) -> str:
        """An alias term, else a term-safe vocabulary-relative name, else a compact IRI, else the IRI."""
        alias = next((t.key for t in self.terms if t.iri == iri and t == Term(t.key, t.iri)), None)
        if alias:  # a term that only names the IRI, such as gYear for xsd:gYear
            return alias
        local = iri[len(self.vocab):] if iri.startswith(self.vocab) else ""
        named = {t.key: t.iri for t in self.terms}
        if LOCAL_NAME.match(local) and named.get(local, iri) == iri:
            return local
        for prefix, namespace in sorted(self.prefixes.items(), key=lambda p: -len(p[1])):
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri


@cache
def context_document() -> dict:
    """The published context, as served at /context.jsonld."""
    return json.loads(resource("endpoint", "context.jsonld").read_text(encoding="utf-8"))


@cache
def context() -> Context:
    entries = context_document()["@context"]
    prefixes = {k: v for k, v in entries.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    plain = Context(entries["@vocab"], prefixes, ())
    definitions = {k: v for k, v in entries.items() if not k.startswith("@") and k not in prefixes}
    terms = tuple(_term(key, value, plain) for key, value in definitions.items() if value not in ("@id", "@type"))
    return Context(entries["@vocab"], prefixes, terms)


def _term(key: str, value: str | dict, plain: Context) -> Term:
    if isinstance(value, str):
        return Term(key, plain.expand(value))
    containers = value.get("@container", [])
    containers = [containers] if isinstance(containers, str) else containers
    coerce = value.get("@type")
    return Term(key, plain.expand(value.get("@reverse") or value["@id"]),
                coerce if coerce in ("@id", "@vocab", None) else plain.expand(coerce),
                "@language" in containers, "@set" in containers, "@reverse" in value)


# ---------------------------------------------------------------- compaction


@dataclass(frozen=True)
class Description:
    """The triples of a description, indexed by subject and by object."""

    by_subject: dict
    by_object: dict

    @classmethod
    def of(cls, triples: Iterable[ox.Triple]) -> "Description":
        by_subject, by_object = defaultdict(list), defaultdict(list)
        for t in triples:
            by_subject[t.subject].append(t)
            by_object[t.object].append(t)
        return cls(by_subject, by_object)


def compact_record(triples: Iterable[ox.Triple], iri: str, context_url: str) -> dict:
    """The description of `iri` as one compact JSON-LD object, claim nodes and cited documents embedded."""
    description = Description.of(triples)
    return {"@context": context_url, **_node(ox.NamedNode(iri), description, context(), (), None)}


def _node(node: Node, description: Description, ctx: Context, ancestors: tuple, skip: tuple | None) -> dict:
    """One node object. `skip` is the (predicate, parent) link a reverse term already expresses."""
    out = {"id": node.value} if isinstance(node, ox.NamedNode) else {}
    grouped = defaultdict(list)
    for t in description.by_subject.get(node, []):
        if (t.predicate.value, t.object) != skip:
            grouped[t.predicate.value].append(t.object)
    types = grouped.pop(RDF_TYPE, [])
    if types:
        out["type"] = sorted(ctx.compact_iri(t.value) for t in types)
    inner = (*ancestors, node)
    for predicate, objects in _in_context_order(grouped, ctx):
        key, value = _property(predicate, objects, description, ctx, inner)
        out[key] = value
    if not ancestors:  # only the record itself gathers the claim nodes about it
        out.update(_claims(node, description, ctx, inner))
    return out


def _in_context_order(grouped: dict, ctx: Context) -> list[tuple[str, list]]:
    order = {t.iri: i for i, t in enumerate(ctx.terms)}
    return sorted(grouped.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def _property(predicate: str, objects: list, description: Description, ctx: Context,
              ancestors: tuple) -> tuple[str, object]:
    term = ctx.forward.get(predicate)
    if term is None or not term.fits(objects):
        term = Term(ctx.compact_iri(predicate), predicate)
    if term.language_map:
        return term.key, _language_map(objects, term.many)
    values = sorted((_value(o, term, description, ctx, ancestors) for o in objects), key=_sort_key)
    return term.key, values if term.many or len(values) > 1 else values[0]


def _claims(node: Node, description: Description, ctx: Context, ancestors: tuple) -> dict:
    out = {}
    for term in ctx.reverse:
        pointing = description.by_object.get(node, [])
        claims = sorted({t.subject for t in pointing if t.predicate.value == term.iri}, key=str)
        if claims:
            out[term.key] = [_node(c, description, ctx, ancestors, (term.iri, node)) for c in claims]
    return out


def _value(obj, term: Term, description: Description, ctx: Context, ancestors: tuple):
    if isinstance(obj, ox.Literal):
        return _literal(obj, term, ctx)
    if obj in description.by_subject and obj not in ancestors:  # a cited document: embed what is said of it
        return _node(obj, description, ctx, ancestors, None)
    if term.coerce == "@id":
        return obj.value
    if term.coerce == "@vocab":
        return ctx.compact_iri(obj.value)
    return {"id": obj.value} if isinstance(obj, ox.NamedNode) else {"id": f"_:{obj.value}"}


def _literal(literal: ox.Literal, term: Term, ctx: Context):
    datatype = literal.datatype.value
    if literal.language:
        return {"@value": literal.value, "@language": literal.language}
    if term.coerce == datatype:
        return literal.value
    if term.coerce is None and datatype in PLAIN_DATATYPES:
        return PLAIN_DATATYPES[datatype](literal.value)
    return {"@value": literal.value, "@type": ctx.compact_iri(datatype)}


def _language_map(literals: list[ox.Literal], many: bool) -> dict:
    by_language = defaultdict(list)
    for literal in literals:
        by_language[literal.language].append(literal.value)
    return {lang: sorted(v) if many or len(v) > 1 else v[0] for lang, v in sorted(by_language.items())}


def _sort_key(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------- content negotiation


def wants_compact(args: dict, accept: MIMEAccept) -> bool:
    """`?format=compact`, or an Accept header asking for JSON-LD with the compacted or framed profile (one of
    the profile parameter's space-separated IRIs) at a quality above 0."""
    if args.get("format") == "compact":
        return True
    return any(quality > 0 and _asks_compact(value) for value, quality in accept)


def _asks_compact(media_range: str) -> bool:
    media_type, parameters = parse_options_header(media_range)
    profiles = parameters.get("profile", "").split()
    return media_type == "application/ld+json" and (COMPACTED in profiles or FRAMED in profiles)
