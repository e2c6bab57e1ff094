"""The reconciliation service (issue 8): every request and response checked against JSON schemas of the
Reconciliation Service API 0.2, and OpenRefine's request flow replayed over the Flask test client on a real
build of data/ (fixtures `app` and `client` of conftest.py). The schemas are this project's, written from the
specification's text (tests/data/reconciliation/, tests/data/README.md); scripts/check_shared_reconciliation.py
checks the same answers against the published ones."""

import json
import re
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from footprints_graph import names
from footprints_graph.iris import DEFAULT_BASE, SYNTHETIC_BASE
from footprints_graph.releases import reconciliation
from footprints_graph.releases.reconciliation import matching
from footprints_graph.store.embedded import open_store
from support import TEST_DATA

SCHEMAS = TEST_DATA / "reconciliation"
KINDS = ("manifest", "reconciliation-query-batch", "reconciliation-result-batch", "suggest-entities-response",
         "suggest-properties-response", "suggest-types-response", "data-extension-property-proposal",
         "data-extension-query", "data-extension-response")  # each a schema <kind>.json and examples/<kind>/


def _registry() -> Registry:
    """Every schema under its $id, so that the references to common.json resolve."""
    schemas = [json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.json")]
    return Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7)) for schema in schemas)


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft7Validator]:
    registry = _registry()
    return {kind: Draft7Validator(json.loads((SCHEMAS / f"{kind}.json").read_text(encoding="utf-8")), registry=registry)
            for kind in KINDS}


def valid(validators, kind: str, document) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validators[kind].iter_errors(document)]
    assert not errors, f"{kind}: {errors}"


# ---------------------------------------------------------------- the schemas themselves


def _examples(validity: str) -> list:
    return [pytest.param(kind, path, id=f"{kind}/{path.name}")
            for kind in KINDS for path in sorted((SCHEMAS / "examples" / kind / validity).glob("*.json"))]


@pytest.mark.parametrize("kind", KINDS)
def test_each_schema_is_a_draft_7_schema(kind):
    Draft7Validator.check_schema(json.loads((SCHEMAS / f"{kind}.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("kind,path", _examples("valid"))
def test_the_schemas_accept_the_valid_examples(validators, kind, path):
    valid(validators, kind, json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("kind,path", _examples("invalid"))
def test_the_schemas_refuse_the_invalid_examples(validators, kind, path):
    assert list(validators[kind].iter_errors(json.loads(path.read_text(encoding="utf-8"))))


def test_every_kind_has_examples_both_ways():
    for kind in KINDS:
        assert [p for p in _examples("valid") if p.values[0] == kind], f"no valid example of {kind}"
        assert [p for p in _examples("invalid") if p.values[0] == kind], f"no invalid example of {kind}"


# ---------------------------------------------------------------- helpers


def get_json(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.json


def reconcile_batch(client, validators, batch: dict) -> dict:
    valid(validators, "reconciliation-query-batch", batch)
    response = client.post("/reconcile", data={"queries": json.dumps(batch)})
    assert response.status_code == 200, response.text
    valid(validators, "reconciliation-result-batch", response.json)
    return response.json


def local(url: str) -> str:
    """An absolute URL from the manifest as a path for the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# ---------------------------------------------------------------- manifest


def test_manifest(client, validators):
    manifest = get_json(client, "/reconcile")
    valid(validators, "manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://w3id.org/footprints-graph/id/"
    assert {t["id"] for t in manifest["defaultTypes"]} == {"Victim", "Organisation", "SourceDocument"}


def test_manifest_as_jsonp(client):
    response = client.get("/reconcile?callback=jsonp1234")
    assert response.status_code == 200
    assert response.content_type.startswith("application/javascript")
    text = response.text
    assert text.startswith("jsonp1234(") and text.endswith(");")
    assert json.loads(text[len("jsonp1234("):-2])["versions"] == ["0.2"]


def test_a_callback_that_is_not_a_name_is_refused(client):
    assert client.get("/reconcile?callback=alert(1)//").status_code == 400


# ---------------------------------------------------------------- OpenRefine's flow


def test_openrefine_flow(client, validators):
    """manifest → batch of queries → preview → suggest → propose properties → extend, each URL taken from
    the manifest as OpenRefine takes it."""
    manifest = get_json(client, "/reconcile")
    batch = {
        "q0": {"query": "KIM JUNG WOOK", "type": "Victim", "limit": 3},
        "q1": {"query": "Kim Kuk-gi", "type": "Detainee"},
        "q2": {"query": "Choe Chun-gil", "type": "Victim",
               "properties": [{"pid": "victimCategory", "v": "detainee"}]},
        "q3": {"query": "안호철"},
        "q4": {"query": "KWAFU", "type": "Organisation"},
    }
    results = reconcile_batch(client, validators, batch)
    best = {key: result["result"][0] for key, result in results.items()}
    assert {key: (c["id"], c["match"]) for key, c in best.items()} == {
        "q0": ("person/kim-jung-wook", True), "q1": ("person/kim-kook-kie", True),
        "q2": ("person/choi-chun-gil", True), "q3": ("person/ahn-ho-cheol", True),
        "q4": ("organisation/kwafu", True)}
    assert len(results["q0"]["result"]) == 3

    preview = client.get(local(manifest["preview"]["url"].replace("{{id}}", "person/kim-jung-wook")))
    assert preview.status_code == 200 and preview.content_type.startswith("text/html")
    assert "Kim Jung-Wook" in preview.text and "arbitrary detention" in preview.text and "2013-10" in preview.text

    entity_suggest = manifest["suggest"]["entity"]
    suggestions = get_json(client, f"{entity_suggest['service_path']}?prefix=kim%20ko")
    valid(validators, "suggest-entities-response", suggestions)
    assert [s["id"] for s in suggestions["result"]] == ["person/kim-kook-kie"]

    propose = manifest["extend"]["propose_properties"]
    proposal = get_json(client, f"{propose['service_path']}?type=Detainee")
    valid(validators, "data-extension-property-proposal", proposal)
    wanted = [p["id"] for p in proposal["properties"] if p["id"] in ("victimCategory", "actDate", "status", "creditedTo")]

    query = {"ids": ["person/kim-jung-wook", "person/ahn-ho-cheol"], "properties": [{"id": p} for p in wanted]}
    valid(validators, "data-extension-query", query)
    response = client.post("/reconcile", data={"extend": json.dumps(query)})
    assert response.status_code == 200, response.text
    valid(validators, "data-extension-response", response.json)
    kim, ahn = response.json["rows"]["person/kim-jung-wook"], response.json["rows"]["person/ahn-ho-cheol"]
    assert kim["victimCategory"] == [{"str": "detainee"}, {"str": "post-war abductee"}]
    assert kim["actDate"] == [{"str": "2013-10/.."}]
    assert kim["status"] == [{"str": "detained"}]
    assert kim["creditedTo"] == [{"id": "organisation/abductees-family-union", "name": "Abductees' Family Union"}]
    assert ahn["actDate"] == [{"str": "1950-06-25/1953-07-27"}] and ahn["status"] == []


def test_queries_by_get_as_well(client, validators):
    batch = json.dumps({"q0": {"query": "Ham Jin-woo"}})
    response = client.get("/reconcile", query_string={"queries": batch})
    assert response.status_code == 200
    valid(validators, "reconciliation-result-batch", response.json)
    assert response.json["q0"]["result"][0]["id"] == "person/ham-jin-woo"


# ---------------------------------------------------------------- matching decisions


@pytest.mark.parametrize("query,expected", [
    ("Kim Jung-wook", "person/kim-jung-wook"),
    ("Jung-wook Kim", "person/kim-jung-wook"),
    ("김정욱", "person/kim-jung-wook"),
    ("Kim Jeong-uk", "person/kim-jung-wook"),
    ("Ko Hyun-chul", "person/ko-hyun-chul"),
    ("Ahn Ho-Cheol", "person/ahn-ho-cheol"),
    ("An Ho-chol", "person/ahn-ho-cheol"),
    ("person/kim-won-ho", "person/kim-won-ho"),  # an id is a query too
    ("https://w3id.org/footprints-graph/id/person/kim-won-ho", "person/kim-won-ho"),
])
def test_a_variant_is_matched_to_its_record(client, validators, query, expected):
    (result,) = reconcile_batch(client, validators, {"q": {"query": query}}).values()
    top = result["result"][0]
    assert (top["id"], top["match"]) == (expected, True)
    assert all(not c["match"] for c in result["result"][1:])


@pytest.mark.parametrize("query", ["Kim Jung-won", "Kim Won-hee", "Ko Hyun-chil", "Park Jung-wook", "Choi Chun-il"])
def test_a_near_miss_is_proposed_but_never_matched(client, validators, query):
    (result,) = reconcile_batch(client, validators, {"q": {"query": query, "type": "Victim"}}).values()
    assert result["result"], "candidates are still proposed for a person to review"
    assert not any(c["match"] for c in result["result"])


def test_a_property_that_disagrees_vetoes_the_match(client, validators):
    batch = {"agrees": {"query": "Kim Won-ho", "properties": [{"pid": "actDate", "v": "2016"}]},
             "disagrees": {"query": "Kim Won-ho", "properties": [{"pid": "victimCategory", "v": "prisoner-of-war"}]},
             "by credit": {"query": "Choi Wonmo", "properties": [
                 {"pid": "creditedTo", "v": {"id": "organisation/abductees-family-union"}}]}}
    results = reconcile_batch(client, validators, batch)
    agrees, disagrees, credit = (results[k]["result"][0] for k in ("agrees", "disagrees", "by credit"))
    assert agrees["match"] and agrees["score"] == 100
    assert {"id": "property:actDate", "value": True} in agrees["features"]
    assert disagrees["id"] == "person/kim-won-ho" and not disagrees["match"] and disagrees["score"] == 80
    assert credit["match"] and {"id": "property:creditedTo", "value": True} in credit["features"]


def test_a_query_by_properties_alone(client, validators):
    batch = {"q": {"type": "Detainee", "properties": [{"pid": "actDate", "v": "2013"}], "limit": 10}}
    (result,) = reconcile_batch(client, validators, batch).values()
    agreeing = [c["id"] for c in result["result"] if {"id": "property:actDate", "value": True} in c["features"]]
    assert agreeing == ["person/kim-jung-wook"]  # the only detention that began in 2013 (the others in 2014, 2016)
    assert len(result["result"]) == 6 and not any(c["match"] for c in result["result"])  # no name, no match


def test_the_type_restricts_candidates(client, validators):
    (result,) = reconcile_batch(client, validators, {"q": {"query": "Kim Jung-wook", "type": "WartimeAbductee"}}).values()
    assert "person/kim-jung-wook" not in {c["id"] for c in result["result"]}


# ---------------------------------------------------------------- suggest and errors


def test_suggest_types_and_properties(client, validators):
    types = get_json(client, "/reconcile/suggest/type?prefix=post")
    valid(validators, "suggest-types-response", types)
    assert [t["id"] for t in types["result"]] == ["PostWarAbductee"]
    assert types["result"][0]["broader"] == [{"id": "Victim", "name": "victim"}]
    properties = get_json(client, "/reconcile/suggest/property?prefix=date")
    valid(validators, "suggest-properties-response", properties)
    assert {p["id"] for p in properties["result"]} >= {"actDate", "issued"}


def test_suggest_pages_with_the_cursor(client, validators):
    first = get_json(client, "/reconcile/suggest/entity?prefix=k")["result"]
    second = get_json(client, "/reconcile/suggest/entity?prefix=k&cursor=10")["result"]
    valid(validators, "suggest-entities-response", {"result": second})
    assert len(first) == 10 and second and not {e["id"] for e in first} & {e["id"] for e in second}


@pytest.mark.parametrize("method,url,data,status", [
    ("post", "/reconcile", {"queries": "{not json"}, 400),
    ("post", "/reconcile", {"queries": json.dumps({"q": {"limit": 3}})}, 400),
    ("post", "/reconcile", {"queries": json.dumps({"q": {"query": "Kim", "type": "Martian"}})}, 400),
    ("post", "/reconcile", {"queries": json.dumps({"q": {"query": "Kim", "properties": [{"pid": "x", "v": 1}]}})}, 400),
    ("post", "/reconcile", {"queries": json.dumps({f"q{i}": {"query": "Kim"} for i in range(51)})}, 413),
    ("post", "/reconcile", {"extend": json.dumps({"ids": ["person/kim-won-ho"], "properties": [{"id": "shoeSize"}]})}, 400),
    ("get", "/reconcile/preview?id=person/nobody", None, 404),
    ("get", "/reconcile/preview", None, 400),
    ("get", "/reconcile/view?id=person/nobody", None, 404),
    ("get", "/reconcile/suggest/colour?prefix=a", None, 404),
    ("get", "/reconcile/suggest/entity?prefix=a&cursor=-1", None, 400),
    ("get", "/reconcile/extend/propose?type=Martian", None, 400),
])
def test_bad_requests_say_what_is_wrong(client, method, url, data, status):
    response = getattr(client, method)(url, data=data)
    assert response.status_code == status
    assert response.text.strip()


def test_view_redirects_to_the_records_page(client):
    response = client.get("/reconcile/view?id=person/kim-jung-wook")
    assert response.status_code == 303 and response.headers["Location"].endswith("/id/person/kim-jung-wook")


def test_the_index_is_opened_once_per_release(client, app):
    """Issue 15: the index is a view the release carries, read from it once per process."""
    client.get("/reconcile")
    site = app.extensions["footprints"]
    views = site.release().views(site.config.base)
    assert views.carried
    opened = views.names
    client.post("/reconcile", data={"queries": json.dumps({"q": {"query": "Kim"}})})
    assert site.release().views(site.config.base).names is opened


def test_every_property_applies_to_a_known_type():
    generic = set(reconciliation.GENERIC_TYPES)
    assert all(set(p.applies_to) <= generic for p in reconciliation.PROPERTIES.values())
    assert all(p.value_type in generic for p in reconciliation.PROPERTIES.values() if p.kind == "entity")


def _suggested_by_a_pass_over_every_entity(index, prefix: str, cursor: int) -> list[str]:
    """Suggestions as their definition reads (matching.suggest_entities's docstring), entity by entity."""
    wanted, stripped = prefix.strip().casefold(), prefix.strip()
    family = set().union(*(index.by_family.get(r.keys[0], set()) for r in names.parse(stripped))) if stripped else set()
    alike = {i for i in family if any(names.starts_like(stripped, n) for n in index.entities[i].names)}

    def rank(entity):
        folded = [n.casefold() for n in entity.names]
        if any(n.startswith(wanted) for n in folded):
            return 0
        if any(w.startswith(wanted) for n in folded for w in re.split(r"[\s\-]+", n)):
            return 1
        return 2 if entity.id in alike else 3 if entity.id.startswith(wanted) else None
    hits = sorted((r, e.name, e.id) for e in index.entities.values() if wanted and (r := rank(e)) is not None)
    return [i for _, _, i in hits[cursor: cursor + 10]]


@pytest.mark.parametrize("prefix", ["Kim", "kim j", "김정", "Kim Jeong", "An Ho", "Jung", "unif", "person/k", "organisation/",
                                    "Lee", "  ", "x", "Ministry of", "A/HRC"])
def test_suggestions_found_by_bisection_are_those_of_a_pass_over_every_entity(store, prefix):
    """Issue 15: suggestions look prefixes up in the index's ordered beginnings (a pass over 100,000 entities took
    about a second per keystroke); the answer is the same."""
    index = reconciliation.build_index(store, DEFAULT_BASE)
    for cursor in (0, 3, 10):
        found = [s["id"] for s in reconciliation.suggest_entities(index, prefix, cursor)]
        assert found == _suggested_by_a_pass_over_every_entity(index, prefix, cursor)
    assert prefix.strip() in ("", "x") or reconciliation.suggest_entities(index, prefix, 0)  # none is empty by accident


def _candidates_by_a_pass_over_the_pool(index, text: str, type_ids: list[str], wanted: int) -> list[str]:
    """The candidates as _plausible and the pool's others define them, the pool made and split entity by entity."""
    pool = list(index.entities.values()) if not type_ids else list(
        {e.id: e for t in type_ids for e in index.by_type.get(t, [])}.values())
    allowed = index.plausible(text, wanted)
    return [e.id for e in pool if e.person and e.id in allowed] + [e.id for e in pool if not e.person]


@pytest.mark.parametrize("type_ids", [[], ["Victim"], ["Detainee", "Victim"], ["Organisation"]])
def test_the_candidates_of_a_large_pool_are_those_of_a_pass_over_it(store, monkeypatch, type_ids):
    """Issue 15: a query's pool of candidates is made once per combination of types (a pass over 100,000 persons
    took 150 ms per query); above FULL_SCAN_LIMIT persons (2 here) only the plausible ones are scored, in the
    pool's order, as before."""
    monkeypatch.setattr(matching, "FULL_SCAN_LIMIT", 2)
    index = reconciliation.build_index(store, DEFAULT_BASE)
    for text in ("Kim Jung-wook", "김정욱", "Lee", "Ministry of Unification"):
        pool = index.pool(tuple(type_ids))
        found = [e.id for e in (*matching._plausible(index, pool, text, 30), *pool.others)]
        assert found == _candidates_by_a_pass_over_the_pool(index, text, type_ids, 30)
    assert index.pool(tuple(type_ids)) is index.pool(tuple(type_ids))


def _ranked_by_scoring_every_candidate(index, text: str, type_ids: tuple[str, ...], wanted: int) -> list[tuple]:
    """The candidates as a query ranked them before issue 15's bound: every plausible person scored by names.score
    and every other entity of the pool by label_score, sorted, the first `wanted` kept."""
    pool = index.pool(type_ids)
    persons = [(e, max(names.score(text, n) for n in e.names)) for e in matching._plausible(index, pool, text, wanted)]
    others = [(e, max(reconciliation.label_score(text, n) for n in e.names)) for e in pool.others]
    ranked = sorted(persons + others, key=lambda pair: (-pair[1], pair[0].name))[:wanted]
    return [(e.id, score) for e, score in ranked]


def _texts(index) -> list[str]:
    """Names of the index as typed (whole, in part, misspelt, in other case) and words that are no one's name."""
    entities = sorted(index.entities.values(), key=lambda e: e.id)
    named = entities[:: max(1, len(entities) // 15)]  # about 15, persons and others
    texts = [t for e in named for n in e.names[:2] for t in (n, n[: len(n) // 2], n[:-1] + "x", n.lower())]
    return texts + ["Ministry of Unification", "통일부", "Kim", "report", "x", "A/HRC", "1950", "committee abductees"]


def _assert_ranked_as_when_every_candidate_was_scored(index) -> None:
    for type_ids in ((), ("Victim",), ("Organisation",), ("SourceDocument", "Organisation")):
        for text in _texts(index):
            for limit in (1, 10):
                found = matching._name_candidates(index, {"query": text, "type": list(type_ids), "limit": limit})
                assert [(c.entity.id, c.name_score) for c in found] == _ranked_by_scoring_every_candidate(
                    index, text, type_ids, limit * 3), (text, type_ids, limit)


def test_a_query_ranks_as_when_every_candidate_was_scored(store):
    """Issue 15: organisations and documents are compared with a query's text only while a bound on their score
    (the characters they share with it) can reach the best candidates so far; the candidates, their order and their
    scores are those of scoring every one, on data/."""
    _assert_ranked_as_when_every_candidate_was_scored(reconciliation.build_index(store, DEFAULT_BASE))


def test_a_query_ranks_as_when_every_candidate_was_scored_on_a_synthetic_build(synthetic_release):
    _assert_ranked_as_when_every_candidate_was_scored(
        reconciliation.build_index(open_store(synthetic_release / "store"), SYNTHETIC_BASE))
