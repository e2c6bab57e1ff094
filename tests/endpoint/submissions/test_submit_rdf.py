"""Issue 17, RDF in any format `validate` reads: a submission in Turtle or JSON-LD is checked, kept, accepted as
Turtle into data/contributions/<id>/, and published by the next build with the submission's provenance; a
restricted person it holds stays out of every public file, with every record pointing to them.

Each test serves the session's release (built from data/) from a home of its own, with a copy of data/ that
acceptances write into. The submissions are data/examples/good-victim.ttl (Hong Gil-dong, a wartime abductee: the
Korean placeholder name) and good-victim.jsonld (Kim Cheol-su, an example post-war abductee)."""

import io

import pyoxigraph as ox
import pytest
from rdflib import Graph

from footprints_graph.releases.build import build
from footprints_graph.releases.inbox import Inbox
from footprints_graph.store.embedded import open_store
from support import ROOT
from support.security import CURATOR_TOKEN

EXAMPLES = ROOT / "data" / "examples"
CITED = "Example families' association, list of abductees"
ID = "https://w3id.org/footprints-graph/id/"
PROV = "http://www.w3.org/ns/prov#"
CURATOR = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
HONG = ("person/example-hong-gil-dong", "event/example-hong-gil-dong-abduction",
        "listing/example-hong-gil-dong.example-family-list")


def submit_and_accept(client, name: str, content: bytes) -> str:
    form = {"files": [(io.BytesIO(content), name)], "cited_source": CITED, "contact": "hong.family@example.org"}
    receipt = client.post("/submissions", data=form, content_type="multipart/form-data")
    assert receipt.status_code == 201, receipt.json
    decided = client.post(f"/curator/inbox/{receipt.json['id']}/decision", headers=CURATOR,
                          data={"decision": "accept", "curator": "Curator Park"})
    assert decided.status_code == 200, decided.json
    return receipt.json["id"]


def subjects(store: ox.Store) -> set[str]:
    return {q.subject.value for q in store.quads_for_pattern(None, None, None) if isinstance(q.subject, ox.NamedNode)}


KIM = ("person/example-kim-cheol-su", "event/example-kim-cheol-su-abduction",
       "listing/example-kim-cheol-su.example-boat-crew-list")


@pytest.mark.parametrize("name, rdf_format, records", [("good-victim.ttl", "turtle", HONG),
                                                       ("good-victim.jsonld", "json-ld", KIM)])
def test_accepted_rdf_is_kept_as_turtle_and_published_with_its_provenance(client, data, tmp_path, name, rdf_format,
                                                                          records):
    submission = submit_and_accept(client, name, (EXAMPLES / name).read_bytes())
    kept = data / "contributions" / submission / "good-victim.ttl"
    sent = Graph().parse(EXAMPLES / name, format=rdf_format)
    assert set(Graph().parse(kept, format="turtle")) == set(sent)  # the example has no blank node
    assert "hong.family" not in "".join(p.read_text(encoding="utf-8") for p in kept.parent.iterdir())

    store = open_store(build(data, tmp_path / "next").release / "store")
    for record in records:
        generated = store.quads_for_pattern(ox.NamedNode(ID + record), ox.NamedNode(PROV + "wasGeneratedBy"), None)
        assert [q.object.value for q in generated] == [f"{ID}submission/{submission}"], record
    for record in (records[0], records[2]):  # in the graph of the people table, as a table's person and listing
        assert list(store.quads_for_pattern(ox.NamedNode(ID + record), None, None, ox.NamedNode(ID + "graph/people")))


def test_a_restricted_person_sent_as_rdf_stays_out_of_every_public_file(client, data, tmp_path):
    """fp:restricted true on the person: the person, their listing and the abduction that points to them (which
    says nothing of restriction itself) go to the restricted store only."""
    turtle = (EXAMPLES / "good-victim.ttl").read_text(encoding="utf-8")
    assert turtle.count("fp:restricted false") == 1
    submission = submit_and_accept(client, "good-victim.ttl", turtle.replace("fp:restricted false",
                                                                             "fp:restricted true").encode())
    release = build(data, tmp_path / "next").release
    public, restricted = (open_store(release / part) for part in ("store", "restricted/store"))
    for record in HONG:  # the restricted store holds every record, the public one none of these
        assert ID + record not in subjects(public), record
        assert ID + record in subjects(restricted), record
    assert f"{ID}submission/{submission}" in subjects(public)  # the submission's activity is not the person's
    for dump in (release / "dumps").iterdir():
        assert b"example-hong-gil-dong" not in dump.read_bytes(), dump.name


def test_rdf_that_does_not_parse_is_refused_naming_the_file_and_line(client, home):
    form = {"files": [(io.BytesIO((EXAMPLES / "bad-syntax.ttl").read_bytes()), "bad-syntax.ttl")],
            "cited_source": CITED}
    answer = client.post("/submissions", data=form, content_type="multipart/form-data")
    assert answer.status_code == 400 and "bad-syntax.ttl:" in answer.json["error"]
    assert "/tmp" not in answer.json["error"] and Inbox(home).ids() == []


# ---------------------------------------------------------------- Uwazi exports with their mapping

UWAZI_EXPORT = ROOT / "tests" / "data" / "uwazi" / "footprints-example.json"  # Ko Ga-sang (고가상), made up
UWAZI_MAPPING = ROOT / "data" / "uwazi" / "footprints-victims.toml"
KO = ID + "uwazi/nkfootprints.f2p8k4x7qa"


def uwazi_files(published: bool = True) -> dict[str, bytes]:
    export = UWAZI_EXPORT.read_text(encoding="utf-8")
    if not published:  # every language copy of the victim unpublished in Uwazi
        export = export.replace('"template": "tVictim",\n   "published": true', '"template": "tVictim",\n   "published": false')
    return {"entities.json": export.encode(), "footprints-victims.toml": UWAZI_MAPPING.read_bytes()}


@pytest.mark.parametrize("published", [True, False])
def test_an_uwazi_export_with_its_mapping_is_published_as_sent_and_unpublished_entities_stay_restricted(
        client, data, tmp_path, published):
    files = uwazi_files(published)
    form = {"files": [(io.BytesIO(content), name) for name, content in files.items()], "cited_source": CITED}
    receipt = client.post("/submissions", data=form, content_type="multipart/form-data")
    assert receipt.status_code == 201, receipt.json
    opened = client.get(f"/curator/inbox/{receipt.json['id']}", headers=CURATOR).json
    assert KO in {r["record"] for r in opened["changes"]["new"]}
    assert client.post(f"/curator/inbox/{receipt.json['id']}/decision", headers=CURATOR,
                       data={"decision": "accept", "curator": "Curator Park"}).status_code == 200
    folder = data / "contributions" / receipt.json["id"]
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "contribution.csv"} == files

    release = build(data, tmp_path / "next").release
    public, restricted = (subjects(open_store(release / part)) for part in ("store", "restricted/store"))
    assert (KO in public) is published and KO in restricted  # the restricted store holds every record
    if not published:
        for dump in (release / "dumps").iterdir():
            assert b"f2p8k4x7qa" not in dump.read_bytes(), dump.name


@pytest.mark.parametrize("names, problem", [(["entities.json"], "needs its mapping"),
                                            (["footprints-victims.toml"], "without an Uwazi export")])
def test_an_uwazi_export_and_its_mapping_come_together(client, home, names, problem):
    files = uwazi_files()
    form = {"files": [(io.BytesIO(files[n]), n) for n in names], "cited_source": CITED}
    answer = client.post("/submissions", data=form, content_type="multipart/form-data")
    assert answer.status_code == 400 and problem in answer.json["error"] and names[0] in answer.json["error"]
    assert Inbox(home).ids() == []
