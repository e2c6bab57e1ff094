"""Issue 15: a plain query the engine answers (a GET whose only parameter is `query`, or a POSTed form whose only
field is `query`) is answered before Flask (endpoint/stored.py, sparql/stored.py) through the route's own functions,
with the very status, headers (in their order) and bytes Flask's route sends: every query form in every format
negotiation can pick or refuse (406), the guard's refusals, a syntax error, the row cap, a full set of query slots
and the deadline. What differs from Flask's answer goes to Flask: a client whose errors are HTML pages, a query over
the limit, an empty query. Which one answered is seen by what reaches Flask (support/before_flask.py)."""

import pytest

from footprints_graph.endpoint.sparql.cache import EXTENSION
from footprints_graph.endpoint.sparql.guard import QuerySlots
from support.before_flask import answer, sites
from support.security import restricted_iris

FORM = "application/x-www-form-urlencoded"
PREFIXES = "PREFIX fp: <https://w3id.org/footprints-graph/ontology#>\n"
FORMS = {
    "ASK": "ASK { ?s a fp:Victim }",
    "SELECT": "SELECT ?s ?p ?o WHERE { ?s a fp:Victim ; ?p ?o } ORDER BY ?s ?p ?o LIMIT 7",
    "CONSTRUCT": "CONSTRUCT { ?s ?p ?o } WHERE { ?s a fp:Victim ; ?p ?o } ORDER BY ?s ?p ?o LIMIT 7",
    "DESCRIBE": "DESCRIBE ?s WHERE { ?s a fp:Victim } ORDER BY ?s LIMIT 1",
}
ACCEPTED = [None, "*/*", "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
            "text/tab-separated-values", "application/json", "text/turtle", "application/n-triples",
            "application/ld+json", "application/rdf+xml", "text/turtle;q=0.5, application/sparql-results+xml",
            "text/plain", "text/*"]
# a product of four patterns over every triple of the store: no engine counts it within a second
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def both(built_home):
    return sites(built_home)


def asked(client, method: str, text: str, headers: dict | None = None):
    if method == "GET":
        return client.get("/sparql", query_string={"query": text}, headers=headers or {})
    return client.post("/sparql", data={"query": text}, headers=headers or {}, content_type=FORM)


def same(both, method: str, text: str, headers: dict | None = None) -> tuple:
    """Asked of the site with the layer and without: the answers (status, headers in order, body) must be one."""
    layered, flask_only, _ = both
    answers = [answer(asked(client, method, text, headers)) for client in (layered, flask_only)]
    assert answers[0] == answers[1], (method, text, headers)
    return answers[0]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("form", FORMS)
def test_every_form_in_every_format_is_flasks_answer_before_flask(both, method, form):
    _, _, reached = both
    reached.paths.clear()
    statuses = set()
    for number, accept in enumerate(ACCEPTED):  # a new text each time: no answer kept anywhere serves another
        status, headers, body = same(both, method, f"{PREFIXES}{FORMS[form]} # {number}",
                                     {"Accept": accept} if accept else {})
        statuses.add(status)
        assert body and ("Access-Control-Allow-Origin", "*") in headers
    assert statuses == {"200 OK", "406 NOT ACCEPTABLE"}
    assert reached.paths == []


REFUSED = {
    "ASK { ?s ?p }": "400 BAD REQUEST",  # not SPARQL
    "ASK { SERVICE <http://example.org/sparql> { ?s ?p ?o } }": "403 FORBIDDEN",
    "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }": "403 FORBIDDEN",
    "ASK FROM <urn:x-graph:none> { ?s ?p ?o }": "400 BAD REQUEST",
    "ASK " + "{" * 1001 + "}" * 1001: "400 BAD REQUEST",  # nested too deep for the engine
    "ASK { FILTER(<urn:x:no-such-function>(1)) }": "400 BAD REQUEST",
}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("text", REFUSED)
def test_a_refused_query_is_flasks_answer_before_flask(both, method, text):
    _, _, reached = both
    reached.paths.clear()
    status, headers, body = same(both, method, text, {"Accept": "application/sparql-results+json"})
    assert status == REFUSED[text] and ("Content-Type", "text/plain; charset=utf-8") in headers and body
    assert reached.paths == []


def test_a_result_over_the_row_cap_is_refused_before_flask(built_home):
    both = sites(built_home, max_result_rows=1)
    status, _, body = same(both, "GET", PREFIXES + FORMS["SELECT"])
    assert status == "400 BAD REQUEST" and b"more than 1 rows" in body
    assert both[2].paths == []


def test_every_slot_taken_is_503_with_retry_after_before_flask(home):
    both = sites(home, max_concurrent_queries=1)
    with QuerySlots(home, 1).hold():
        status, headers, _ = same(both, "POST", PREFIXES + FORMS["ASK"])
    assert status == "503 SERVICE UNAVAILABLE" and ("Retry-After", "5") in headers
    assert both[2].paths == []


def test_a_query_past_the_deadline_is_stopped_before_flask(built_home):
    both = sites(built_home, query_timeout=1)
    for method in ("GET", "POST"):
        status, _, body = same(both, method, ENDLESS)
        assert status == "503 SERVICE UNAVAILABLE" and b"longer than this endpoint's limit of 1 s" in body
    assert both[2].paths == []


@pytest.mark.parametrize("text, headers", [
    ("ASK { ?s ?p }", {"Accept": "text/html;q=0.5, application/sparql-results+json"}),  # its error is a page
    (PREFIXES + FORMS["ASK"], {"Accept": "text/html"}),  # the editor
    ("", {}),  # empty
])
def test_what_differs_from_flasks_answer_reaches_flask(both, text, headers):
    _, _, reached = both
    reached.paths.clear()
    same(both, "GET", text, headers)
    assert reached.paths == ["/sparql"]


def test_a_query_over_the_limit_reaches_flask(built_home):
    text = PREFIXES + FORMS["ASK"]
    both = sites(built_home, max_query_bytes=len(text) - 1)
    assert same(both, "POST", text)[0] == "413 REQUEST ENTITY TOO LARGE"
    assert both[2].paths == ["/sparql"]


@pytest.mark.parametrize("host", ["localhost", "example.org:8080", "example.org:80"])
def test_relative_iris_resolve_against_the_url_asked(both, host):
    _, _, reached = both
    reached.paths.clear()
    _, _, body = same(both, "GET", "SELECT ?iri WHERE { BIND(<relative> AS ?iri) }",
                      {"Host": host, "Accept": "text/csv"})
    assert body.splitlines()[1] == f"http://{host.removesuffix(':80')}/relative".encode()
    assert reached.paths == []


def test_relative_iris_resolve_against_the_public_url(built_home):
    both = sites(built_home, public_url="https://footprints.example/")
    _, _, body = same(both, "POST", "SELECT ?iri WHERE { BIND(<relative> AS ?iri) }", {"Accept": "text/csv"})
    assert body.splitlines()[1] == b"https://footprints.example/relative"
    assert both[2].paths == []


def test_an_answer_evaluated_before_flask_is_kept_in_the_answer_cache(built_home):
    layered, flask_only, reached = sites(built_home, cache_bytes=1 << 20)
    text = PREFIXES + FORMS["SELECT"]
    first = [answer(asked(client, "GET", text)) for client in (layered, flask_only)]
    again = [answer(asked(client, "POST", text)) for client in (layered, flask_only)]  # another request, one key
    assert first[0] == first[1] and again[0] == again[1] and first[0][2] == again[0][2]
    assert layered.application.extensions[EXTENSION].hits == 1 and reached.paths == []


def test_no_restricted_record_is_reachable_before_flask(restricted_home):
    both, hidden = sites(restricted_home), restricted_iris(restricted_home)
    assert hidden
    for method in ("GET", "POST"):
        _, _, body = same(both, method, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {"Accept": "text/csv"})
        assert body.count(b"\n") > 100 and not [iri for iri in hidden if iri.encode() in body]
    assert both[2].paths == []


def test_a_failure_outside_the_engine_is_flasks_500(built_home, monkeypatch):
    """A query slot that cannot be taken (its files, say) fails in the layer as in the route: Flask answers both."""
    from footprints_graph.endpoint.sparql import query_process

    def no_slots(config):
        raise OSError("the query slots' folder cannot be written")
    monkeypatch.setattr(query_process, "slots_for", no_slots)
    layered, flask_only, reached = sites(built_home)
    status, _, body = same((layered, flask_only, reached), "POST", f"{PREFIXES}{FORMS['ASK']} # failing")
    assert status.startswith("500") and reached.paths == ["/sparql"]
    assert b"slots" not in body  # what failed goes to the log, not to the client
