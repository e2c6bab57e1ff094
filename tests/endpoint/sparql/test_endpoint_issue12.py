"""Issue 12: the endpoint answers as the SPARQL 1.1 Protocol says. Every client error is a 4xx with the reason
(unknown function, bad encoding, too deep, unparseable), never a 500; relative IRIs resolve against the URL the
query was sent to; the guard refuses no valid query that breaks no policy (`?from` is a variable)."""

import json

import pytest
import requests

from footprints_graph.cli import main
from footprints_graph.endpoint.sparql.guard import MAX_NESTING
from footprints_graph.endpoint.sparql.lexer import QueryText, nesting
from footprints_graph.web import EndpointConfig, create_app

JSON = "application/sparql-results+json"
UNKNOWN_FUNCTION = "PREFIX : <http://example.org/> SELECT * {?s ?p ?o FILTER :f(?s)} LIMIT 1"
NESTED = {  # what crashed the query process before (issue 12): a shape of nesting -> a query n levels deep
    "braces": lambda n: "SELECT * " + "{" * n + "}" * n,
    "parentheses": lambda n: "SELECT (" + "(" * n + "1" + ")" * n + " AS ?x) {}",
    "a chain of +1": lambda n: "SELECT (1" + "+1" * n + " AS ?x) {}",
    "a chain of !": lambda n: "SELECT (" + "!" * n + "true AS ?x) {}",
    "parentheses hidden in what reads as an IRI": lambda n: "SELECT * { FILTER(1<" + "(" * n + "1" + ")" * n + "&&2>1) }",
}


def bindings(response) -> list[dict]:
    return json.loads(response.text)["results"]["bindings"]


# ----------------------------------------------------------------------------- the guard and the engine agree


@pytest.mark.parametrize("name", ["from", "service", "load", "named", "insert", "base", "prefix", "select"])
def test_a_variable_named_after_a_keyword_is_a_variable(client, name):
    """`SELECT ?from WHERE { ?from ?p -1.0 }` was a 400 (rdflib could not read -1.0) and `?x` a 200."""
    query = f"SELECT ?{name} WHERE {{ ?{name} ?p -1.0 }} LIMIT 1"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    assert json.loads(response.text)["head"]["vars"] == [name]


def test_keywords_in_strings_names_and_comments_are_not_keywords(client):
    query = 'PREFIX ex: <http://e/> SELECT ?s WHERE { ?s ?p "SERVICE <http://e/> FROM" . OPTIONAL { ?s ex:a\\# ?o } } # FROM <x>'
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200 and bindings(response) == []


def test_service_behind_a_relative_iri_or_a_base_is_still_refused(client):
    query = "BASE <http://127.0.0.1:9/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 403 and "SERVICE <http://127.0.0.1:9/sparql> is refused" in response.text


# ----------------------------------------------------------------------------- relative IRIs


def test_relative_iris_resolve_against_the_url_of_the_endpoint(client):
    response = client.get("/sparql", query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
                          headers={"Accept": "application/n-triples"}, base_url="http://example.net:8080")
    assert response.status_code == 200, response.text
    assert response.text.strip() == ('<http://example.net:8080/s> <http://example.net:8080/p> '
                                     '"1"^^<http://www.w3.org/2001/XMLSchema#integer> .')


def test_relative_iris_resolve_against_the_public_url_when_one_is_configured(built_home):
    client = create_app(EndpointConfig(home=built_home, query_timeout=5, public_url="https://fp.example.org")).test_client()
    response = client.post("/sparql", data="SELECT (<../x?y#z> AS ?iri) {}", content_type="application/sparql-query",
                           headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    assert bindings(response) == [{"iri": {"type": "uri", "value": "https://fp.example.org/x?y#z"}}]


def test_answers_for_different_hosts_are_not_shared_by_the_caches(client):
    query = {"query": "SELECT (<here> AS ?iri) {}"}
    first = client.get("/sparql", query_string=query, headers={"Accept": JSON}, base_url="http://one.example")
    second = client.get("/sparql", query_string=query, headers={"Accept": JSON}, base_url="http://two.example")
    assert bindings(first)[0]["iri"]["value"] == "http://one.example/here"
    assert bindings(second)[0]["iri"]["value"] == "http://two.example/here"


def test_a_graph_named_by_a_relative_iri_is_resolved_before_it_is_checked(client):
    response = client.get("/sparql", query_string={"query": "ASK FROM <graph/people> { ?s ?p ?o }"},
                          base_url="https://w3id.org/footprints-graph/id/")
    assert response.status_code == 400  # /sparql: the base is https://w3id.org/sparql
    assert "FROM <https://w3id.org/graph/people> is not a graph of this dataset" in response.text


# ----------------------------------------------------------------------------- client errors are 4xx


@pytest.mark.parametrize("form", [UNKNOWN_FUNCTION, "PREFIX : <http://e/> ASK { BIND(:f(1) AS ?x) }",
                                  "PREFIX : <http://e/> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(:f(?o)) }"])
def test_an_unknown_function_is_a_400_naming_it(client, form):
    response = client.get("/sparql", query_string={"query": form})
    assert response.status_code == 400
    assert response.text.startswith("The custom function <http://e") and "does not have" in response.text


def test_a_body_in_a_declared_charset_is_read_in_it(client):
    body = 'SELECT ?name WHERE { VALUES ?name { "Séoul" } }'.encode("iso-8859-1")
    response = client.post("/sparql", data=body, headers={"Accept": JSON},
                           content_type="application/sparql-query; charset=ISO-8859-1")
    assert response.status_code == 200, response.text
    assert bindings(response) == [{"name": {"type": "literal", "value": "Séoul"}}]


def test_a_body_not_in_its_charset_is_a_400_naming_it(client):
    response = client.post("/sparql", data='ASK { FILTER("S\xe9oul" != "") }'.encode("iso-8859-1"),
                           content_type="application/sparql-query")
    assert response.status_code == 400
    assert response.text.startswith("The query is not valid utf-8") and "byte 0xe9 at offset 15" in response.text


@pytest.mark.parametrize("charset", ["klingon-8", "rot13"])
def test_a_charset_the_server_does_not_know_is_a_415_naming_it(client, charset):
    response = client.post("/sparql", data=b"ASK {}", content_type=f"application/sparql-query; charset={charset}")
    assert response.status_code == 415 and f"charset {charset!r}" in response.text


@pytest.mark.parametrize("shape", NESTED)
def test_a_query_nested_past_the_limit_is_a_400_saying_where(client, shape):
    response = client.post("/sparql", data=NESTED[shape](5000), content_type="application/sparql-query")
    assert response.status_code == 400
    assert f"this endpoint reads at most {MAX_NESTING}" in response.text and "line 1, column" in response.text


def test_thirty_thousand_terms_are_a_400(client):
    response = client.get("/sparql", query_string={"query": NESTED["a chain of +1"](30_000)})
    assert response.status_code == 400 and "levels deep" in response.text


@pytest.mark.parametrize("shape", NESTED)
def test_the_engine_answers_a_query_nested_up_to_the_limit(client, shape):
    """The limit leaves the engine room: a query as deep as allowed is answered (or refused as invalid)."""
    query = next(NESTED[shape](n) for n in range(MAX_NESTING, 0, -1)
                 if nesting(QueryText(NESTED[shape](n)).tokens).depth <= MAX_NESTING)
    response = client.post("/sparql", data=query, content_type="application/sparql-query", headers={"Accept": JSON})
    assert response.status_code in (200, 400), response.text
    assert "levels deep" not in response.text


# ----------------------------------------------------------------------------- over HTTP, in the query process


def test_over_http_client_errors_are_4xx_and_the_query_process_lives_on(live_server):
    asked = {
        "unknown function": (requests.get, {"params": {"query": UNKNOWN_FUNCTION}}, 400),
        "Latin-1 declared as UTF-8": (requests.post, {"data": "ASK { FILTER(\"\xe9\" != \"\") }".encode("iso-8859-1"),
                                      "headers": {"Content-Type": "application/sparql-query; charset=utf-8"}}, 400),
        "5,000 nested {": (requests.post, {"data": NESTED["braces"](5000),
                                           "headers": {"Content-Type": "application/sparql-query"}}, 400),
        "30,000 +1": (requests.post, {"data": NESTED["a chain of +1"](30_000),
                                      "headers": {"Content-Type": "application/sparql-query"}}, 400),
    }
    for name, (send, arguments, status) in asked.items():
        response = send(live_server.sparql, timeout=10, **arguments)
        assert response.status_code == status, (name, response.text)
        assert "fault of the server" not in response.text, name
    relative = requests.post(live_server.sparql, data="CONSTRUCT { <s> <p> 1 } WHERE {}", timeout=10,
                             headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"})
    assert relative.status_code == 200 and relative.text.startswith(f"<{live_server.url}/s> <{live_server.url}/p> ")
    renamed = requests.get(live_server.sparql, params={"query": "SELECT ?from WHERE { ?from ?p -1.0 }"},
                           headers={"Accept": JSON}, timeout=10)
    assert renamed.status_code == 200 and json.loads(renamed.text)["head"]["vars"] == ["from"]
    assert "query failed" not in live_server.log.read_text()  # no server fault was logged


# ----------------------------------------------------------------------------- the query command shares the path


@pytest.mark.parametrize("query, reason", [(UNKNOWN_FUNCTION, "The custom function <http://example.org/f>"),
                                           (NESTED["braces"](5000), "levels deep"),
                                           ("CONSTRUCT { <s> <p> 1 } WHERE {}", "not valid SPARQL 1.1")])
def test_the_query_command_reports_a_client_error_as_unusable_input(built_home, capsys, query, reason):
    """No URL was asked, so the command has no base: a relative IRI is the engine's error, said as such."""
    assert main(["query", query, "--home", str(built_home), "--format", "json"]) == 2
    assert reason in capsys.readouterr().err


def test_the_query_command_reads_a_variable_named_from(built_home, capsys):
    assert main(["query", "SELECT ?from WHERE { ?from ?p -1.0 }", "--home", str(built_home), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["head"]["vars"] == ["from"]
