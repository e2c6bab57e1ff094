"""Minting deterministic IRIs from stable keys.

An IRI is a function of the kind of thing and its key as written in the records (or, for Uwazi, the
entity's `sharedId`): never a row number, never random. The same input always gives the same IRI, so
other archives can link to ours and keep their links across rebuilds.
"""

import re
import unicodedata
from functools import cache

from rdflib import URIRef

from footprints_graph.errors import FootprintsError, Problem

ONTOLOGY = "https://w3id.org/footprints-graph/ontology#"
VOCAB = "https://w3id.org/footprints-graph/vocab/"
DEFAULT_BASE = "https://w3id.org/footprints-graph/id/"
SYNTHETIC_BASE = "https://w3id.org/footprints-graph/synthetic/"
ONTOLOGY_GRAPH = URIRef("https://w3id.org/footprints-graph/ontology")  # the named graph a release keeps the ontology in

# The prefixes the ontology files declare (their @prefix lines), the one table every other is cut from;
# tests/test_iris.py proves the two agree.
DECLARED_PREFIXES = {
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "fp": ONTOLOGY,
    "fpv": VOCAB,
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sssom": "https://w3id.org/sssom/",
    "time": "http://www.w3.org/2006/time#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def prefixes(*names: str) -> dict[str, str]:
    """The declared prefixes `names`, in that order (the order a serialiser writes them in)."""
    return {name: DECLARED_PREFIXES[name] for name in names}


# The data's prefixes: dumps, query answers and the endpoint's own queries are written with these.
PREFIXES = prefixes("fp", "fpv", "rdf", "rdfs", "owl", "xsd", "skos", "dct", "qb", "prov", "schema")

KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
KINDS = (
    "person", "listing", "event", "status", "organisation", "document", "instrument", "media",
    "dataset", "figure", "finding", "claim", "inconsistency", "place", "graph", "uwazi", "submission",
)


class KeyError_(FootprintsError, Problem):
    """A record key that cannot become part of an IRI (a ValueError too: a bad value, as the converters read it;
    worded in English and Korean, errors.PROBLEM_TEXTS)."""


def check_key(key: str) -> str:
    """Return `key` if it is a valid stable key: lowercase ASCII words joined by '-' or '.'."""
    if not KEY_PATTERN.match(key):
        raise KeyError_("not_a_key", key=key)
    return key


def slug(text: str) -> str:
    """A stable key made from free text: ASCII-folded, lowercase, words joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    if not words:
        raise KeyError_("no_key_letters", text=text)
    return "-".join(words)


def mint(kind: str, key: str, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of a thing of `kind` with stable `key` under `base`, e.g. <…/id/person/kim-jung-wook>."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
    return URIRef(f"{base}{kind}/{check_key(key)}")


@cache
def graph_iri(name: str, base: str = DEFAULT_BASE) -> URIRef:
    """The named graph that holds one source dataset (one record file, or one Uwazi export). One object for each:
    every record of a graph carries it, and equal rdflib terms that are not the same object compare in Python
    code (a dictionary of terms met it on each of the 3M quads of 100k victims)."""
    return mint("graph", name, base)


RELEASE_GRAPH_SCHEME = "urn:footprints-graph:release:"


def release_graph(build_id: str, graph: str) -> str:
    """The graph a SPARQL server keeps `graph` of release `build_id` in (`load`, `serve --store`): a store detail,
    never published. A release's graphs on a server are its own, apart from those of the release served before it
    and of any other dataset on the same server (the build id hashes every line, base IRIs included); the public
    names stay those of the dumps, and serving maps them (endpoint/sparql/backends.py)."""
    return f"{RELEASE_GRAPH_SCHEME}{check_key(build_id)}:{graph}"
