"""Issue 19: one name matcher everywhere. Every spelling variant docs/linking.md lists ("How names are
compared") is found by the four places that look a person up by name: the duplicate warning of `validate`,
the reconciliation service, the search page and /reconcile/suggest/entity. Before, `validate` compared
names letter for letter (a new `Ahn Ho-Cheol` was a duplicate, `Ahn Hocheol` was not) and suggest compared
literal prefixes (`김정`, `Kim Jeong`, `An Ho` found nothing)."""

import json

import pytest

from footprints_graph.validate import validate_submission

ID = "https://w3id.org/footprints-graph/id/"
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
    ("Kim Kuk-gi", "kim-kook-kie", "Detainee"),
]
NOT_THE_SAME = [("Kim Jung-won", "kim-jung-wook", "Detainee")]  # a letter the rules do not explain


def submission(folder, name: str, category: str):
    path = folder / "victim.ttl"
    path.write_text(f"""@prefix fp: <https://w3id.org/footprints-graph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ID}person/example-new-person> a fp:Victim ; rdfs:label {json.dumps(name)}@{"ko" if name == "김정욱" else "ko-Latn"} ;
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
