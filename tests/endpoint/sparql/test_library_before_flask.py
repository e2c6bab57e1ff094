"""Issue 15: a library query's stored answer is sent before Flask (endpoint/stored.py, sparql/stored.py) with the
very status, headers (in their order) and bytes that Flask's route sends for it, for every library query the
release carries an answer to and every format negotiation can pick, asked by GET or by a POSTed form; anything
else (a dataset, a format parameter, the editor, conditional, range and cross-origin requests, a query over the
limit, the curators' endpoint) reaches Flask; a text the release has no answer to is the engine's
(test_query_before_flask.py). Which one answered is seen by
what reaches Flask, counted in the site's WSGI chain; Flask's own answer comes from the same site with the layer
taken out of the chain."""

from urllib.parse import quote, quote_plus

import pytest
from werkzeug.test import Client

from footprints_graph.releases.views import FOLDER
from footprints_graph.releases.views.library import LibraryAnswers, library_texts
from support.before_flask import answer as _answer
from support.before_flask import sites

FORM = "application/x-www-form-urlencoded"
ACCEPTED = [None, "*/*", "application/sparql-results+json", "application/json", "application/sparql-results+xml",
            "text/csv", "text/tab-separated-values", "text/csv;q=0.5, application/sparql-results+xml",
            "text/html;q=0.5, application/sparql-results+json"]
TEXT = library_texts()["victims-by-category"]
TOKEN = "a-curator-token-long-enough"


@pytest.fixture(scope="module")
def both(built_home):
    return sites(built_home)


def _asked(client: Client, method: str, text: str, headers: dict, **extra):
    if method == "GET":
        return client.get("/sparql", query_string={"query": text, **extra}, headers=headers)
    return client.post("/sparql", data={"query": text, **extra}, headers=headers,
                       content_type=headers.pop("Content-Type", FORM))


def _same(both, method: str, text: str, headers: dict, **extra) -> tuple:
    """Asked of the site with the layer and without: the answers (status, headers in order, body) must be one."""
    layered, flask_only, _ = both
    answers = [_answer(_asked(client, method, text, dict(headers), **extra)) for client in (layered, flask_only)]
    assert answers[0] == answers[1], (method, headers, extra)
    return answers[0]


def _carried(release) -> list[str]:
    answers = LibraryAnswers(release / FOLDER)
    texts = [text for text in library_texts().values() if answers.find(text)]
    return texts + [text.replace("\n", "\r\n") for text in texts]  # as a browser's form sends the editor's text


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_stored_answer_before_flask_is_flasks_answer(both, built_release, method):
    _, _, reached = both
    reached.paths.clear()
    texts = _carried(built_release)
    assert len(texts) > 20
    for text in texts:
        for accept in ACCEPTED:
            status, headers, body = _same(both, method, text, {"Accept": accept} if accept else {})
            assert status == "200 OK" and body and ("Vary", "Accept") in headers
    assert reached.paths == []


def test_a_form_that_declares_its_charset_is_answered_before_flask(both):
    _, _, reached = both
    reached.paths.clear()
    _same(both, "POST", TEXT, {"Content-Type": f"{FORM}; charset=utf-8"})
    assert reached.paths == []


LEFT_TO_FLASK = [
    ("GET", TEXT, {}, {"default-graph-uri": "urn:x-graph:none"}),
    ("POST", TEXT, {}, {"named-graph-uri": "urn:x-graph:none"}),
    ("GET", TEXT, {}, {"format": "json"}),
    ("POST", TEXT, {}, {"output": "csv"}),
    ("GET", TEXT, {}, {"unknown": "1"}),
    ("GET", TEXT, {"Accept": "text/html"}, {}),  # the editor's page
    ("GET", TEXT, {"Accept": "text/turtle"}, {}),  # 406
    ("GET", TEXT, {"Origin": "https://example.org"}, {}),
    ("POST", TEXT, {"Origin": "https://example.org"}, {}),
    ("GET", TEXT, {"If-None-Match": '"x"'}, {}),
    ("GET", TEXT, {"If-Modified-Since": "Sun, 06 Dec 2026 08:00:00 GMT"}, {}),
    ("GET", TEXT, {"Range": "bytes=0-9"}, {}),
    ("POST", TEXT, {"Content-Type": "application/sparql-query"}, {}),
]


@pytest.mark.parametrize("method, text, headers, extra", LEFT_TO_FLASK)
def test_anything_but_a_plain_request_reaches_flask(both, method, text, headers, extra):
    _, _, reached = both
    reached.paths.clear()
    if headers.get("Content-Type") == "application/sparql-query":  # the query is the body
        layered, flask_only, _ = both
        answers = [_answer(client.post("/sparql", data=text.encode(), headers=headers)) for client in both[:2]]
        assert answers[0] == answers[1]
    else:
        _same(both, method, text, headers, **extra)
    assert reached.paths == ["/sparql"]


def _raw(client: Client, query_string: str):
    return client.get("/sparql?" + query_string, headers={"Accept": "text/csv"})


@pytest.mark.parametrize("query_string, before_flask", [
    (quote(TEXT, safe=""), False),  # no parameter name: the whole string is a parameter's name
    ("query=" + quote(TEXT, safe=""), True),  # spaces as %20, not +
    ("query=" + quote_plus(TEXT) + "&", False),  # one parameter still, but left to Flask
    ("q%75ery=" + quote_plus(TEXT), False),  # `query` in other spelling
    ("query=" + quote_plus(TEXT) + "%FF", False),  # not UTF-8: Flask keeps the escape
    ("query=" + quote_plus(TEXT).replace("SELECT", "SEL%C3%89CT", 1), True),  # UTF-8, the engine's (a 400)
])
def test_a_query_string_is_read_as_flask_reads_it(both, query_string, before_flask):
    layered, flask_only, reached = both
    reached.paths.clear()
    answers = [_answer(_raw(client, query_string)) for client in (layered, flask_only)]
    assert answers[0] == answers[1]
    assert reached.paths == ([] if before_flask else ["/sparql"])


def test_a_post_with_a_query_string_reaches_flask(both):
    layered, flask_only, reached = both
    reached.paths.clear()
    answers = [_answer(client.post("/sparql?format=json", data={"query": TEXT})) for client in (layered, flask_only)]
    assert answers[0] == answers[1] and reached.paths == ["/sparql"]


def test_a_head_request_reaches_flask(both):
    layered, flask_only, reached = both
    reached.paths.clear()
    answers = [_answer(client.head("/sparql", query_string={"query": TEXT})) for client in (layered, flask_only)]
    assert answers[0] == answers[1] and reached.paths == ["/sparql"]


def test_a_query_longer_than_the_limit_is_refused_by_flask(built_home):
    layered, flask_only, reached = sites(built_home, max_query_bytes=len(TEXT) - 1)
    answers = [_answer(_asked(client, "GET", TEXT, {})) for client in (layered, flask_only)]
    assert answers[0] == answers[1] and answers[0][0].startswith("413")
    assert reached.paths == ["/sparql"]


def test_the_curators_endpoint_never_takes_the_shortcut(restricted_home):
    layered, flask_only, reached = sites(restricted_home, curator_token=TOKEN)
    asked = {"query_string": {"query": TEXT}, "headers": {"Authorization": f"Bearer {TOKEN}"}}
    answers = [_answer(client.get("/curator/sparql", **asked)) for client in (layered, flask_only)]
    assert answers[0] == answers[1] and answers[0][0] == "200 OK"
    assert reached.paths == ["/curator/sparql"]
