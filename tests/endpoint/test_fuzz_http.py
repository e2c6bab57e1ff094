"""Issue 6, bad input over HTTP: malformed queries, odd headers and paths, huge query strings and hostile
uploads get a 4xx with a message (or a 200 when they happen to be fine) — never a 500 and never a crash.
Property-based (hypothesis), each test bounded in examples (not in time: that would depend on the machine)."""

from io import BytesIO
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footprints_graph.web import EndpointConfig, create_app

BOUNDED = settings(max_examples=120, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TOKENS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FROM", "NAMED", "SERVICE", "SILENT", "GRAPH",
          "OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "VALUES", "LIMIT", "OFFSET", "ORDER BY", "GROUP BY",
          "PREFIX", "BASE", "LOAD", "INSERT", "DELETE", "DATA", "CLEAR", "*", "{", "}", "(", ")", ".", ";", ",", "?s",
          "?p", "?o", "$x", "<http://127.0.0.1:1/x>", "<urn:x>", "fp:Victim", "a", '"x"', "'y'@ko", "1", "-2.5e3",
          "#", "\\u0053", "\\#", "<<", ">>", "COUNT(*)", "AS", "REGEX", "&&", "||", "!", "=", "<", "^^", "_:b"]
QUERIES = st.one_of(st.text(max_size=300), st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
PARAMETERS = ["query", "update", "format", "output", "default-graph-uri", "named-graph-uri", "q", "lang", "id"]
ACCEPTABLE = {200, 301, 302, 304, 307, 308, 400, 401, 403, 404, 405, 406, 413, 415}


@pytest.fixture(scope="module")
def client(built_home):
    app = create_app(EndpointConfig(home=built_home, query_timeout=2, max_result_rows=1000, max_query_bytes=20_000))
    return app.test_client()


def _fine(response) -> None:
    assert response.status_code in ACCEPTABLE | {503}, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.get_data(), "an error without a message"


@BOUNDED
@given(query=QUERIES, method=st.sampled_from(["GET", "POST form", "POST query"]))
def test_any_query_text_gets_an_answer_or_a_4xx(client, query, method):
    if method == "GET":
        response = client.get("/sparql", query_string={"query": query})
    elif method == "POST form":
        response = client.post("/sparql", data={"query": query})
    else:
        response = client.post("/sparql", data=query.encode("utf-8", "surrogatepass"),
                               content_type="application/sparql-query")
    _fine(response)


HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=200)


@BOUNDED
@given(accept=HEADER_TEXT, content_type=HEADER_TEXT, if_none_match=HEADER_TEXT, language=HEADER_TEXT,
       body=st.binary(max_size=2000), path=st.sampled_from(["/sparql", "/", "/id/person/kim-kook-kie",
                                                             "/.well-known/void", "/validation", "/dumps/",
                                                             "/search", "/browse", "/validate", "/reconcile"]))
def test_any_headers_get_an_answer_or_a_4xx(client, accept, content_type, if_none_match, language, body, path):
    headers = {"Accept": accept, "If-None-Match": if_none_match, "Accept-Language": language}
    _fine(client.get(path, headers=headers, query_string={"query": "ASK {}"}))
    _fine(client.post(path, headers={**headers, "Content-Type": content_type}, data=body))


PATH_SEGMENTS = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(["..", ".", "%00", "%2e%2e", "id", "person",
                                                                          "ttl", ".ttl", ".jsonld", "vocab"])),
                         max_size=6)


@BOUNDED
@given(segments=PATH_SEGMENTS, parameters=st.dictionaries(st.sampled_from(PARAMETERS), st.text(max_size=100), max_size=4))
def test_any_path_gets_an_answer_or_a_4xx(client, segments, parameters):
    path = "/" + "/".join(quote(s, safe="%.") for s in segments).lstrip("/")  # "//x" would name a host
    _fine(client.get(path, query_string=parameters))


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(size=st.integers(min_value=20_001, max_value=2_000_000), where=st.sampled_from(["GET", "form", "body"]))
def test_a_huge_query_is_a_413(client, size, where):
    query = "ASK {} #" + "x" * size
    if where == "GET":
        response = client.get("/sparql", query_string={"query": query})
    elif where == "form":
        response = client.post("/sparql", data={"query": query})
    else:
        response = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert response.status_code == 413 and response.text


UPLOAD_NAMES = st.sampled_from(["s.ttl", "s.nt", "s.nq", "s.trig", "s.jsonld", "s.rdf", "s.owl", "s.xml", "people.csv",
                                "events.csv", "x-statuses.csv", "s.json", "s.txt", "noext", "../../etc/passwd",
                                "s.ttl\x00.csv"])
UPLOADS = st.one_of(st.binary(max_size=3000), st.text(max_size=2000).map(str.encode),
                    st.sampled_from([b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
                                     b'{"@context": "http://127.0.0.1:1/c", "@id": "urn:x"}',
                                     b"person,name\n\xff\xfe,\x00\n", b"@prefix : <#> . :a :b :c .",
                                     b'key,person\n"unterminated,x\n']))


@BOUNDED
@given(name=UPLOAD_NAMES, content=UPLOADS, pasted=st.text(max_size=500))
def test_any_upload_to_the_validation_page_gets_a_report_or_a_4xx(client, name, content, pasted):
    data = {"files": (BytesIO(content), name), "text": pasted, "format": "submission.ttl"}
    response = client.post("/validate", data=data, content_type="multipart/form-data",
                           headers={"Accept": "application/json"})
    assert response.status_code in (200, 400, 413), (response.status_code, response.text[:300])
