"""How RDF terms look on HTML pages: labels in English and Korean, links to local pages for the IRIs this
server answers for (the minted IRIs, the ontology, the vocabularies) and out to everything else."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from footprints_graph.endpoint.linked_data.void import DESCRIPTION_PREFIXES
from footprints_graph.iris import ONTOLOGY, PREFIXES, VOCAB

SITE = ONTOLOGY.removesuffix("ontology#")  # https://w3id.org/footprints-graph/
LABEL_PROPERTIES = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label")
ENGLISH = ("en", "ko-latn", "")  # preferred languages of the label shown, in order
ALL_PREFIXES = {**DESCRIPTION_PREFIXES, **PREFIXES, "sh": "http://www.w3.org/ns/shacl#"}
# What a page may link out to. A query's result can hold any IRI (BIND(IRI("javascript:…") AS ?x)), and a browser
# runs a javascript: or data: link when it is clicked; spaces and control characters are refused too, since
# browsers drop some of them before they read the scheme ("java\tscript:").
WEB_LINK = re.compile(r"https?://[^\x00-\x20\x7f]*", re.IGNORECASE)


def web_link(iri: object) -> bool:
    """True if `iri` may be the target of a link on a page: an http or https URL (a template may ask of none)."""
    return isinstance(iri, str) and bool(WEB_LINK.fullmatch(iri))


class IriSpace:
    """Maps the IRIs this server answers for onto its own paths and back: a minted IRI under the base, whatever
    the base, is served under /id/ (<base>person/kim-jung-wook → /id/person/kim-jung-wook); the ontology, the
    vocabularies and the shapes under /ontology, /vocab and /shapes."""

    base_path = "/id/"

    def __init__(self, base: str):
        self.spaces = ((base, self.base_path), (SITE + "ontology", "/ontology"), (VOCAB.rstrip("/"), "/vocab"),
                       (SITE + "shapes", "/shapes"))

    def local(self, iri: str) -> str | None:
        """The local path of an IRI this server answers for, else None."""
        return next((path + iri[len(prefix):] for prefix, path in self.spaces if iri.startswith(prefix)), None)

    def iri(self, path: str) -> str | None:
        """The IRI a local path stands for, else None."""
        return next((prefix + path[len(local):] for prefix, local in self.spaces if path.startswith(local)), None)


@dataclass(frozen=True)
class Names:
    english: str | None = None
    korean: str | None = None


def labels(store: ox.Store, iris: Iterable[str]) -> dict[str, Names]:
    """The English (or romanized) and Korean (Hangul) label of each IRI that has one."""
    wanted = sorted(set(iris))
    if not wanted:
        return {}
    values = " ".join(f"<{i}>" for i in wanted)
    # one branch per property: with the property a variable (VALUES ?p), Oxigraph scans every triple of the
    # store (0.5 s for 20,000 victims), with it fixed it looks each IRI up (a few ms)
    branches = " UNION ".join(f"{{ ?x <{p}> ?label }}" for p in LABEL_PROPERTIES)
    query = f"SELECT ?x ?label WHERE {{ VALUES ?x {{ {values} }} {branches} }}"
    found: dict[str, list[ox.Literal]] = {}
    for row in store.query(query, use_default_graph_as_union=True):
        found.setdefault(row["x"].value, []).append(row["label"])
    return {iri: _names(literals) for iri, literals in found.items()}


def _names(literals: list[ox.Literal]) -> Names:
    by_language = {(lit.language or "").lower(): lit.value for lit in literals}
    english = next((by_language[lang] for lang in ENGLISH if lang in by_language), None)
    return Names(english or next(iter(by_language.values())), by_language.get("ko"))


def compact(iri: str) -> str:
    """`fp:Victim` for an IRI in a known namespace, else the IRI."""
    for prefix, namespace in sorted(ALL_PREFIXES.items(), key=lambda item: -len(item[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return iri


@dataclass(frozen=True)
class TermView:
    """An RDF term ready for a template."""

    text: str
    href: str | None = None
    external: bool = False
    iri: str | None = None
    korean: str | None = None
    language: str | None = None
    datatype: str | None = None


class Presenter:
    """Turns terms into TermViews with the labels of one page, fetched in one query."""

    def __init__(self, store: ox.Store, space: IriSpace, iris: Iterable[str]):
        self.space = space
        self.names = labels(store, iris)

    def term(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> TermView:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            return TermView(f"_:{term.value}")
        datatype = None if term.language else compact(term.datatype.value)
        return TermView(term.value, language=term.language, datatype=None if datatype == "xsd:string" else datatype)

    def iri(self, iri: str) -> TermView:
        names = self.names.get(iri, Names())
        local = self.space.local(iri)
        text = names.english or (local.removeprefix(self.space.base_path) if local else compact(iri))
        href = local or (iri if web_link(iri) else None)
        return TermView(text, href, external=local is None, iri=iri, korean=names.korean)


def iris_in(triples: Iterable[ox.Triple]) -> set[str]:
    """Every IRI in subject, predicate or object position."""
    return {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object)
            if isinstance(t, ox.NamedNode)}
