#!/usr/bin/env python3
"""Check the reconciliation service against the Reconciliation Service API 0.2 as the W3C Entity Reconciliation
Community Group published it: its JSON schemas and its examples, kept beside the repository in
../shared/reconciliation-api-0.2 (schemas/, examples/<kind>/{valid,invalid}/), which a clone does not have.

The tests check the service against schemas of our own written from the specification's text
(tests/data/reconciliation/); this script asks a release built from data/ (or the one in --home) the same
requests, through the Flask app, and validates requests and answers against the published schemas, so the two
readings of the specification are held against each other. It also checks the published examples are accepted
or refused as their folders say, and that our own valid examples are valid under the published schemas but for
the differences between the text and the published schemas listed in KNOWN_DIFFERENCES.

Exit 0 when everything agrees, 1 when something does not. Without the published folder: exit 1 under CI=true,
otherwise exit 0 saying the check did not run."""

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from footprints_graph.releases.build import build
from footprints_graph.web import EndpointConfig, create_app

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT.parent / "shared" / "reconciliation-api-0.2"
OURS = ROOT / "tests" / "data" / "reconciliation"
KINDS = ("manifest", "reconciliation-query-batch", "reconciliation-result-batch", "suggest-entities-response",
         "suggest-properties-response", "suggest-types-response", "data-extension-property-proposal",
         "data-extension-query", "data-extension-response")  # each a schema schemas/<kind>.json

# The requests of tests/test_reconcile.py: query batches, suggest and data-extension requests.
BATCHES = [
    {"q0": {"query": "KIM JUNG WOOK", "type": "Victim", "limit": 3}, "q1": {"query": "Kim Kuk-gi", "type": "Detainee"},
     "q2": {"query": "Choe Chun-gil", "type": "Victim", "properties": [{"pid": "victimCategory", "v": "detainee"}]},
     "q3": {"query": "안호철"}, "q4": {"query": "KWAFU", "type": "Organisation"}},
    {"q": {"query": "https://w3id.org/footprints-graph/id/person/kim-won-ho"}, "near": {"query": "Kim Jung-won"}},
    {"agrees": {"query": "Kim Won-ho", "properties": [{"pid": "actDate", "v": "2016"}]},
     "disagrees": {"query": "Kim Won-ho", "properties": [{"pid": "victimCategory", "v": "prisoner-of-war"}]},
     "by credit": {"query": "Choi Wonmo",
                   "properties": [{"pid": "creditedTo", "v": {"id": "organisation/abductees-family-union"}}]}},
    {"q": {"type": "Detainee", "properties": [{"pid": "actDate", "v": "2013"}], "limit": 10}},
]
SUGGESTIONS = [("suggest-entities-response", "/reconcile/suggest/entity?prefix=kim%20ko"),
               ("suggest-entities-response", "/reconcile/suggest/entity?prefix=k&cursor=10"),
               ("suggest-types-response", "/reconcile/suggest/type?prefix=post"),
               ("suggest-properties-response", "/reconcile/suggest/property?prefix=date"),
               ("data-extension-property-proposal", "/reconcile/extend/propose?type=Detainee")]
# Our valid examples that the published schemas refuse, where they follow the text and the schemas do not; each
# must still be refused (a difference that went away is reported too, so that this list stays true).
KNOWN_DIFFERENCES = {
    "manifest/valid/basic-authentication.json": "the text's own HTTP basic security scheme (OpenAPI 3: type http, "
                                                "scheme basic); the published manifest schema takes Swagger 2's",
    "data-extension-response/valid/every-kind-of-value.json": "a boolean value ({\"bool\": false}): the text lists "
                                                              "booleans as property values, the published schema not",
}
EXTEND = {"ids": ["person/kim-jung-wook", "person/ahn-ho-cheol"],
          "properties": [{"id": p} for p in ("victimCategory", "actDate", "status", "creditedTo")]}


def published_validators(folder: Path) -> dict[str, Draft7Validator]:
    """A validator per kind; every published schema is registered under its $id, so that their references (to
    type.json, and the manifest's to the Swagger schema openapi.json) resolve without the network."""
    schemas = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (folder / "schemas").glob("*.json")}
    registry = Registry().with_resources(
        (schema["$id"].rstrip("#"), Resource.from_contents(schema, default_specification=DRAFT7))
        for schema in schemas.values())
    missing = [kind for kind in KINDS if kind not in schemas]
    if missing:
        raise SystemExit(f"error: {folder / 'schemas'} has no schema for {', '.join(missing)}")
    return {kind: Draft7Validator(schemas[kind], registry=registry) for kind in KINDS}


def problems(validator: Draft7Validator, document, where: str) -> list[str]:
    return [f"{where}: {list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)]


def answer(client, method: str, url: str, **kwargs):
    response = getattr(client, method)(url, **kwargs)
    if response.status_code != 200:
        raise SystemExit(f"error: {method.upper()} {url} answered {response.status_code}: {response.text}")
    return response.json


def service_problems(client, validators: dict[str, Draft7Validator]) -> Iterator[str]:
    """The service's answers (and the requests sent to it) that the published schemas refuse."""
    yield from problems(validators["manifest"], answer(client, "get", "/reconcile"), "GET /reconcile")
    for number, batch in enumerate(BATCHES):
        yield from problems(validators["reconciliation-query-batch"], batch, f"query batch {number}")
        results = answer(client, "post", "/reconcile", data={"queries": json.dumps(batch)})
        yield from problems(validators["reconciliation-result-batch"], results, f"results of query batch {number}")
    for kind, url in SUGGESTIONS:
        yield from problems(validators[kind], answer(client, "get", url), f"GET {url}")
    yield from problems(validators["data-extension-query"], EXTEND, "data extension query")
    rows = answer(client, "post", "/reconcile", data={"extend": json.dumps(EXTEND)})
    yield from problems(validators["data-extension-response"], rows, "data extension response")


def published_example_problems(validators: dict[str, Draft7Validator], examples: Path) -> Iterator[str]:
    """The published examples that their schema does not accept (valid/) or refuse (invalid/)."""
    for kind, validator in validators.items():
        for path in sorted((examples / kind / "valid").glob("*.json")):
            yield from problems(validator, json.loads(path.read_text(encoding="utf-8")), str(path))
        for path in sorted((examples / kind / "invalid").glob("*.json")):
            if validator.is_valid(json.loads(path.read_text(encoding="utf-8"))):
                yield f"{path}: accepted, but it is an invalid example"


def our_example_problems(validators: dict[str, Draft7Validator]) -> Iterator[str]:
    """Our valid examples that the published schemas refuse, but for the KNOWN_DIFFERENCES, which must be refused."""
    examples = OURS / "examples"
    for kind, validator in validators.items():
        for path in sorted((examples / kind / "valid").glob("*.json")):
            found = problems(validator, json.loads(path.read_text(encoding="utf-8")), str(path))
            known = KNOWN_DIFFERENCES.get(path.relative_to(examples).as_posix())
            if known and not found:
                yield f"{path}: listed as a known difference ({known}), but the published schema accepts it"
            elif not known:
                yield from found


def check(folder: Path, home: Path | None) -> list[str]:
    validators = published_validators(folder)
    found = [*published_example_problems(validators, folder / "examples"), *our_example_problems(validators)]
    with tempfile.TemporaryDirectory() as scratch:
        if home is None:
            home = Path(scratch) / "home"
            build(ROOT / "data", home)
        client = create_app(EndpointConfig(home=home, query_timeout=5)).test_client()
        found += service_problems(client, validators)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("api", nargs="?", type=Path, default=PUBLISHED,
                        help=f"the published folder, with schemas/ and examples/ (default: {PUBLISHED})")
    parser.add_argument("--home", type=Path, help="a home with a built release (default: build data/ afresh)")
    arguments = parser.parse_args(argv)
    if not (arguments.api / "schemas").is_dir():
        if os.environ.get("CI") == "true":
            print(f"error: no published reconciliation schemas at {arguments.api / 'schemas'}; CI needs them "
                  "(put the group's 0.2 folder there, or give its path)", file=sys.stderr)
            return 1
        print(f"check_shared_reconciliation: not run, no published schemas at {arguments.api / 'schemas'}")
        return 0
    found = check(arguments.api, arguments.home)
    for problem in found:
        print(problem, file=sys.stderr)
    print(f"check_shared_reconciliation: {len(found)} problem(s) against {arguments.api}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
