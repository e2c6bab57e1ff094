"""Linked data: every IRI the graph mints under the base dereferences here, with content negotiation between
an HTML page and the RDF formats of the protocol's table (also chosen by extension: .ttl, .jsonld, .nt, .rdf).

A resource's RDF is its CBD-like description: its own triples and those of the blank nodes it owns, plus the
claim nodes that point at it (a person's listings, events and statuses) with theirs, plus a summary of every
source document those triples cite (label, title, symbol, URL), so a client can follow each fact to its source
(releases/views/records.py defines what it holds). A person's Turtle is read whole from the release's records
view when it carries one (stored.py, before Flask); every other answer is computed here from the store.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request
from werkzeug.exceptions import InternalServerError

from footprints_graph.endpoint.language import Words, chosen_language
from footprints_graph.endpoint.linked_data.presentation import IriSpace, Presenter, iris_in, web_link
from footprints_graph.endpoint.linked_data.records import record_layout
from footprints_graph.endpoint.site import current_site
from footprints_graph.endpoint.sparql.backends import ReadableStore
from footprints_graph.endpoint.sparql.evaluation import serialize_triples
from footprints_graph.endpoint.sparql.protocol import (
    GRAPH,
    best_match,
    format_by_extension,
    format_of_media_type,
    formats_for,
)
from footprints_graph.errors import FootprintsError
from footprints_graph.iris import ONTOLOGY_GRAPH
from footprints_graph.releases.views.records import CLAIM_PROPERTIES, DCT_SOURCE, RDF_TYPE, SOURCE_SUMMARY

OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
SCHEMA_URL = "https://schema.org/url"
HTML = "text/html"
DESCRIPTION_LIMIT = 100_000  # triples read for one pattern of a description (a person's whole record: about 50)
INCOMING_SHOWN = 200  # what a page lists of the triples that point at its resource (the data formats carry all)
MEMBERS_SHOWN = 200  # what a named graph's page lists of the resources in it

blueprint = Blueprint("linked_data", __name__)
blueprint.add_app_template_test(web_link, "web_link")  # `{% if url is web_link %}`: only these link out


# ----------------------------------------------------------------------------- descriptions


class DescriptionTooLarge(FootprintsError, InternalServerError):
    """A resource with more statements to describe than one answer may hold (DESCRIPTION_LIMIT): read until the
    limit, then refused, so that a graph or a record of millions of triples never holds a worker for long. An
    HTTP error too: the pages, reconciliation and the curators' routes that describe all answer it as a 500."""

    def __init__(self, iri: str):
        super().__init__(f"<{iri}> has more than {DESCRIPTION_LIMIT:,} statements to describe; this server describes "
                         f"at most {DESCRIPTION_LIMIT:,} in one answer. Ask /sparql for them, a page at a time "
                         "(LIMIT and OFFSET).")


@dataclass
class Description:
    iri: str
    triples: list[ox.Triple] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)  # claim nodes about the resource
    members: list[str] = field(default_factory=list)  # for a named graph: the first MEMBERS_SHOWN resources in it
    more_members: bool = False  # a named graph with more resources than `members` lists
    store: ReadableStore | None = field(default=None, repr=False, compare=False)  # read for `incoming`
    graph: ox.NamedNode | None = None  # the named graph the IRI names, whose triples are its data

    @property
    def data(self) -> list[ox.Triple]:
        """The triples of its RDF: a named graph's contents (read only when asked, at most DESCRIPTION_LIMIT), or
        the description's."""
        if self.graph is not None and self.store is not None:
            return sorted(_triples(self.store, self.iri, graph=self.graph), key=str)
        return self.triples

    @cached_property
    def incoming(self) -> list[ox.Triple]:
        """What other resources say about it: read when first asked for (the data of a resource known only as an
        object), at most DESCRIPTION_LIMIT."""
        if self.store is None or self.members:  # a named graph's page lists its members instead
            return []
        return sorted(_triples(self.store, self.iri, None, None, ox.NamedNode(self.iri)), key=str)

    @cached_property
    def incoming_shown(self) -> tuple[list[ox.Triple], bool]:
        """What a page lists of `incoming`: the first INCOMING_SHOWN in the store's order, and whether there are
        more — a document that 80,000 listings cite is never read whole for its page."""
        if self.store is None or self.members:
            return [], False
        read = list(islice(self.store.quads_for_pattern(None, None, ox.NamedNode(self.iri)), INCOMING_SHOWN + 1))
        return sorted((q.triple for q in read[:INCOMING_SHOWN]), key=str), len(read) > INCOMING_SHOWN


def _triples(store: ReadableStore, iri: str, subject=None, predicate=None, obj=None, graph=None) -> set[ox.Triple]:
    """The triples of one pattern, refused past DESCRIPTION_LIMIT (counted as they are read, before all are)."""
    found = set()
    for quad in store.quads_for_pattern(subject, predicate, obj, graph):
        found.add(quad.triple)
        if len(found) > DESCRIPTION_LIMIT:
            raise DescriptionTooLarge(iri)
    return found


def own_triples(store: ReadableStore, node: ox.NamedNode | ox.BlankNode, iri: str) -> set[ox.Triple]:
    """The node's triples and, recursively, those of the blank nodes it points at."""
    triples, todo, seen = set(), [node], set()
    while todo:
        current = todo.pop()
        seen.add(current)
        found = _triples(store, iri, current)
        triples |= found
        todo += [t.object for t in found if isinstance(t.object, ox.BlankNode) and t.object not in seen]
    return triples


def claims_about(store: ReadableStore, node: ox.NamedNode) -> list[ox.NamedNode | ox.BlankNode]:
    # one pattern per claim property: what else points at the node (a war's thousands of acts) is never read
    return sorted({t.subject for p in CLAIM_PROPERTIES for t in _triples(store, node.value, None, ox.NamedNode(p), node)},
                  key=str)


def source_summaries(store: ReadableStore, triples: Iterable[ox.Triple], iri: str) -> set[ox.Triple]:
    documents = {t.object for t in triples if t.predicate.value == DCT_SOURCE and isinstance(t.object, ox.NamedNode)}
    # a document's own triples are few: one read each, kept to the summary's predicates
    return {t for d in documents for t in _triples(store, iri, d) if t.predicate.value in SOURCE_SUMMARY}


def exists(store: ReadableStore, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return (next(store.quads_for_pattern(node, None, None), None) is not None
            or next(store.quads_for_pattern(None, None, node), None) is not None
            or node in set(store.named_graphs()))


def describe(store: ReadableStore, iri: str) -> Description:
    """The resource's description, read from the store in this process (a few index reads, no query), at most
    DESCRIPTION_LIMIT triples in each of its reads."""
    node = ox.NamedNode(iri)
    own = own_triples(store, node, iri)
    if not own and node in set(store.named_graphs()):
        return _describe_graph(store, node)
    claims = claims_about(store, node)
    triples = own.union(*(own_triples(store, c, iri) for c in claims))
    triples |= source_summaries(store, triples, iri)
    description = Description(iri, [], [c.value for c in claims], store=store)
    # known only as an object (e.g. a version IRI): what points at it is all there is
    description.triples = sorted(triples, key=str) if triples else description.incoming
    return description


def _describe_graph(store: ReadableStore, graph: ox.NamedNode) -> Description:
    """A named graph's page lists its first MEMBERS_SHOWN resources, read in the store's order (by subject) until
    one more is seen: a graph of 100,000 victims is read whole only for its RDF."""
    members: set[str] = set()
    for quad in store.quads_for_pattern(None, None, None, graph):
        if isinstance(quad.subject, ox.NamedNode):
            members.add(quad.subject.value)
            if len(members) > MEMBERS_SHOWN:
                break
    shown = sorted(members)[:MEMBERS_SHOWN]
    return Description(graph.value, members=shown, more_members=len(members) > MEMBERS_SHOWN, store=store, graph=graph)


# ----------------------------------------------------------------------------- representations


@dataclass(frozen=True)
class Representation:
    """A resource with an HTML page and RDF, served under `path` (its local page) for `canonical` (its IRI)."""

    canonical: str
    path: str
    triples: Callable[[], Iterable[ox.Triple]]
    page: Callable[[], str]
    prefixes: dict | None = None


def offered_types() -> list[str]:
    return [HTML, *(f.media_type for f in formats_for(GRAPH))]


def respond(representation: Representation, extension: str | None = None) -> Response:
    """The representation in the format the extension names or the client prefers, with Vary, Link, ETag and
    Last-Modified; 304 when the client's copy is current (werkzeug reads If-None-Match, else
    If-Modified-Since); 406 when no format fits."""
    release = current_site().release()
    media_type = _chosen_media_type(extension)
    etag = entity_tag(release.build_id, media_type)
    if media_type == HTML:  # pages differ by language (?lang=, Accept-Language)
        etag += f"-{chosen_language()}"
    response = Response(headers=representation_headers(representation.canonical, representation.path,
                                                       varies=extension is None),
                        content_type=content_type(media_type))
    response.set_etag(etag)
    response.last_modified = release.modified
    response.make_conditional(request)
    del response.headers["Date"]  # the WSGI server dates each answer; one dated here the response cache would replay
    if response.status_code != 304:  # the body is only made when it is sent
        response.set_data(_body(representation, media_type))
    return response


def _chosen_media_type(extension: str | None) -> str:
    if extension is not None:
        row = format_by_extension(extension)
        if extension != "html" and row is None:
            abort(404)
        return row.media_type if row else HTML
    best = best_match(request.accept_mimetypes, offered_types())
    if best is None:
        abort(406, description=f"Available for this resource: {', '.join(offered_types())}.")
    return best


def _body(representation: Representation, media_type: str) -> bytes | str:
    if media_type == HTML:
        return representation.page()
    row = format_of_media_type(media_type)
    return serialize_triples(representation.triples(), row, **({"prefixes": representation.prefixes}
                                                              if representation.prefixes else {}))


def entity_tag(build_id: str, media_type: str) -> str:
    """The ETag of a resource's representation in `media_type` (before quoting): one per release and format."""
    return f"{build_id}-{media_type.replace('/', '.')}"


def content_type(media_type: str) -> str:
    return "text/html; charset=utf-8" if media_type == HTML else format_of_media_type(media_type).content_type


def representation_headers(canonical: str, path: str, varies: bool) -> dict[str, str]:
    """The headers of a resource's answer besides its type, tag and date: its IRI and the other formats (Link),
    how long it may be kept, and Vary when the format was negotiated."""
    alternates = [f'<{path}.{f.name}>; rel="alternate"; type="{f.media_type}"' for f in formats_for(GRAPH)]
    headers = {"Link": ", ".join([f'<{canonical}>; rel="canonical"', *alternates]),
               "Cache-Control": "public, max-age=300"}
    if varies:
        headers["Vary"] = "Accept"
    return headers


# ----------------------------------------------------------------------------- resource pages



def resource_representation(iri: str) -> Representation:
    site = current_site()
    store = site.release().store
    description = describe(store, iri)
    return Representation(iri, site.space.local(iri) or request.path, lambda: description.data,
                          lambda: _resource_page(store, description))


def _resource_page(store: ox.Store, description: Description) -> str:
    site = current_site()
    triples = [*description.triples, *description.incoming_shown[0]]
    presenter = Presenter(store, site.space, iris_in(triples) | {description.iri, *description.members})
    record = record_layout(description, presenter, Words(chosen_language(), presenter), site.release().build_id)
    return render_template("resource.html", page=resource_model(description, presenter), iri=description.iri,
                           path=site.space.local(description.iri), formats=formats_for(GRAPH), record=record)


def resource_model(description: Description, presenter: Presenter) -> dict:
    """What the resource page shows, grouped: names, types, statements, claims with sources, links."""
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in description.triples:
        by_subject.setdefault(t.subject.value, []).append(t)
    own = by_subject.get(description.iri, [])
    urls = {t.subject.value: t.object.value for t in description.triples if t.predicate.value == SCHEMA_URL}
    return {
        "title": presenter.iri(description.iri),
        "names": _names(own),
        "types": [presenter.term(t.object) for t in own if t.predicate.value == RDF_TYPE],
        "statements": _statements(own, presenter),
        "sources": _sources(own, presenter, urls),
        "same_as": [t.object.value for t in own if t.predicate.value == OWL_SAME_AS],
        "claims": [_claim(c, [t for t in by_subject.get(c, []) if t.object.value != description.iri], presenter, urls)
                   for c in description.claims],
        "incoming": [(presenter.term(t.subject), presenter.term(t.predicate)) for t in description.incoming_shown[0]],
        "more_incoming": description.incoming_shown[1],
        "members": [presenter.iri(m) for m in description.members],
        "more_members": description.more_members,
    }


def _names(triples: list[ox.Triple]) -> list[tuple[str, str]]:
    return sorted({(t.object.value, t.object.language or "") for t in triples
                   if isinstance(t.object, ox.Literal) and t.object.language
                   and t.predicate.value.endswith(("#label", "#prefLabel", "#altLabel", "#nameAsListed"))},
                  key=lambda name: (name[1], name[0]))


def _statements(triples: list[ox.Triple], presenter: Presenter) -> list[tuple]:
    grouped: dict[str, list] = {}
    for t in triples:
        if t.predicate.value != RDF_TYPE:
            grouped.setdefault(t.predicate.value, []).append(presenter.term(t.object))
    return sorted(((presenter.iri(p), values) for p, values in grouped.items()), key=lambda s: s[0].text.lower())


def _sources(triples: list[ox.Triple], presenter: Presenter, urls: dict[str, str]) -> list[tuple]:
    return [(presenter.term(t.object), urls.get(t.object.value)) for t in triples if t.predicate.value == DCT_SOURCE]


def _claim(claim: str, triples: list[ox.Triple], presenter: Presenter, urls: dict[str, str]) -> dict:
    return {"node": presenter.iri(claim), "types": [presenter.term(t.object) for t in triples
                                                     if t.predicate.value == RDF_TYPE],
            "statements": _statements([t for t in triples if t.predicate.value != DCT_SOURCE], presenter),
            "sources": _sources(triples, presenter, urls)}


# ----------------------------------------------------------------------------- routes


def serve_iri(iri: str) -> Response:
    """The page or RDF of `iri` (or of `iri` without a format extension); 404 if the store does not know it."""
    store = current_site().release().store
    if _known(store, iri):
        return respond(resource_representation(iri))
    stem, dot, extension = iri.rpartition(".")
    if dot and "/" not in extension and (extension == "html" or format_by_extension(extension)) and _known(store, stem):
        return respond(resource_representation(stem), extension)
    abort(404)


def _known(store: ox.Store, iri: str) -> bool:
    try:
        return exists(store, iri)
    except ValueError:  # not an IRI at all
        return False


@blueprint.route("/vocab", defaults={"rest": ""})
@blueprint.route("/vocab/<path:rest>")
@blueprint.route("/ontology/<path:rest>")
@blueprint.route(f"{IriSpace.base_path}<path:rest>")
def local_resource(rest: str) -> Response:
    """A minted IRI (under /id/), a vocabulary or a part of the ontology, by the local path it is served at."""
    return serve_iri(current_site().space.iri(request.path))


def ontology_triples(store: ox.Store) -> list[ox.Triple]:
    return sorted(_triples(store, str(ONTOLOGY_GRAPH), graph=ox.NamedNode(str(ONTOLOGY_GRAPH))), key=str)
