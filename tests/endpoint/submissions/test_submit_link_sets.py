"""Issue 19, a path to send: a partner's link set enters through the submission path of issue 17 — checked as
`footprints-graph link` checks it, reviewed by a curator, written on acceptance into data/contributions/<id>/links/
and published by the next build with its provenance.

Each test serves the session's release (built from data/) from a home of its own, with a copy of data/ that
acceptances write into. The link sets are tests/data/links/ (made up for the tests, see tests/data/README.md)."""

import io
import shutil

import pyoxigraph as ox
import pytest

from footprints_graph.convert.linksets import LinkSetError, add_link_set
from footprints_graph.releases.build import build
from footprints_graph.releases.inbox import Inbox
from footprints_graph.store.embedded import open_store
from footprints_graph.submit import Answer, answer_text, multipart
from support import ROOT
from support.security import CURATOR_TOKEN

LINKS = ROOT / "tests" / "data" / "links"
SSSOM, CSV = "partner-archive.sssom.tsv", "partner-registry.csv"
CITED = "Example partner archive, mappings of January 2026"
ID = "https://w3id.org/footprints-graph/id/"
PROV = "http://www.w3.org/ns/prov#"
CURATOR = {"Authorization": f"Bearer {CURATOR_TOKEN}"}


def post(client, files: dict[str, bytes], path: str = "/submissions"):
    form = {"files": [(io.BytesIO(content), name) for name, content in files.items()], "cited_source": CITED,
            "contact": "data.manager@archive.example.org"}
    return client.post(path, data=form, content_type="multipart/form-data")


def accept(client, submission: str):
    return client.post(f"/curator/inbox/{submission}/decision", headers=CURATOR,
                       data={"decision": "accept", "curator": "Curator Park"})


def sssom(old: str = "", new: str = "") -> dict[str, bytes]:
    return {SSSOM: (LINKS / SSSOM).read_text(encoding="utf-8").replace(old, new).encode()}


def test_a_link_set_travels_from_submission_to_the_release_with_its_provenance(client, home, data, tmp_path):
    receipt = post(client, sssom())
    assert receipt.status_code == 201, receipt.json
    submission = receipt.json["id"]
    assert receipt.json["link_set"] == {"name": "partner-archive", "graph": f"{ID}graph/links.partner-archive",
                                        "mappings": 3}
    assert Inbox(home).record(submission)["kind"] == "link-set"

    opened = client.get(f"/curator/inbox/{submission}", headers=CURATOR).json
    new = {(link["subject"].removeprefix(ID), link["object"], link["confidence"]) for link in opened["changes"]["new"]}
    assert ("person/kim-jung-wook", "https://archive.example.org/victims/1001", 0.95) in new and len(new) == 3

    assert accept(client, submission).status_code == 200
    folder = data / "contributions" / submission
    assert (folder / "links" / SSSOM).read_bytes() == (LINKS / SSSOM).read_bytes()
    assert "data.manager" not in (folder / "contribution.csv").read_text(encoding="utf-8")

    store = open_store(build(data, tmp_path / "next").release / "store")
    graph = ox.NamedNode(f"{ID}graph/links.partner-archive")
    link = (ox.NamedNode(ID + "person/kim-jung-wook"), ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch"),
            ox.NamedNode("https://archive.example.org/victims/1001"))
    assert list(store.quads_for_pattern(*link, graph))
    generated = [q.object.value for q in store.quads_for_pattern(graph, ox.NamedNode(PROV + "wasGeneratedBy"), None)]
    assert generated == [f"{ID}submission/{submission}"]
    cited = store.quads_for_pattern(ox.NamedNode(generated[0]),
                                    ox.NamedNode("http://purl.org/dc/terms/bibliographicCitation"), None)
    assert [q.object.value for q in cited] == [CITED]


def test_a_csv_link_set_sent_by_the_submit_command_is_kept(client, home):
    body, content_type = multipart({"cited_source": CITED}, [(CSV, (LINKS / CSV).read_bytes())])
    answer = client.post("/submissions", data=body, content_type=content_type)
    assert answer.status_code == 201, answer.json
    assert Inbox(home).record(answer.json["id"])["link_set"]["mappings"] == 2
    assert "link set partner-registry: 2 links" in answer_text(Answer(answer.status_code, answer.json))


@pytest.mark.parametrize("old, new, problem", [
    ("partner:1002", "exrach:FA-0004", "partner-archive.sssom.tsv:14: object 'exrach:FA-0004': the prefix 'exrach:'"),
    ("fpid:person/kim-kook-kie", "fpid:person/nobody", "partner-archive.sssom.tsv:14: subject "
                                                       f"'{ID}person/nobody' is not one of our records"),
])
def test_a_link_set_that_link_would_refuse_is_refused_with_file_and_line_and_nothing_kept(client, home, old, new,
                                                                                          problem):
    answer = post(client, sssom(old, new))
    assert answer.status_code == 422
    assert any(p.startswith(problem) for p in answer.json["problems"]), answer.json["problems"]
    assert "/tmp" not in str(answer.json) and "footprints-submission" not in str(answer.json)
    assert Inbox(home).ids() == []
    lines = answer_text(Answer(422, answer.json)).splitlines()
    assert lines[0].startswith("refused (422)") and any(line.strip().startswith(problem) for line in lines)
    page = post(client, sssom(old, new), path="/submit").get_data(as_text=True)
    assert "partner-archive.sssom.tsv:14" in page


def test_a_link_set_is_submitted_on_its_own(client, home):
    files = {**sssom(), "good-people.csv": (ROOT / "data" / "examples" / "good-people.csv").read_bytes()}
    answer = post(client, files)
    assert answer.status_code == 400 and "on its own" in answer.json["error"]
    assert Inbox(home).ids() == []


def test_an_acceptance_is_refused_when_a_published_link_set_has_its_name(client, home, data):
    submission = post(client, sssom()).json["id"]
    shutil.copy(LINKS / CSV, data / "links" / "partner-archive.csv")  # added with `link` meanwhile
    refused = accept(client, submission)
    assert refused.status_code == 409 and "'partner-archive'" in refused.json["error"]
    assert Inbox(home).record(submission)["status"] == "awaiting-review"
    assert not (data / "contributions").exists()


def test_a_link_to_a_person_restricted_meanwhile_is_never_published(client, home, data):
    """The privacy rule of link sets: subjects are public records, at submission and again at acceptance."""
    submission = post(client, {CSV: (LINKS / CSV).read_bytes()}).json["id"]
    people = (data / "people.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    restricted = [row.replace(",false,", ",true,") if row.startswith("kim-won-ho,") else row for row in people]
    assert restricted != people
    (data / "people.csv").write_text("".join(restricted), encoding="utf-8")
    refused = accept(client, submission)
    assert refused.status_code == 409 and f"{ID}person/kim-won-ho" in refused.json["error"]
    assert "not one of our records" in refused.json["error"] and str(data) not in refused.json["error"]
    assert not (data / "contributions").exists()


def test_the_link_command_refuses_a_name_an_accepted_submission_holds(client, data, tmp_path):
    """`link` and the submission path share data/: a second file of the same name would be the same named graph."""
    assert accept(client, post(client, sssom()).json["id"]).status_code == 200
    other = tmp_path / "partner-archive.csv"
    shutil.copy(LINKS / CSV, other)
    with pytest.raises(LinkSetError) as refused:
        add_link_set(other, data)
    assert "already makes the link set 'partner-archive'" in str(refused.value)
    assert not (data / "links" / "partner-archive.csv").exists()
