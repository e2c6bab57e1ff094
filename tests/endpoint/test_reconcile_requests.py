"""Issue 16: /reconcile checks its queries= and extend= parameters with jsonschema against the package's own
schemas (footprints_graph/endpoint/schemas), and a refusal says which parameter, where in it, what is wrong
and what was expected."""

import json
from importlib.resources import files

import pytest
from jsonschema import Draft202012Validator

from support import TEST_DATA

SCHEMAS = ("reconciliation-query-batch", "data-extension-query")
EXAMPLES = TEST_DATA / "reconciliation" / "examples"


def package_schema(name: str) -> dict:
    return json.loads(files("footprints_graph").joinpath("endpoint", "schemas", f"{name}.json").read_text("utf-8"))


@pytest.mark.parametrize("name", SCHEMAS)
def test_the_shipped_schemas_are_json_schemas(name):
    Draft202012Validator.check_schema(package_schema(name))


@pytest.mark.parametrize("example", sorted(p.relative_to(EXAMPLES) for name in SCHEMAS
                                           for p in (EXAMPLES / name / "valid").glob("*.json")), ids=str)
def test_every_valid_example_of_the_api_passes_our_schema(example):
    """What the API allows, the service accepts (the examples are the test suite's, tests/data/README.md)."""
    schema = package_schema(example.parts[0])
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(json.loads((EXAMPLES / example).read_text()))]
    assert errors == []


@pytest.mark.parametrize("parameter,value,said", [
    ("queries", [1], ["at $:", "is not of type 'object'", 'expected a JSON object of queries']),
    ("queries", {"q0": 1}, ["at $.q0:", "is not of type 'object'", "expected a query"]),
    ("queries", {"q0": {"query": "Kim", "limit": "x"}}, ["at $.q0.limit:", "'x' is not of type 'number'"]),
    ("queries", {"q7": {"quer": "Kim"}}, ["at $.q7:", "'quer' was unexpected"]),
    ("queries", {"q0": {"query": ""}}, ["at $.q0.query:", "a query string or properties, not neither"]),
    ("queries", {"q0": {"properties": []}}, ["at $.q0", "a query string or properties, not neither"]),
    ("queries", {"q0": {"query": "Kim", "properties": [{"pid": "status"}]}},
     ["at $.q0.properties[0]:", "'v' is a required property", '{"pid": …, "v": …}']),
    ("queries", {"q0": {"query": "Kim", "properties": [{"pid": ["status"], "v": "x"}]}},
     ["at $.q0.properties[0].pid:", "is not of type 'string'"]),
    ("extend", [], ["at $:", "is not of type 'object'", '"ids"']),
    ("extend", {"ids": ["person/kim-jung-wook"]}, ["at $:", "'properties' is a required property"]),
    ("extend", {"ids": [["person/kim-jung-wook"]], "properties": []}, ["at $.ids[0]:", "is not of type 'string'"]),
    ("extend", {"ids": [], "properties": [{}]}, ["at $.properties[0]:", "'id' is a required property",
                                                 'a property to extend: {"id": …}']),
])
def test_a_malformed_request_is_refused_saying_where_and_what(client, parameter, value, said):
    response = client.post("/reconcile", data={parameter: json.dumps(value)})
    assert response.status_code == 400, response.text
    assert response.text.startswith(f"the {parameter} parameter, ")
    for words in said:
        assert words in response.text


def test_a_batch_too_large_is_refused_before_its_queries_are_read(client):
    batch = {f"q{i}": {"quer": "Kim"} for i in range(51)}
    response = client.post("/reconcile", data={"queries": json.dumps(batch)})
    assert response.status_code == 413 and "at most 50 queries" in response.text
