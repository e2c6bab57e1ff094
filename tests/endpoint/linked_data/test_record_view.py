"""Issue 15: persons' Turtle from the release's records view (releases/views/records.py), answered before Flask
(linked_data/stored.py). Every stored record is what the route computes from the store, byte for byte and as a
graph, on data/ and on a synthetic build; the answer carries the route's headers and honours conditional
requests; a release without the view answers the same, computed; restricted records never enter the view."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from footprints_graph.endpoint.linked_data.presentation import IriSpace
from footprints_graph.endpoint.linked_data.routes import describe
from footprints_graph.endpoint.sparql.evaluation import serialize_triples
from footprints_graph.endpoint.sparql.protocol import format_of_media_type
from footprints_graph.iris import DEFAULT_BASE, ONTOLOGY, SYNTHETIC_BASE
from footprints_graph.releases.serving import current_release, make_current
from footprints_graph.releases.views import FOLDER
from footprints_graph.releases.views.records import RECORDS_FILE, RecordView, write_records
from footprints_graph.store.embedded import open_store, write_store
from footprints_graph.web import EndpointConfig, create_app
from support.security import restricted_iris

TURTLE = {"Accept": "text/turtle"}
VICTIM = "https://w3id.org/footprints-graph/ontology#Victim"


def stored_iris(release: Path) -> list[str]:
    with sqlite3.connect(release / FOLDER / RECORDS_FILE) as db:
        return [iri for (iri,) in db.execute("SELECT iri FROM record")]


def persons(store, base: str) -> set[str]:
    """Every subject minted as a person under `base`, read from the store."""
    return {q.subject.value for q in store.quads_for_pattern(None, None, None)
            if q.subject.value.startswith(base + "person/")}


def computed(store, iri: str) -> bytes:
    """The route's Turtle for `iri`, computed from the store."""
    return serialize_triples(describe(store, iri).data, format_of_media_type("text/turtle"))


def turtle_graph(body: bytes) -> Graph:
    return Graph().parse(data=body, format="turtle")


@pytest.mark.parametrize("fixture, base", [("built_release", DEFAULT_BASE), ("synthetic_release", SYNTHETIC_BASE)])
def test_every_stored_record_is_what_the_route_computes(request, fixture, base):
    release = request.getfixturevalue(fixture)
    store, view = open_store(release / "store"), RecordView(release / FOLDER / RECORDS_FILE)
    iris = stored_iris(release)
    assert sorted(iris) == sorted(persons(store, base)) and len(iris) > 5
    for iri in iris:
        stored, route = view.turtle(iri), computed(store, iri)
        assert stored == route, iri
        assert isomorphic(turtle_graph(stored), turtle_graph(route)), iri


def test_the_stored_records_hold_the_stores_form_of_typed_literals(synthetic_release):
    """The store reads a literal back by its value ("28"^^xsd:nonNegativeInteger as 28, an xsd:integer): the
    view, written from the dump, holds what the store gives, not what the dump says."""
    dump = (synthetic_release / "dumps" / "footprints.nq").read_text(encoding="utf-8")
    assert "XMLSchema#nonNegativeInteger>" in dump
    view = RecordView(synthetic_release / FOLDER / RECORDS_FILE)
    bodies = b"".join(view.turtle(iri) for iri in stored_iris(synthetic_release))
    assert b"fp:ageAtTime " in bodies and b"nonNegativeInteger" not in bodies


@pytest.fixture(scope="module")
def without_view(built_release, tmp_path_factory) -> Path:
    """A home whose release is the session's, copied without its records view (same build id and date)."""
    home = tmp_path_factory.mktemp("without-view")
    copy = home / "releases" / built_release.name
    shutil.copytree(built_release, copy, ignore=lambda folder, names: [RECORDS_FILE] if folder.endswith(FOLDER) else [])
    (home / "current").symlink_to(copy.relative_to(home))
    return home


def _some_persons(release: Path) -> list[str]:
    space = IriSpace(DEFAULT_BASE)
    return [space.local(iri) for iri in sorted(stored_iris(release))[:5]]


def test_a_release_without_the_view_answers_the_same_computed(client, built_release, without_view):
    computed_client = create_app(EndpointConfig(home=without_view, cache_bytes=0)).test_client()
    assert not (current_release(without_view) / FOLDER / RECORDS_FILE).exists()
    for path in _some_persons(built_release):
        stored, route = client.get(path, headers=TURTLE), computed_client.get(path, headers=TURTLE)
        assert stored.status_code == route.status_code == 200
        assert stored.data == route.data
        assert sorted(stored.headers.items()) == sorted(route.headers.items())


def _release_copy(release: Path, home: Path, name: str, marked: bytes, path: str) -> Path:
    """A copy of `release` named `name` under `home`, whose view holds `marked` as the Turtle of `path`."""
    copy = home / "releases" / name
    shutil.copytree(release, copy)
    with sqlite3.connect(copy / FOLDER / RECORDS_FILE) as db:
        db.execute("UPDATE record SET turtle = ? WHERE iri = ?", (marked, IriSpace(DEFAULT_BASE).iri(path)))
    return copy


def test_the_answer_is_read_from_the_view_of_the_release_served(built_release, tmp_path):
    """A view changed after the build is what is served (the record's Turtle is read from it, not recomputed),
    and a new release is answered from its own view at once, never from the one before."""
    home, path = tmp_path / "home", _some_persons(built_release)[0]
    first = _release_copy(built_release, home, built_release.name, b"# first view\n", path)
    make_current(home, first)
    site = create_app(EndpointConfig(home=home, cache_bytes=0)).test_client()
    assert site.get(path, headers=TURTLE).data == b"# first view\n"
    assert site.get(path, headers={"Accept": "application/n-triples"}).data.startswith(b"<")  # computed
    assert b"<html" in site.get(path, headers={"Accept": "text/html"}).data
    make_current(home, _release_copy(built_release, home, "fedcba9876543210", b"# second view\n", path))
    answer = site.get(path, headers=TURTLE)
    assert answer.data == b"# second view\n" and answer.headers["ETag"] == '"fedcba9876543210-text.turtle"'


def test_conditional_requests_get_304_and_a_stale_tag_the_record(client, built_release):
    path = _some_persons(built_release)[0]
    first = client.get(path, headers=TURTLE)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    assert client.get(path, headers={**TURTLE, "If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(path, headers={**TURTLE, "If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    stale = client.get(path, headers={**TURTLE, "If-None-Match": '"another-build-text.turtle"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_cross_origin_lookups_carry_the_cors_headers(client, built_release):
    answer = client.get(_some_persons(built_release)[0], headers={**TURTLE, "Origin": "https://example.org"})
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "https://example.org"


def test_no_restricted_record_enters_the_records_view(restricted_home):
    release = current_release(restricted_home)
    hidden = restricted_iris(restricted_home)
    stored = set(stored_iris(release))
    assert stored and hidden and not stored & hidden
    site = create_app(EndpointConfig(home=restricted_home, cache_bytes=0)).test_client()
    space = IriSpace(DEFAULT_BASE)
    for iri in hidden:
        if iri.startswith(DEFAULT_BASE + "person/"):
            assert site.get(space.local(iri), headers=TURTLE).status_code == 404


# a dump whose text could mislead a reader of lines: a literal that reads like a dct:source line, typed literals the
# store reads back by their value, literals with a language
PERSON, DOCUMENT, CITED_IN_TEXT = (f"<{DEFAULT_BASE}{local}>" for local in ("person/a", "document/one", "document/two"))
PEOPLE, DOCUMENTS = f"<{DEFAULT_BASE}graph/people>", f"<{DEFAULT_BASE}graph/documents>"
RDFS, XSD, FP = "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2001/XMLSchema#", ONTOLOGY
TRICKY_DUMP = f"""
{PERSON} <http://purl.org/dc/terms/source> {DOCUMENT} {PEOPLE} .
{PERSON} <{RDFS}comment> "see <http://purl.org/dc/terms/source> {CITED_IN_TEXT}" {PEOPLE} .
{PERSON} <{RDFS}label> "가"@ko {PEOPLE} .
{PERSON} <{FP}ageAtTime> "028"^^<{XSD}nonNegativeInteger> {PEOPLE} .
{PERSON} <{FP}restricted> "0"^^<{XSD}boolean> {PEOPLE} .
{DOCUMENT} <{RDFS}label> "one" {DOCUMENTS} .
{DOCUMENT} <{RDFS}comment> "not in a summary" {DOCUMENTS} .
{CITED_IN_TEXT} <{RDFS}label> "two" {DOCUMENTS} .
{PERSON} <{RDFS}label> "a"@ko-Latn {PEOPLE} .
"""


def test_a_record_written_from_tricky_text_is_what_the_route_computes(tmp_path):
    """The view reads a description's lines as text: only a real dct:source line cites a document, and a typed
    literal is written as the store gives it back, so that the record is still the route's bytes (the store
    written from the same dump as the build writes it)."""
    dump = tmp_path / "footprints.nq"
    dump.write_bytes(b"".join(sorted(line.encode() + b"\n" for line in TRICKY_DUMP.strip().splitlines())))
    write_store(tmp_path / "store", dump)
    assert write_records(dump, DEFAULT_BASE, tmp_path / RECORDS_FILE) == 1
    stored = RecordView(tmp_path / RECORDS_FILE).turtle(PERSON[1:-1])
    assert stored == computed(open_store(tmp_path / "store"), PERSON[1:-1])
    assert b"not in a summary" not in stored and b'"two"' not in stored and b'"one"' in stored
    assert b"028" not in stored and b"nonNegativeInteger" not in stored
