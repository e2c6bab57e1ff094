"""Issue 19, data extension: exact matches (owl:sameAs, skos:exactMatch) and close matches (skos:closeMatch)
are two properties, not one "same as"; an act dated only by its category's legal window says so."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def extend(client, ids: list[str], pids: list[str]) -> dict:
    query = json.dumps({"ids": ids, "properties": [{"id": pid} for pid in pids]})
    return client.post("/reconcile", data={"extend": query}).get_json()["rows"]


def test_exact_and_close_matches_are_extended_apart(linked_client):
    rows = extend(linked_client, ["person/kim-jung-wook", "person/choi-chun-gil"], ["sameAs", "closeMatch"])
    assert {"str": "https://archive.example.org/victims/1001"} in rows["person/kim-jung-wook"]["sameAs"]
    assert rows["person/kim-jung-wook"]["closeMatch"] == []
    assert rows["person/choi-chun-gil"]["closeMatch"] == [{"str": "https://archive.example.org/victims/1003"}]
    assert {"str": "https://archive.example.org/victims/1003"} not in rows["person/choi-chun-gil"]["sameAs"]


def test_a_date_that_is_only_the_category_window_says_so(client):
    rows = extend(client, ["person/ahn-ho-cheol", "person/kim-won-ho"], ["actDate", "actDateBasis"])
    assert rows["person/ahn-ho-cheol"]["actDate"] == [{"str": "1950-06-25/1953-07-27"}]
    assert rows["person/ahn-ho-cheol"]["actDateBasis"] == [{"str": "bounded by the category's legal definition"}]
    assert rows["person/kim-won-ho"]["actDateBasis"] != rows["person/ahn-ho-cheol"]["actDateBasis"]


def test_both_are_proposed_for_victims(client):
    proposal = client.get("/reconcile/extend/propose", query_string={"type": "Victim"}).get_json()
    assert {"sameAs", "closeMatch", "actDateBasis"} <= {p["id"] for p in proposal["properties"]}
