"""Issue 19: a shape result about a record from a table is shown in the table's words — its columns — not as
a property path ("Victim has no act" was shown as ^fp:victim/rdf:type/skos:inScheme)."""

import io
from pathlib import Path

import pytest

from footprints_graph.iris import DEFAULT_BASE
from footprints_graph.validate.table_words import path_in_columns, table_of

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"


@pytest.mark.parametrize("path,table,words", [
    ("^fp:victim/rdf:type/skos:inScheme", "people", "events.csv: person, event_type"),
    ("fp:date|fp:startDate|fp:endDate", "events", "date | start_date | end_date"),
    ("rdfs:label", "people", "name"),
    ("skos:altLabel", "people", "alt_names"),
    ("fp:victimCategory", "people", "category"),
    ("dct:source", "documents", "source"),
    ("fp:status", "statuses", "status"),
    ("^fp:statusOf", "people", "statuses.csv: person"),
])
def test_a_path_is_said_in_columns(path, table, words):
    assert path_in_columns(path, table) == words


def test_a_path_no_column_makes_has_no_words():
    assert path_in_columns("^fp:listingOf/fp:nameAsListed", "documents") is None


@pytest.mark.parametrize("kind,table", [("person", "people"), ("listing", "people"), ("event", "events"),
                                        ("document", "documents"), ("status", "statuses")])
def test_a_record_is_a_row_of_the_table_of_its_kind(kind, table):
    assert table_of(f"{DEFAULT_BASE}{kind}/x", DEFAULT_BASE) == table
    assert table_of(f"https://elsewhere.example/{kind}/x", DEFAULT_BASE) is None


def test_the_check_page_says_a_missing_act_in_the_words_of_the_tables(client):
    files = [(io.BytesIO((EXAMPLES / name).read_bytes()), name) for name in ("good-documents.csv", "good-organisations.csv",
                                                                                  "good-people.csv")]
    answer = client.post("/validate", data={"files": files}, content_type="multipart/form-data",
                         headers={"Accept": "text/html"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'class="not-conform"' in page
    assert '<code class="columns" title="^fp:victim/rdf:type/skos:inScheme">events.csv: person, event_type</code>' in page
