"""Descriptions of the dataset and of the service, as RDF the server writes through the protocol's table:
the VoID + DCAT description at /.well-known/void (https://www.w3.org/TR/void/, https://www.w3.org/TR/vocab-dcat-3/)
and the SPARQL 1.1 Service Description a bare GET /sparql returns
(https://www.w3.org/TR/sparql11-service-description/)."""

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox

from footprints_graph.convert.linksets import linkset_counts, linkset_targets
from footprints_graph.endpoint.sparql.protocol import FORMATS, format_by_extension
from footprints_graph.iris import DECLARED_PREFIXES, ONTOLOGY, VOCAB, prefixes
from footprints_graph.releases.description import CONTEXT, DESCRIPTION_FILE, release_iri
from footprints_graph.releases.serving import Release

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VOID, DCT, FOAF, XSD = (DECLARED_PREFIXES[p] for p in ("void", "dct", "foaf", "xsd"))
VCARD = "http://www.w3.org/2006/vcard/ns#"
SD = "http://www.w3.org/ns/sparql-service-description#"  # SD and DCAT describe the service, not the data:
DCAT = "http://www.w3.org/ns/dcat#"  # the ontology does not use them, so it does not declare them
OWL_SAME_AS = DECLARED_PREFIXES["owl"] + "sameAs"
SCHEMA_URL = DECLARED_PREFIXES["schema"] + "url"
WIKIDATA = "http://www.wikidata.org/entity/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
IANA = "https://www.iana.org/assignments/media-types/"
DESCRIPTION_PREFIXES = {**prefixes("void"), "sd": SD, "dcat": DCAT, "vcard": VCARD,
                        **prefixes("dct", "foaf", "xsd", "owl", "schema", "fp")}

TITLE = "footprints-graph: South Korean victims of North Korea"
SERVICE_TITLE = "footprints-graph SPARQL endpoint"
DESCRIPTION = ("A linked-data knowledge graph of South Korean victims of North Korea (prisoners of war never "
               "repatriated, wartime and post-war abductees, detainees), built from the FOOTPRINTS records; "
               "every fact carries the document that states it.")
SKOS_PREF_LABEL = DECLARED_PREFIXES["skos"] + "prefLabel"
SKOS_IN_SCHEME = DECLARED_PREFIXES["skos"] + "inScheme"
SKOS_CONCEPT = DECLARED_PREFIXES["skos"] + "Concept"
# What the records cover, for harvesters (DCAT-AP's recommended spatial and temporal coverage): the two Koreas,
# as Wikidata names them, and the time from the start of the Korean War (25 June 1950, the start of the
# wartime-abductee category in ROK Act No. 10190) with no end: detentions continue.
SPATIAL = {"http://www.wikidata.org/entity/Q884": "South Korea", "http://www.wikidata.org/entity/Q423": "North Korea"}
COVERAGE_START = "1950-06-25"
UNION_NOTE = ("The default graph is the union of all named graphs (sd:UnionDefaultGraph). FROM / FROM NAMED "
              "in the query, or the protocol's default-graph-uri / named-graph-uri, select another dataset. "
              "The endpoint is read-only: SPARQL Update is refused with 403.")
SITES = {  # hosts of schema:url links, named for the VoID linksets
    "undocs.org": "United Nations Official Document System",
    "documents.un.org": "United Nations Official Document System",
    "www.mnd.go.kr": "ROK Ministry of National Defense",
    "reunion.unikorea.go.kr": "ROK Ministry of Unification",
    "nkfootprints.info": "FOOTPRINTS",
}


@dataclass(frozen=True)
class Statistics:
    triples: int
    distinct_subjects: int
    properties: int
    graphs: dict[str, int]
    classes: dict[str, int]
    wikidata_links: int
    document_links: dict[str, int]  # host -> number of schema:url links to it
    partner_links: dict[str, dict[str, int]]  # partner link set graph -> link predicate -> number of links
    partner_datasets: dict[str, str]  # partner link set graph -> the partner's dataset, when its header names it
    example: str | None
    categories: dict[str, list[tuple[str, str]]]  # victim category -> its (label, language) pairs


def statistics(release: Release) -> Statistics:
    """Counts over the served store, computed once per release and process."""
    return release.memo("statistics", lambda: _statistics(release.store))


def _statistics(store: ox.Store) -> Statistics:
    return Statistics(
        triples=len(store),
        distinct_subjects=_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        properties=_count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        graphs=_counts(store, "SELECT ?k (COUNT(*) AS ?n) WHERE { GRAPH ?k { ?s ?p ?o } } GROUP BY ?k"),
        classes=_counts(store, "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?k } } GROUP BY ?k"),
        wikidata_links=_count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{OWL_SAME_AS}> ?o }} "
                                     f"FILTER(STRSTARTS(STR(?o), '{WIKIDATA}')) }}"),
        document_links=_counts(store, f"SELECT ?k (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{SCHEMA_URL}> ?u }} "
                                      "BIND(REPLACE(STR(?u), '^[a-z]+://([^/:?#]+).*$', '$1') AS ?k) } GROUP BY ?k"),
        partner_links=linkset_counts(store),
        partner_datasets=linkset_targets(store),
        example=_first(store, f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s a <{ONTOLOGY}Victim> }} }} ORDER BY ?s LIMIT 1"),
        categories=_categories(store),
    )


def _categories(store: ox.Store) -> dict[str, list[tuple[str, str]]]:
    """The victim categories of the ontology's scheme with their preferred labels: the dataset's themes and
    keywords."""
    query = (f"SELECT ?c ?label WHERE {{ GRAPH ?g {{ ?c <{SKOS_IN_SCHEME}> <{VOCAB}victim-categories> ; "
             f"<{SKOS_PREF_LABEL}> ?label }} }} ORDER BY ?c ?label")
    categories: dict[str, list[tuple[str, str]]] = {}
    for row in store.query(query):
        categories.setdefault(row["c"].value, []).append((row["label"].value, row["label"].language or ""))
    return categories


def _count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)


def _counts(store: ox.Store, query: str) -> dict[str, int]:
    return {row["k"].value: int(row["n"].value) for row in store.query(query)}


def _first(store: ox.Store, query: str) -> str | None:
    return next((row["s"].value for row in store.query(query)), None)


# ----------------------------------------------------------------------------- building triples


def _node(value: str | ox.NamedNode | ox.BlankNode) -> ox.NamedNode | ox.BlankNode:
    return ox.NamedNode(value) if isinstance(value, str) else value


def _literal(value: int | str, language: str | None = None) -> ox.Literal:
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(value, language=language)


def _triple(subject, predicate: str, value) -> ox.Triple:
    obj = value if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal)) else _literal(value)
    return ox.Triple(_node(subject), ox.NamedNode(predicate), obj)


def _a(subject, *classes: str) -> list[ox.Triple]:
    return [ox.Triple(_node(subject), RDF_TYPE, ox.NamedNode(c)) for c in classes]


# ----------------------------------------------------------------------------- VoID and DCAT


@dataclass(frozen=True)
class Dump:
    name: str
    size: int

    @property
    def media_type(self) -> str:
        row = format_by_extension(Path(self.name).suffix.lstrip("."))
        return row.media_type if row else "application/octet-stream"


def dumps(release: Release) -> list[Dump]:
    folder = release.path / "dumps"
    return [Dump(p.name, p.stat().st_size) for p in sorted(folder.iterdir()) if p.is_file()] if folder.is_dir() else []


def dataset_iri(base: str) -> str:
    """The dataset's IRI, beside the minted IRIs (`base`) rather than on the host a request named, so that it
    stays the same whoever asks: https://w3id.org/footprints-graph/.well-known/void#footprints-graph."""
    return urljoin(base, "../.well-known/void#footprints-graph")


@dataclass(frozen=True)
class Publisher:
    """Who publishes a deployment and where to reach them, as its settings state (none by default)."""

    name: str | None = None
    contact: str | None = None


def void_triples(release: Release, root: str, base: str, publisher: Publisher = Publisher()) -> list[ox.Triple]:
    """The VoID + DCAT description of the served release; `root` is the public URL of the server."""
    stats, dataset = statistics(release), dataset_iri(base)
    return [*_dataset(dataset, stats, release, root, base), *_publisher(dataset, publisher),
            *_class_partitions(dataset, stats),
            *_graph_subsets(dataset, stats), *_wikidata_linkset(dataset, stats, root),
            *(t for host, n in sorted(stats.document_links.items()) for t in _site_linkset(dataset, host, n, root)),
            *(t for graph, links in stats.partner_links.items() for predicate, n in links.items()
              for t in _partner_linkset(dataset, graph, predicate, n, stats.partner_datasets.get(graph))),
            *(t for dump in dumps(release) for t in _distribution(dataset, dump, root)),
            *_data_service(dataset, root)]


def _dataset(dataset: str, stats: Statistics, release: Release, root: str, base: str) -> list[ox.Triple]:
    modified = ox.Literal(release.modified.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=ox.NamedNode(XSD + "dateTime"))
    triples = [*_a(dataset, VOID + "Dataset", DCAT + "Dataset"),
               _triple(dataset, DCT + "title", _literal(TITLE, "en")),
               _triple(dataset, DCT + "description", _literal(DESCRIPTION, "en")),
               _triple(dataset, DCT + "license", ox.NamedNode(CC_BY)),
               _triple(dataset, DCT + "modified", modified),
               _triple(dataset, DCT + "identifier", release.build_id),
               _triple(dataset, DCAT + "hasCurrentVersion", ox.NamedNode(release_iri(release.build_id))),
               _triple(dataset, VOID + "triples", stats.triples),
               _triple(dataset, VOID + "distinctSubjects", stats.distinct_subjects),
               _triple(dataset, VOID + "properties", stats.properties),
               _triple(dataset, VOID + "classes", len(stats.classes)),
               _triple(dataset, VOID + "sparqlEndpoint", ox.NamedNode(f"{root}/sparql")),
               _triple(dataset, VOID + "uriSpace", base),
               _triple(dataset, VOID + "vocabulary", ox.NamedNode(ONTOLOGY)),
               _triple(dataset, VOID + "vocabulary", ox.NamedNode(VOCAB)),
               *(_triple(dataset, VOID + "feature", ox.NamedNode(iri)) for iri in _dump_formats(release)),
               *_coverage(dataset, stats)]
    if stats.example:
        triples.append(_triple(dataset, VOID + "exampleResource", ox.NamedNode(stats.example)))
    return triples


def _publisher(dataset: str, publisher: Publisher) -> list[ox.Triple]:
    triples = []
    if publisher.name:
        agent = ox.BlankNode("publisher")
        triples += [_triple(dataset, DCT + "publisher", agent), *_a(agent, FOAF + "Agent"),
                    _triple(agent, FOAF + "name", _literal(publisher.name))]
    if publisher.contact:
        kind = ox.BlankNode("contact")
        reach = VCARD + ("hasEmail" if publisher.contact.startswith("mailto:") else "hasURL")
        triples += [_triple(dataset, DCAT + "contactPoint", kind), *_a(kind, VCARD + "Kind"),
                    _triple(kind, VCARD + "fn", _literal(publisher.name or TITLE)),
                    _triple(kind, reach, ox.NamedNode(publisher.contact))]
    return triples


def _dump_formats(release: Release) -> list[str]:
    """The format of every dump (void:feature), once each."""
    rows = (format_by_extension(Path(dump.name).suffix.lstrip(".")) for dump in dumps(release))
    return list(dict.fromkeys(row.iri for row in rows if row))


def _coverage(dataset: str, stats: Statistics) -> list[ox.Triple]:
    """Themes and keywords (the victim categories and their labels), spatial and temporal coverage."""
    period = ox.BlankNode("coverage")
    triples = [_triple(dataset, DCT + "temporal", period), *_a(period, DCT + "PeriodOfTime"),
               _triple(period, DCAT + "startDate", ox.Literal(COVERAGE_START, datatype=ox.NamedNode(XSD + "date")))]
    for place, name in SPATIAL.items():
        triples += [_triple(dataset, DCT + "spatial", ox.NamedNode(place)), *_a(place, DCT + "Location"),
                    _triple(place, DCT + "title", _literal(name, "en"))]
    for category, labels in sorted(stats.categories.items()):
        triples += [_triple(dataset, DCAT + "theme", ox.NamedNode(category)), *_a(category, SKOS_CONCEPT)]
        for label, language in labels:
            triples += [_triple(category, SKOS_PREF_LABEL, _literal(label, language or None)),
                        _triple(dataset, DCAT + "keyword", _literal(label, language or None))]
    return triples


def _class_partitions(dataset: str, stats: Statistics) -> list[ox.Triple]:
    triples = []
    for index, (cls, entities) in enumerate(sorted(stats.classes.items())):
        partition = ox.BlankNode(f"class{index}")
        triples += [_triple(dataset, VOID + "classPartition", partition),
                    _triple(partition, VOID + "class", ox.NamedNode(cls)),
                    _triple(partition, VOID + "entities", entities)]
    return triples


def _graph_subsets(dataset: str, stats: Statistics) -> list[ox.Triple]:
    return [t for graph, n in sorted(stats.graphs.items())
            for t in (_triple(dataset, VOID + "subset", ox.NamedNode(graph)), *_a(graph, VOID + "Dataset"),
                      _triple(graph, VOID + "triples", n))]


def _linkset(dataset: str, linkset: str, target: str, predicate: str, count: int) -> list[ox.Triple]:
    return [_triple(dataset, VOID + "subset", ox.NamedNode(linkset)), *_a(linkset, VOID + "Linkset"),
            _triple(linkset, VOID + "subjectsTarget", ox.NamedNode(dataset)),
            _triple(linkset, VOID + "objectsTarget", ox.NamedNode(target)),
            _triple(linkset, VOID + "linkPredicate", ox.NamedNode(predicate)),
            _triple(linkset, VOID + "triples", count)]


def _wikidata_linkset(dataset: str, stats: Statistics, root: str) -> list[ox.Triple]:
    target = f"{root}/.well-known/void#wikidata"
    return [*_linkset(dataset, f"{root}/.well-known/void#links-to-wikidata", target, OWL_SAME_AS,
                      stats.wikidata_links),
            *_a(target, VOID + "Dataset"), _triple(target, DCT + "title", _literal("Wikidata", "en")),
            _triple(target, FOAF + "homepage", ox.NamedNode("https://www.wikidata.org/")),
            _triple(target, VOID + "uriSpace", WIKIDATA),
            _triple(target, VOID + "sparqlEndpoint", ox.NamedNode("https://query.wikidata.org/sparql"))]


def _site_linkset(dataset: str, host: str, count: int, root: str) -> list[ox.Triple]:
    target = f"{root}/.well-known/void#site-{host}"
    return [*_linkset(dataset, f"{root}/.well-known/void#links-to-{host}", target, SCHEMA_URL, count),
            *_a(target, VOID + "Dataset"), _triple(target, DCT + "title", _literal(SITES.get(host, host), "en")),
            _triple(target, FOAF + "homepage", ox.NamedNode(f"https://{host}/"))]


def _partner_linkset(dataset: str, graph: str, predicate: str, count: int, target: str | None) -> list[ox.Triple]:
    """A partner's mapping file (`footprints-graph link`): one linkset per link predicate; its objects target is
    the partner's dataset when the set's header names it (SSSOM object_source), which we do not describe."""
    linkset = f"{graph}#{predicate.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}"
    named = [_triple(linkset, VOID + "objectsTarget", ox.NamedNode(target))] if target else []
    return [_triple(dataset, VOID + "subset", ox.NamedNode(linkset)), *_a(linkset, VOID + "Linkset"),
            _triple(linkset, VOID + "subjectsTarget", ox.NamedNode(dataset)), *named,
            _triple(linkset, VOID + "linkPredicate", ox.NamedNode(predicate)),
            _triple(linkset, VOID + "triples", count), _triple(linkset, DCT + "source", ox.NamedNode(graph))]


def _distribution(dataset: str, dump: Dump, root: str) -> list[ox.Triple]:
    url = f"{root}/dumps/{dump.name}"
    node = f"{root}/.well-known/void#dump-{dump.name}"
    row = format_by_extension(Path(dump.name).suffix.lstrip("."))
    size = ox.Literal(str(dump.size), datatype=ox.NamedNode(XSD + "nonNegativeInteger"))
    triples = [_triple(dataset, VOID + "dataDump", ox.NamedNode(url)),
               _triple(dataset, DCAT + "distribution", ox.NamedNode(node)), *_a(node, DCAT + "Distribution"),
               _triple(node, DCT + "title", _literal(dump.name)),
               _triple(node, DCAT + "accessURL", ox.NamedNode(url)),  # DCAT-AP's mandatory one; here the file itself
               _triple(node, DCAT + "downloadURL", ox.NamedNode(url)),
               _triple(node, DCAT + "mediaType", ox.NamedNode(IANA + dump.media_type)),
               _triple(node, DCAT + "byteSize", size),
               _triple(node, DCT + "license", ox.NamedNode(CC_BY))]
    if row:
        triples.append(_triple(node, DCT + "format", ox.NamedNode(row.iri)))
    return triples


def _data_service(dataset: str, root: str) -> list[ox.Triple]:
    service = f"{root}/sparql#service"
    return [_triple(dataset, DCAT + "distribution", ox.NamedNode(f"{root}/.well-known/void#sparql")),
            *_a(f"{root}/.well-known/void#sparql", DCAT + "Distribution"),
            _triple(f"{root}/.well-known/void#sparql", DCAT + "accessURL", ox.NamedNode(f"{root}/sparql")),
            _triple(f"{root}/.well-known/void#sparql", DCAT + "accessService", ox.NamedNode(service)),
            *_a(service, DCAT + "DataService"),
            _triple(service, DCT + "title", _literal(SERVICE_TITLE, "en")),
            _triple(service, DCAT + "endpointURL", ox.NamedNode(f"{root}/sparql")),
            _triple(service, DCAT + "servesDataset", ox.NamedNode(dataset)),
            _triple(service, DCT + "conformsTo", ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"))]


# ----------------------------------------------------------------------------- Service Description


def service_description_triples(release: Release, root: str, base: str, federation: bool) -> list[ox.Triple]:
    service, endpoint, dataset = f"{root}/sparql#service", f"{root}/sparql", dataset_iri(base)
    features = [SD + "UnionDefaultGraph", *([SD + "BasicFederatedQuery"] if federation else [])]
    return [*_a(service, SD + "Service"),
            _triple(service, SD + "endpoint", ox.NamedNode(endpoint)),
            _triple(service, SD + "supportedLanguage", ox.NamedNode(SD + "SPARQL11Query")),
            *(_triple(service, SD + "feature", ox.NamedNode(f)) for f in features),
            *(_triple(service, SD + "resultFormat", ox.NamedNode(iri)) for iri in dict.fromkeys(f.iri for f in FORMATS)),
            _triple(service, DCT + "title", _literal(SERVICE_TITLE, "en")),
            _triple(service, DCT + "description", _literal(UNION_NOTE, "en")),
            _triple(service, DCT + "license", ox.NamedNode(CC_BY)),
            _triple(service, SD + "defaultDataset", ox.NamedNode(dataset)),
            *_default_dataset(dataset, statistics(release))]


def _default_dataset(dataset: str, stats: Statistics) -> list[ox.Triple]:
    default = ox.BlankNode("defaultGraph")
    triples = [*_a(dataset, SD + "Dataset"), _triple(dataset, SD + "defaultGraph", default),
               *_a(default, SD + "Graph"), _triple(default, VOID + "triples", stats.triples),
               _triple(default, DCT + "description", _literal("The union of all named graphs.", "en"))]
    for index, (graph, n) in enumerate(sorted(stats.graphs.items())):
        named, described = ox.BlankNode(f"named{index}"), ox.BlankNode(f"graph{index}")
        triples += [_triple(dataset, SD + "namedGraph", named), *_a(named, SD + "NamedGraph"),
                    _triple(named, SD + "name", ox.NamedNode(graph)), _triple(named, SD + "graph", described),
                    *_a(described, SD + "Graph"), _triple(described, VOID + "triples", n)]
    return triples


# ----------------------------------------------------------------------------- the release, as served

SERVED_CONTEXT = {**CONTEXT, "description": "dct:description", "license": {"@id": "dct:license", "@type": "@id"},
                  "isVersionOf": {"@id": "dct:isVersionOf", "@type": "@id"},
                  "accessURL": {"@id": "dcat:accessURL", "@type": "@id"}, "foaf": FOAF, "vcard": VCARD,
                  "publisher": "dct:publisher", "contactPoint": "dcat:contactPoint", "name": "foaf:name",
                  "fn": "vcard:fn", "hasEmail": {"@id": "vcard:hasEmail", "@type": "@id"},
                  "hasURL": {"@id": "vcard:hasURL", "@type": "@id"}}


def served_release_description(release: Release, root: str, base: str, publisher: Publisher = Publisher()) -> dict:
    """The release's `release.json` as the server publishes it: what it is and under which licence, a version
    of the dataset the VoID describes, and every dump at its absolute URL on this server (the file itself
    names them relative to the release folder, which the build writes before any server exists)."""
    description = json.loads((release.path / DESCRIPTION_FILE).read_text(encoding="utf-8"))
    for entry in description["distributions"]:
        entry["downloadURL"] = entry["accessURL"] = f"{root}/{entry['downloadURL']}"
    return {**description, "@context": SERVED_CONTEXT, "description": DESCRIPTION, "license": CC_BY,
            "isVersionOf": dataset_iri(base), **_publisher_json(publisher)}


def _publisher_json(publisher: Publisher) -> dict:
    described = {}
    if publisher.name:
        described["publisher"] = {"type": "foaf:Agent", "name": publisher.name}
    if publisher.contact:
        reach = "hasEmail" if publisher.contact.startswith("mailto:") else "hasURL"
        described["contactPoint"] = {"type": "vcard:Kind", "fn": publisher.name or TITLE, reach: publisher.contact}
    return described
