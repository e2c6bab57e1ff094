"""Issue 6, restricted records: nothing of a restricted person — key, name or IRI — is reachable through any
public route, and curators reach it only with the token.

The home is data/ with one person (RESTRICTED_KEY) marked restricted, their detention and status, and one more
event about them that the shapes report on. Every public route is probed: SPARQL in every form and format,
record pages, every page the application registers (search and browse included), dumps, VoID, the validation
report, the validation page and error messages."""

import json
import logging
import re
import stat

import pytest
from rdflib import Graph, URIRef

from footprints_graph.endpoint.sparql.library import library
from footprints_graph.releases.serving import current_release
from footprints_graph.store.embedded import open_store
from footprints_graph.web import EndpointConfig, create_app
from support.security import CURATOR_TOKEN, RESTRICTED_EVENT, RESTRICTED_KEY, RESTRICTED_NAME, restricted_iris

ID = "https://w3id.org/footprints-graph/id/"
PERSON = ID + "person/" + RESTRICTED_KEY
# A request that names a secret is sent again with its twin, the same text with the person's name made up
# (ham-jin-woo → zam-zin-zoo, Ham Jin-woo → Zam Zin-zoo); the answer may show a secret only as often as the
# twin's answer shows the twin — echoes of what the client sent, such as a search box or a 404 page's hint.
SECRET_NAME = re.compile(r"ham[-\s]+jin(?:[-\s]*woo)?", re.IGNORECASE)
SECRETS = (RESTRICTED_KEY, RESTRICTED_KEY.replace("-", " "), RESTRICTED_NAME, "ham jin", RESTRICTED_EVENT)
VOID = "http://rdfs.org/ns/void#"


@pytest.fixture(scope="module")
def home(restricted_home):
    return restricted_home


@pytest.fixture(scope="module")
def app(home):
    return create_app(EndpointConfig(home=home, query_timeout=5, curator_token=CURATOR_TOKEN))


@pytest.fixture
def public(app):
    return app.test_client()


def twin(text: str) -> str:
    made_up = lambda match: "".join(("Z" if c.isupper() else "z") if c in "HJWhjw" else c for c in match.group(0))  # noqa: E731
    return SECRET_NAME.sub(made_up, text)


def _twin_arguments(value):
    if isinstance(value, dict):
        return {k: _twin_arguments(v) for k, v in value.items()}
    return twin(value) if isinstance(value, str) else value


def assert_nothing_restricted(client, path: str, **arguments):
    """GET `path` and its twin request; the answer shows no secret more often than the twin's shows its twin."""
    answer = client.get(path, **arguments)
    named = twin(path) != path or _twin_arguments(arguments) != arguments
    other = client.get(twin(path), **_twin_arguments(arguments)) if named else None
    assert answer.status_code < 500, (path, arguments)
    found, echoed = answer.get_data(as_text=True).lower(), other.get_data(as_text=True).lower() if other else ""
    for secret in SECRETS:
        assert found.count(secret.lower()) <= echoed.count(twin(secret).lower()), f"{path} {arguments} shows {secret!r}"
    return answer, other


def test_the_build_kept_the_restricted_records_apart(home):
    release = current_release(home)
    assert {PERSON, ID + "event/" + RESTRICTED_EVENT} <= restricted_iris(home)
    anywhere = f"ASK {{ GRAPH ?g {{ {{ <{PERSON}> ?p ?o }} UNION {{ ?s ?p <{PERSON}> }} }} }}"
    assert not open_store(release / "store").query(anywhere)
    assert open_store(release / "restricted" / "store").query(f"ASK {{ GRAPH ?g {{ <{PERSON}> ?p ?o }} }}")
    assert stat.S_IMODE((release / "restricted").stat().st_mode) == 0o700


# ----------------------------------------------------------------------------- SPARQL

QUERIES = {
    "everything": "SELECT * WHERE { ?s ?p ?o }",
    "every graph": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
    "describe": f"DESCRIBE <{PERSON}>",
    "ask": f"ASK {{ {{ <{PERSON}> ?p ?o }} UNION {{ ?s ?p <{PERSON}> }} }}",
    "by name": "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(CONTAINS(LCASE(STR(?o)), 'ham jin')) }",
    "from named": f"SELECT * FROM NAMED <{ID}graph/people> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "from": f"SELECT * FROM <{PERSON}> WHERE {{ ?s ?p ?o }}",  # an error message must not confirm it either
}
FORMATS = ("json", "xml", "csv", "tsv")
RDF_FORMATS = ("ttl", "nt", "rdf", "jsonld", "trig", "nq")


@pytest.mark.parametrize("name", QUERIES)
def test_no_query_reaches_a_restricted_record(public, name):
    query = QUERIES[name]
    formats = RDF_FORMATS if query.startswith(("CONSTRUCT", "DESCRIBE")) else FORMATS
    for format_name in formats:
        answer, _ = assert_nothing_restricted(public, "/sparql", query_string={"query": query, "format": format_name})
        assert answer.status_code == (400 if name == "from" else 200), answer.text
    if name == "ask":
        assert public.get("/sparql", query_string={"query": query, "format": "json"}).json["boolean"] is False


def test_no_library_query_shows_a_restricted_record(public):
    for query in library():
        answer, _ = assert_nothing_restricted(public, "/sparql", query_string={"query": query.text, "format": "csv"})
        assert answer.status_code == 200, query.name


def test_a_curator_token_changes_nothing_on_the_public_endpoint(public):
    response = public.get("/sparql", query_string={"query": QUERIES["ask"], "format": "json"},
                          headers={"Authorization": f"Bearer {CURATOR_TOKEN}"})
    assert response.json["boolean"] is False


# ----------------------------------------------------------------------------- pages


def _local(iri: str) -> str:
    return "/id/" + iri.removeprefix(ID)


def test_a_restricted_records_page_is_exactly_an_unknown_records_404(public, home):
    for iri in sorted(restricted_iris(home)):
        for suffix, accept in (("", "text/html"), ("", "text/turtle"), (".ttl", "*/*"), (".jsonld", "*/*")):
            answer, other = assert_nothing_restricted(public, _local(iri) + suffix, headers={"Accept": accept})
            assert answer.status_code == other.status_code == 404
            assert twin(answer.get_data(as_text=True)) == other.get_data(as_text=True)


def _page_paths(app) -> list[str]:
    """Every GET route of the application, with its arguments filled in as the pages link to them."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/curator", "/static")):
            continue
        if not rule.arguments - set(rule.defaults or {}):
            paths.append(rule.rule)
    return paths


SEARCH_PARAMETERS = ({}, {"q": RESTRICTED_NAME}, {"q": RESTRICTED_KEY}, {"query": RESTRICTED_NAME},
                     {"category": "detainee", "lang": "ko"})


def test_no_page_shows_a_restricted_record(app, public):
    paths = _page_paths(app)
    assert {"/", "/sparql", "/dumps/", "/validation", "/.well-known/void"} <= set(paths)
    for path in paths:
        assert_nothing_restricted(public, path, headers={"Accept": "application/json"})
        for parameters in SEARCH_PARAMETERS:
            assert_nothing_restricted(public, path, query_string=parameters, headers={"Accept": "text/html"})


def test_no_dump_validation_report_or_query_page_shows_a_restricted_record(public, home):
    release = current_release(home)
    paths = [f"/dumps/{p.name}" for p in (release / "dumps").iterdir()]
    paths += ["/validation.ttl", "/validation.json", "/.well-known/void.ttl"]
    paths += [f"/queries/{q.name}" for q in library()] + [f"/queries/{q.name}.rq" for q in library()]
    for path in paths:
        answer, _ = assert_nothing_restricted(public, path)
        assert answer.status_code == 200, path


def test_reconciliation_does_not_find_a_restricted_person(public):
    queries = json.dumps({"q0": {"query": RESTRICTED_NAME}, "q1": {"query": RESTRICTED_KEY}})
    assert_nothing_restricted(public, "/reconcile", query_string={"queries": queries})
    for prefix in ("Ham", "ham-"):  # what a person might type; the answer must suggest no restricted name
        suggested = public.get("/reconcile/suggest/entity", query_string={"prefix": prefix}).text.lower()
        assert "ham jin" not in suggested and RESTRICTED_KEY not in suggested
    assert_nothing_restricted(public, "/reconcile/preview", query_string={"id": f"person/{RESTRICTED_KEY}"})


def test_void_counts_are_the_public_stores(public, home):
    void = Graph().parse(data=public.get("/.well-known/void", headers={"Accept": "text/turtle"}).text, format="turtle")
    triples = {int(o) for o in void.objects(None, URIRef(VOID + "triples"))}
    store = open_store(current_release(home) / "store")
    everything = open_store(current_release(home) / "restricted" / "store")
    assert len(store) in triples and len(everything) not in triples


def test_the_validation_page_treats_a_restricted_person_as_unknown(public):
    def check(key: str):
        status = f"key,person,status,as_of,source\n{key}-status,{key},detained,2024-03-27,mou-detainees-2024-03-27\n"
        return public.post("/validate", data={"text": status, "format": "statuses.csv"},
                           headers={"Accept": "application/json"})
    answer, other = check(RESTRICTED_KEY), check(twin(RESTRICTED_KEY))
    assert answer.status_code == other.status_code < 500
    assert twin(answer.get_data(as_text=True)) == other.get_data(as_text=True)


# ----------------------------------------------------------------------------- curators


def _curator(client, path: str, token: str | None = CURATOR_TOKEN, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers={**headers, **kwargs.pop("headers", {})}, **kwargs)


def test_a_curator_sees_restricted_records_with_the_token(public):
    asked = _curator(public, "/curator/sparql", query_string={"query": QUERIES["ask"], "format": "json"})
    assert asked.status_code == 200 and asked.json["boolean"] is True
    assert asked.headers["Cache-Control"] == "no-store" and "Authorization" in asked.headers["Vary"]
    page = _curator(public, f"/curator/id/person/{RESTRICTED_KEY}", headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and RESTRICTED_NAME in page.text


@pytest.mark.parametrize("token", [None, "wrong-" + CURATOR_TOKEN[6:], CURATOR_TOKEN[:-1], CURATOR_TOKEN + "x"])
def test_without_the_right_token_a_curator_route_is_a_401_that_says_nothing(public, token):
    for path in ("/curator/sparql?query=ASK%7B%7D", f"/curator/id/person/{RESTRICTED_KEY}"):
        response = _curator(public, path, token)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        assert RESTRICTED_NAME not in response.text
    assert public.get(f"/curator/sparql?token={CURATOR_TOKEN}&query=ASK%7B%7D").status_code == 401  # never in a URL


def test_without_a_configured_token_the_curator_routes_do_not_exist(home):
    plain = create_app(EndpointConfig(home=home, query_timeout=5)).test_client()
    for path in ("/curator/sparql", f"/curator/id/person/{RESTRICTED_KEY}"):
        response = _curator(plain, path)
        unknown = plain.get(path.replace("curator", "no-such-page"))
        assert response.status_code == unknown.status_code == 404


def test_a_short_token_is_refused_at_start(home):
    from footprints_graph.endpoint.config import ConfigError
    with pytest.raises(ConfigError, match="shorter than"):
        create_app(EndpointConfig(home=home, curator_token="letmein"))


def test_the_token_never_reaches_a_log_or_a_repr(public, caplog):
    caplog.set_level(logging.DEBUG)
    _curator(public, "/curator/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})  # a 400
    _curator(public, "/curator/sparql", "wrong-" + CURATOR_TOKEN, query_string={"query": "ASK {}"})
    _curator(public, "/curator/id/person/" + RESTRICTED_KEY)
    assert CURATOR_TOKEN not in caplog.text
    assert CURATOR_TOKEN not in repr(EndpointConfig(curator_token=CURATOR_TOKEN))


def test_curator_queries_keep_the_public_limits(public):
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    assert _curator(public, "/curator/sparql", query_string={"query": service}).status_code == 403
    assert _curator(public, "/curator/sparql", query_string={"query": "CLEAR ALL"}).status_code == 403



def test_curator_queries_run_in_the_workers_query_process(public):
    """The curators' endpoint has no fork of its own: its queries go to the query processes the public endpoint
    uses (query_process.py), one of which then holds the curators' store, and a public query is answered by one
    that holds the public store (the curators' forked anew, if no other was idle)."""
    from footprints_graph.endpoint.sparql.query_process import query_processes
    assert _curator(public, "/curator/sparql", query_string={"query": QUERIES["ask"], "format": "json"}).json["boolean"]
    curators = query_processes().idle[-1]  # the one given back last
    assert curators.pid is not None and curators.store is not None and len(curators.store) > 0
    pid, store = curators.pid, curators.store
    uncached = QUERIES["ask"] + " # asked once here, so the public answer cache cannot have it"
    public_answer = public.get("/sparql", query_string={"query": uncached, "format": "json"})
    public_process = query_processes().idle[-1]
    assert public_answer.json["boolean"] is False
    assert public_process.pid not in (None, pid) and public_process.store is not store
