"""The exact caches of endpoint/cache.py (answers to queries; whole responses of /sparql and of records' RDF):
bounded in bytes, least recently used first out, keyed so that a new build misses and one question never gets
another's answer (issue 7)."""

import shutil

import pytest

from footprints_graph.endpoint.sparql.cache import EXTENSION, AnswerCache, CacheKey
from footprints_graph.endpoint.sparql.evaluation import Answer
from footprints_graph.endpoint.sparql.library import library
from footprints_graph.endpoint.sparql.protocol import FORMATS
from footprints_graph.releases.serving import make_current
from footprints_graph.web import EndpointConfig, create_app

FP = "https://w3id.org/footprints-graph/ontology#"
PEOPLE = "https://w3id.org/footprints-graph/id/graph/people"
DOCUMENTS = "https://w3id.org/footprints-graph/id/graph/documents"
COUNT_VICTIMS = f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a <{FP}Victim> }}"
COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
DESCRIBE_A_VICTIM = f"CONSTRUCT {{ ?p a <{FP}Victim> }} WHERE {{ ?p a <{FP}Victim> }}"
ASK_VICTIM = f"ASK {{ ?p a <{FP}Victim> }}"

# Questions that differ in one part of the key each: the text, the dataset, the format.
REQUESTS = [
    {"query": COUNT_VICTIMS},
    {"query": COUNT_VICTIMS + " "},
    {"query": COUNT_TRIPLES},
    {"query": COUNT_TRIPLES, "default-graph-uri": PEOPLE},
    {"query": COUNT_TRIPLES, "default-graph-uri": DOCUMENTS},
    {"query": COUNT_TRIPLES, "named-graph-uri": PEOPLE},
    {"query": COUNT_VICTIMS, "format": "csv"},
    {"query": COUNT_VICTIMS, "format": "xml"},
    {"query": DESCRIBE_A_VICTIM},
    {"query": DESCRIBE_A_VICTIM, "format": "nt"},
    {"query": DESCRIBE_A_VICTIM, "format": "xml"},
    {"query": ASK_VICTIM},
    {"query": ASK_VICTIM, "format": "xml"},
]
ACCEPTS = ["", "text/csv", "application/sparql-results+xml, text/turtle;q=0.5", "application/n-triples"]


def _answer(body: bytes) -> Answer:
    return Answer(FORMATS[0], body)


def _key(text: str, build_id: str = "b1") -> CacheKey:
    return CacheKey(build_id, text, (), (), ("application/sparql-results+json", "text/turtle"))


def _response(client, request: dict, accept: str, method: str = "GET"):
    headers = {"Accept": accept} if accept else {}
    if method == "POST":
        response = client.post("/sparql", data=request, headers=headers)
    else:
        response = client.get("/sparql", query_string=request, headers=headers)
    return response.status_code, response.content_type, response.data


@pytest.fixture(scope="module")
def uncached(built_home):
    return create_app(EndpointConfig(home=built_home, query_timeout=0, cache_bytes=0)).test_client()


@pytest.fixture
def home_copy(built_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(built_home, home, symlinks=True)
    return home


# ----------------------------------------------------------------------------- the cache itself


def test_keeps_at_most_its_budget_dropping_the_least_recently_used():
    cache = AnswerCache(max_bytes=10)
    cache.put(_key("a"), _answer(b"aaaa"))
    cache.put(_key("b"), _answer(b"bbbb"))
    assert cache.get(_key("a")).body == b"aaaa"  # a is now the most recently used
    cache.put(_key("c"), _answer(b"cccc"))
    assert (cache.get(_key("a")), cache.get(_key("b")), cache.get(_key("c"))) == (_answer(b"aaaa"), None,
                                                                                 _answer(b"cccc"))
    assert cache.size == 8 <= cache.max_bytes


def test_an_answer_larger_than_the_budget_is_not_kept():
    cache = AnswerCache(max_bytes=3)
    cache.put(_key("a"), _answer(b"aaaa"))
    assert (len(cache), cache.size, cache.get(_key("a"))) == (0, 0, None)


def test_no_budget_keeps_nothing():
    cache = AnswerCache(max_bytes=0)
    assert cache.answer(_key("a"), lambda: _answer(b"a")) == _answer(b"a")
    assert len(cache) == 0


def test_another_build_id_is_another_key():
    cache = AnswerCache(max_bytes=100)
    cache.put(_key("a", build_id="b1"), _answer(b"old"))
    assert cache.get(_key("a", build_id="b2")) is None


# ----------------------------------------------------------------------------- behind /sparql


def test_the_cache_never_returns_another_questions_answer(built_home, uncached):
    """Every request, asked twice in an interleaved order, gets exactly what an endpoint without a cache says."""
    app = create_app(EndpointConfig(home=built_home, query_timeout=0))
    cached = app.test_client()
    asked = [(request, accept, method) for accept in ACCEPTS for request in REQUESTS for method in ("GET", "POST")]
    statuses = []
    for request, accept, method in [*asked, *reversed(asked)]:
        response = _response(cached, request, accept, method)
        assert response == _response(uncached, request, accept, method), (request, accept, method)
        statuses.append(response[0])
    answered = statuses[:len(asked)].count(200)
    assert answered > len(asked) / 2  # most are answers, not 406s
    # each answer came from the cache when asked again (and sooner when `format` made the Accept header moot)
    assert app.extensions[EXTENSION].hits >= answered


def test_a_repeated_query_is_answered_from_the_cache(built_home):
    app = create_app(EndpointConfig(home=built_home, query_timeout=0))
    client, cache = app.test_client(), app.extensions[EXTENSION]
    first = _response(client, {"query": COUNT_VICTIMS}, "")
    assert cache.hits == 0 and len(cache) == 2  # the response as sent, and the answer behind it
    assert _response(client, {"query": COUNT_VICTIMS}, "") == first
    assert cache.hits == 1  # the response: Flask never saw the second request
    assert _response(client, {"query": COUNT_VICTIMS}, "*/*") == first
    assert cache.hits == 2  # another request, negotiated to the same formats: the same answer


def test_a_new_build_misses(home_copy):
    """A release with another build id (here the same graph renamed, so the answers must agree) is a miss."""
    app = create_app(EndpointConfig(home=home_copy, query_timeout=0))
    client, cache = app.test_client(), app.extensions[EXTENSION]
    first = _response(client, {"query": COUNT_VICTIMS}, "")
    current = (home_copy / "current").resolve()
    renamed = current.with_name("0123456789abcdef")
    shutil.copytree(current, renamed)
    make_current(home_copy, renamed)
    assert _response(client, {"query": COUNT_VICTIMS}, "") == first
    assert cache.hits == 0 and len(cache) == 4


def test_errors_are_not_kept(built_home):
    app = create_app(EndpointConfig(home=built_home, query_timeout=0))
    client, cache = app.test_client(), app.extensions[EXTENSION]
    for _ in range(2):
        assert client.get("/sparql", query_string={"query": "SELECT ?x WHERE {"}).status_code == 400
    assert len(cache) == 0


# ----------------------------------------------------------------------------- records' RDF


def _a_person(client) -> str:
    query = f"SELECT ?p WHERE {{ ?p a <{FP}Victim> }} ORDER BY ?p LIMIT 1"
    iri = client.get("/sparql", query_string={"query": query}).get_json()["results"]["bindings"][0]["p"]["value"]
    return "/id/person/" + iri.rsplit("/", 1)[-1]


def _record(client, path: str, **headers):
    response = client.get(path, headers=headers)
    return response.status_code, sorted(response.headers.items()), response.data


def test_a_records_rdf_is_kept_and_served_again_unchanged(built_home, uncached):
    app = create_app(EndpointConfig(home=built_home, query_timeout=0))
    client, cache, path = app.test_client(), app.extensions[EXTENSION], _a_person(uncached)
    # Turtle too: the records view's answer (endpoint/stored.py) sits behind this cache, Flask's formats behind both
    for accept in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"):
        first = _record(client, path, Accept=accept)
        assert first == _record(client, path, Accept=accept) == _record(uncached, path, Accept=accept)
    assert cache.hits == 4


def test_a_library_answer_the_release_carries_is_kept_and_sent_again_unchanged(built_home, uncached):
    """The release's stored answers (endpoint/stored.py) sit behind this cache: a repeat is sent from memory."""
    app = create_app(EndpointConfig(home=built_home, query_timeout=0))
    client, cache = app.test_client(), app.extensions[EXTENSION]
    text = library()[0].text
    for accept in ("text/csv", "application/sparql-results+json"):
        sent = [client.get("/sparql", query_string={"query": text}, headers={"Accept": accept}) for _ in range(2)]
        expected = uncached.get("/sparql", query_string={"query": text}, headers={"Accept": accept})
        assert [(r.status_code, sorted(r.headers.items()), r.data) for r in sent] == 2 * [
            (expected.status_code, sorted(expected.headers.items()), expected.data)]
    assert cache.hits == 2


def test_records_differ_by_the_headers_they_vary_on(built_home, uncached):
    app = create_app(EndpointConfig(home=built_home, query_timeout=0))
    client, path = app.test_client(), _a_person(uncached)
    asked = [{"Accept": "text/turtle"}, {"Accept": "application/n-triples"},
             {"Accept": "text/turtle", "Origin": "https://example.org"}, {"Accept": "text/html"}]
    for headers in [*asked, *asked]:
        assert _record(client, path, **headers) == _record(uncached, path, **headers), headers


def test_pages_and_conditional_requests_are_left_to_flask(built_home, uncached):
    app = create_app(EndpointConfig(home=built_home, query_timeout=0))
    client, cache, path = app.test_client(), app.extensions[EXTENSION], _a_person(uncached)
    client.get(path, headers={"Accept": "text/html"})
    etag = client.get(path, headers={"Accept": "application/n-triples"}).headers["ETag"]
    assert client.get(path, headers={"Accept": "application/n-triples", "If-None-Match": etag}).status_code == 304
    assert len(cache) == 1 and cache.hits == 0  # the N-Triples only; the 304 never consulted the cache


def test_a_new_build_misses_the_records_too(home_copy, uncached):
    app = create_app(EndpointConfig(home=home_copy, query_timeout=0))
    client, cache, path = app.test_client(), app.extensions[EXTENSION], _a_person(uncached)
    first = client.get(path, headers={"Accept": "application/n-triples"}).data
    current = (home_copy / "current").resolve()
    renamed = current.with_name("fedcba9876543210")
    shutil.copytree(current, renamed)
    make_current(home_copy, renamed)
    assert client.get(path, headers={"Accept": "application/n-triples"}).data == first
    assert cache.hits == 0 and len(cache) == 2
