"""Issue 19: one name matcher everywhere. Every spelling variant docs/linking.md lists ("How names are
compared") is found by the four places that look a person up by name: the duplicate warning of `validate`,
the reconciliation service, the search page and /reconcile/suggest/entity. Before, `validate` compared
names letter for letter (a new `Ahn Ho-Cheol` was a duplicate, `Ahn Hocheol` was not) and suggest compared
literal prefixes (`김정`, `Kim Jeong`, `An Ho` found nothing)."""

import json
import re

import pytest

from footprints_graph.validate import validate_submission

ID = "https://w3id.org/footprints-graph/id/"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# (the variant as the docs write it, the published person, a category the person is published under)
VARIANTS = [
    ("Kim Jung-wook", "kim-jung-wook", "Detainee"),
    ("KIM JUNG WOOK", "kim-jung-wook", "Detainee"),
    ("Jung-wook Kim", "kim-jung-wook", "Detainee"),
    ("Kim, Jung-wook", "kim-jung-wook", "Detainee"),
    ("Kim Jungwook", "kim-jung-wook", "Detainee"),
    ("Kim Jong-wook", "kim-jung-wook", "PostWarAbductee"),
    ("Kim Jeong-uk", "kim-jung-wook", "PostWarAbductee"),
    ("김정욱", "kim-jung-wook", "PostWarAbductee"),
    ("Choe Chun-gil", "choi-chun-gil", "Detainee"),
    ("Ch'oe Ch'un-gil", "choi-chun-gil", "Detainee"),
    ("An Ho-ch'ŏl", "ahn-ho-cheol", "WartimeAbductee"),
    ("Ahn Hocheol", "ahn-ho-cheol", "WartimeAbductee"),
    ("Ahn Ho-Cheol", "ahn-ho-cheol", "WartimeAbductee"),
    ("안호철", "ahn-ho-cheol", "WartimeAbductee"),  # docs/submitting.md, Duplicates
    ("Kim Kuk-gi", "kim-kook-kie", "Detainee"),
]
NOT_THE_SAME = [("Kim Jung-won", "kim-jung-wook", "Detainee")]  # a letter the rules do not explain


def submission(folder, name: str, category: str):
    path = folder / "victim.ttl"
    path.write_text(f"""@prefix fp: <https://w3id.org/footprints-graph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ID}person/example-new-person> a fp:Victim ; rdfs:label {json.dumps(name)}@{"ko" if HANGUL.search(name) else "ko-Latn"} ;
    fp:victimCategory fp:{category} .
""", encoding="utf-8")
    return path


def duplicates_found(store, folder, name: str, category: str) -> set[str]:
    report = validate_submission([submission(folder, name, category)], store)
    return {str(r.value) for r in report.results if r.source_shape.endswith("DuplicateVictimShape")}


@pytest.mark.parametrize("name,person,category", VARIANTS)
def test_validate_warns_of_a_published_person_under_any_documented_spelling(tmp_path, store, name, person, category):
    assert duplicates_found(store, tmp_path, name, category) == {ID + f"person/{person}"}


@pytest.mark.parametrize("name,person,category", NOT_THE_SAME)
def test_validate_does_not_warn_of_a_name_that_only_looks_alike(tmp_path, store, name, person, category):
    assert duplicates_found(store, tmp_path, name, category) == set()


def test_the_same_name_in_another_category_is_no_duplicate(tmp_path, store):
    assert duplicates_found(store, tmp_path, "Ahn Hocheol", "Detainee") == set()


def reconciled(client, name: str) -> list[dict]:
    queries = json.dumps({"q": {"query": name, "type": "Victim"}})
    return client.post("/reconcile", data={"queries": queries}).get_json()["q"]["result"]


@pytest.mark.parametrize("name,person,category", VARIANTS)
def test_reconciliation_matches_every_documented_spelling(client, name, person, category):
    assert [c["id"] for c in reconciled(client, name) if c["match"]] == [f"person/{person}"]


@pytest.mark.parametrize("name,person,category", NOT_THE_SAME)
def test_reconciliation_does_not_match_a_name_that_only_looks_alike(client, name, person, category):
    assert not any(c["match"] for c in reconciled(client, name))


@pytest.mark.parametrize("name,person,category", VARIANTS)
def test_search_finds_every_documented_spelling(client, name, person, category):
    page = client.get("/search", query_string={"q": name})
    assert page.status_code == 200
    assert f'href="/id/person/{person}"' in page.get_data(as_text=True)


@pytest.mark.parametrize("prefix,person", [
    *((name, person) for name, person, _category in VARIANTS),
    ("김정", "kim-jung-wook"), ("Kim Jeong", "kim-jung-wook"), ("An Ho", "ahn-ho-cheol"), ("Choe Ch", "choi-chun-gil")])
def test_suggest_completes_every_documented_spelling_and_its_beginnings(client, prefix, person):
    answer = client.get("/reconcile/suggest/entity", query_string={"prefix": prefix}).get_json()
    assert f"person/{person}" in [s["id"] for s in answer["result"]]


def test_suggest_does_not_offer_a_name_that_only_begins_alike(client):
    answer = client.get("/reconcile/suggest/entity", query_string={"prefix": "Kim Jung-won"}).get_json()
    assert "person/kim-jung-wook" not in [s["id"] for s in answer["result"]]
