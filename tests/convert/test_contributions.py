"""Issue 17: data/contributions/<submission>/ as people may edit it — the build reads it back, and a
provenance row it cannot use is an error that says file, line and column."""

import shutil

import pytest
from rdflib import URIRef
from rdflib.namespace import PROV

from footprints_graph.convert.contributions import convert_contributions
from footprints_graph.convert.records import convert_tables
from footprints_graph.errors import RecordError
from support import ROOT

EXAMPLES = ROOT / "data" / "examples"
SUBMISSION = "20261206-0123456789ab"
ROW = f"submission,received,accepted,cited_source\n{SUBMISSION},2026-12-06T00:10:00+00:00,2026-12-06T00:20:00+00:00,a list\n"


@pytest.fixture(scope="module")
def published():
    return convert_tables(ROOT / "data")


def contribution(tmp_path, provenance: str | None = ROW, name: str = SUBMISSION):
    folder = tmp_path / "contributions" / name
    folder.mkdir(parents=True)
    for table in ("good-documents.csv", "good-organisations.csv", "good-people.csv", "good-events.csv"):
        shutil.copy(EXAMPLES / table, folder / table)
    if provenance is not None:
        (folder / "contribution.csv").write_text(provenance, encoding="utf-8")
    return folder.parent


def test_every_record_of_a_contribution_says_which_submission_generated_it(tmp_path, published):
    records = convert_contributions(contribution(tmp_path), published)
    activity = URIRef(f"https://w3id.org/footprints-graph/id/submission/{SUBMISSION}")
    tables = [r for r in records if r.subject != activity]
    assert len(tables) == 5  # the example's document, its two (fictional) organisations, its person and event
    assert all((r.subject, PROV.wasGeneratedBy, activity) in r.triples for r in tables)


def test_no_contributions_folder_is_no_contribution(tmp_path, published):
    assert convert_contributions(tmp_path / "contributions", published) == []


@pytest.mark.parametrize("provenance, where, problem", [
    (None, SUBMISSION, "needs its contribution.csv"),
    (ROW.replace(SUBMISSION, "20261206-ffffffffffff"), "contribution.csv:2", "the folder's name"),
    (ROW.replace("2026-12-06T00:20:00+00:00", "yesterday"), "field 'accepted'", "not a date and time"),
    ("submission,received\n", "contribution.csv:1", "missing column(s) accepted"),
])
def test_a_provenance_row_that_cannot_be_used_is_refused_saying_where(tmp_path, published, provenance, where, problem):
    with pytest.raises(RecordError) as refused:
        convert_contributions(contribution(tmp_path, provenance), published)
    assert where in str(refused.value) and problem in str(refused.value)


def published_row(table: str, row_start: str, new_start: str) -> str:
    """data/<table>'s header and the one row that starts with `row_start`, that start replaced by `new_start`."""
    header, *rows = (ROOT / "data" / table).read_text(encoding="utf-8").splitlines(keepends=True)
    [row] = [r for r in rows if r.startswith(row_start)]
    return header + new_start + row.removeprefix(row_start)


def test_a_person_restricted_in_data_restricts_what_a_contribution_says_of_them(tmp_path, published):
    """kim-jung-wook is public in data/; a contribution restates his detention as MOU's list of 27 March 2024
    gives it (the published row under a key of its own: the example's made-up appeal says nothing of a real
    person, issue 14); then his family asks for his record to be restricted: the contribution's event is
    restricted too, and the other way round."""
    folder = contribution(tmp_path)
    (folder / SUBMISSION / "good-events.csv").write_text(
        published_row("events.csv", "kim-jung-wook-detention,", "contributed-kim-jung-wook-detention,"), encoding="utf-8")
    kim = URIRef("https://w3id.org/footprints-graph/id/person/kim-jung-wook")
    event = URIRef("https://w3id.org/footprints-graph/id/event/contributed-kim-jung-wook-detention")
    restricted_in_data = [r for r in convert_tables(ROOT / "data")]
    for record in restricted_in_data:
        record.restricted = record.restricted or record.subject == kim
    contributed = {r.subject: r for r in convert_contributions(folder, restricted_in_data)}
    assert contributed[event].restricted

    mou_listing = published_row("people.csv", "kim-jung-wook,Kim Jung-wook,", "kim-jung-wook,Kim Jung-wook,")
    assert ",false," in mou_listing
    (folder / SUBMISSION / "good-people.csv").write_text(mou_listing.replace(",false,", ",true,"), encoding="utf-8")
    public_in_data = convert_tables(ROOT / "data")
    convert_contributions(folder, public_in_data)
    assert {r.subject for r in public_in_data if r.restricted} >= {kim}
    assert all(r.restricted for r in public_in_data if any(o == kim for _s, _p, o in r.triples))
