"""Issue 17: contributors submit, curators review, accepted records publish with their provenance.

Each test serves the session's release (built from data/) from a home of its own, whose inbox starts empty,
with a copy of data/ that acceptances write into. The submission is data/examples/good-*.csv: a document, the
two fictional organisations it names, a detainee and the detention."""

import csv
import io
import json
import shutil
import threading
from datetime import datetime

import openpyxl
import pyoxigraph as ox
import pytest
from rdflib import VOID, Graph, URIRef

from footprints_graph.releases.build import build
from footprints_graph.releases.inbox import INBOX, Inbox
from footprints_graph.store.embedded import open_store
from footprints_graph.web import EndpointConfig, create_app
from support import ROOT
from support.security import CURATOR_TOKEN

EXAMPLES = ROOT / "data" / "examples"
GOOD = ("good-documents.csv", "good-organisations.csv", "good-people.csv", "good-events.csv")
CONTACT = "hong.family@example.org, +82 10 5555 0199"
CITED = "Example families' association, list of detainees, 2017"
PROV = "http://www.w3.org/ns/prov#"
ID = "https://w3id.org/footprints-graph/id/"
CURATOR = {"Authorization": f"Bearer {CURATOR_TOKEN}"}


def good_files(**changes: tuple[str, str]) -> dict[str, bytes]:
    """The good example tables, with text replaced in the named file: name=(old, new)."""
    files = {name: (EXAMPLES / name).read_bytes() for name in GOOD}
    for name, (old, new) in changes.items():
        files[f"good-{name}.csv"] = files[f"good-{name}.csv"].replace(old.encode(), new.encode())
    return files


def another_person() -> dict[str, bytes]:
    """The good example with another person and their detention, citing the same document."""
    return good_files(people=("example-lee-young-hee,Lee Young-hee,Yi Yeong-hui", "example-choe-min-su,Choe Min-su,"),
                      events=("example-lee-young-hee-detention,,arbitrary-detention,example-lee-young-hee,",
                              "example-choe-min-su-detention,,arbitrary-detention,example-choe-min-su,"))


def post(client, files: dict[str, bytes], cited: str = CITED, contact: str = CONTACT, address: str = "192.0.2.1"):
    form = {"files": [(io.BytesIO(content), name) for name, content in files.items()], "cited_source": cited,
            "contact": contact}
    return client.post("/submissions", data=form, content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": address})


def decide(client, submission: str, decision: str, reason: str = "", curator: str = "Curator Park"):
    return client.post(f"/curator/inbox/{submission}/decision", headers=CURATOR,
                       data={"decision": decision, "reason": reason, "curator": curator})


def inbox_ids(home) -> list[str]:
    return Inbox(home).ids()


# ---------------------------------------------------------------- submit


def test_a_conforming_submission_is_kept_and_answered_with_a_receipt(client, home):
    answer = post(client, good_files())
    assert answer.status_code == 201, answer.json
    receipt = answer.json
    assert receipt["status"] == "awaiting-review" and receipt["report"]["conforms"] is True
    assert receipt["status_url"].endswith(f"/submissions/{receipt['id']}")
    assert inbox_ids(home) == [receipt["id"]]
    kept = home / INBOX / receipt["id"]
    assert sorted(p.name for p in (kept / "files").iterdir()) == sorted(GOOD)
    assert (kept / "files" / "good-people.csv").read_bytes() == (EXAMPLES / "good-people.csv").read_bytes()
    status = client.get(f"/submissions/{receipt['id']}").json
    assert status == {"id": receipt["id"], "received": status["received"], "status": "awaiting-review",
                      "reason": None, "decided": None}


def test_a_submission_with_violations_is_refused_with_the_report_and_nothing_kept(client, home):
    wartime = good_files(people=(",detainee,", ",wartime-abductee,"),
                         events=("arbitrary-detention,", "abduction,"))
    answer = post(client, wartime)
    assert answer.status_code == 422
    results = [r for record in answer.json["report"]["records"] for r in record["results"]]
    shapes = {r["source_shape"].rsplit("#")[-1] for r in results if r["severity"] == "Violation"}
    assert "WartimeAbductionShape-until" in shapes
    assert inbox_ids(home) == [] and not list((home / INBOX).glob(".incoming-*"))


def test_an_unreadable_table_is_refused_naming_file_line_and_column_and_no_server_path(client, home):
    answer = post(client, good_files(people=(",detainee,", ",civilian-abductee,")))
    assert answer.status_code == 400
    assert "good-people.csv:2" in answer.json["error"] and "category" in answer.json["error"]
    assert "/tmp" not in answer.json["error"] and "footprints-submission" not in answer.json["error"]
    assert inbox_ids(home) == []


@pytest.mark.parametrize("fields, reason", [
    ({"files": [], "cited_source": CITED}, "files"),
    ({"cited_source": ""}, "cited_source"),
])
def test_a_submission_without_files_or_a_cited_source_is_refused(client, home, fields, reason):
    form = {"files": [(io.BytesIO(c), n) for n, c in good_files().items()], "cited_source": CITED, **fields}
    answer = client.post("/submissions", data=form, content_type="multipart/form-data")
    assert answer.status_code == 400 and reason in answer.json["error"]
    assert inbox_ids(home) == []


def test_only_records_people_can_read_are_taken_and_a_hostile_file_name_stays_in_the_inbox(client, home):
    refused = post(client, {"victim.docx": b"PK"})  # tables, RDF, Uwazi exports and link sets only
    assert refused.status_code == 400 and "victim.docx" in refused.json["error"]
    files = good_files()
    files["../../../etc/good-people.csv"] = files.pop("good-people.csv")
    answer = post(client, files)
    assert answer.status_code == 201, answer.json
    assert (home / INBOX / answer.json["id"] / "files" / "etc_good-people.csv").is_file()
    assert not (home.parent / "etc").exists()


def test_a_huge_submission_is_refused_before_it_is_read_and_nothing_is_kept(client, home):
    huge = good_files()
    huge["good-people.csv"] += b"x" * 2_000_000
    answer = post(client, huge)
    assert answer.status_code == 413
    assert inbox_ids(home) == []


def test_the_same_files_submitted_twice_are_refused_naming_the_first(client, home):
    first = post(client, good_files()).json["id"]
    again = post(client, good_files(), address="198.51.100.7")
    assert again.status_code == 409 and again.json["submission"] == first
    assert inbox_ids(home) == [first]


def test_a_flood_from_one_client_is_refused_while_others_still_submit(client, home):
    kept = [post(client, good_files(documents=("An example for", f"Copy {n}. An example for"))) for n in range(5)]
    assert [a.status_code for a in kept] == [201] * 5
    flood = post(client, good_files(documents=("An example for", "Copy 6. An example for")))
    assert flood.status_code == 429 and "awaiting review" in flood.json["error"]
    other = post(client, good_files(documents=("An example for", "Copy 6. An example for")), address="203.0.113.9")
    assert other.status_code == 201
    assert len(inbox_ids(home)) == 6


def test_concurrent_submissions_are_all_kept_whole(client, home):
    count = 6
    start, answers = threading.Barrier(count), [None] * count

    def send(n: int) -> None:
        files = good_files(documents=("An example for", f"Copy {n}. An example for"))
        start.wait()
        answers[n] = post(client.application.test_client(), files, address=f"192.0.2.{n + 10}")

    threads = [threading.Thread(target=send, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * count
    assert sorted(a.json["id"] for a in answers) == inbox_ids(home)
    for submission in inbox_ids(home):
        assert len(Inbox(home).files(submission)) == len(GOOD)


def test_a_submission_half_written_by_a_killed_server_is_never_listed_and_is_cleared(client, home):
    leftover = home / INBOX / ".incoming-20261206-0123456789ab"
    (leftover / "files").mkdir(parents=True)
    (leftover / "files" / "good-people.csv").write_bytes(b"person,name")  # cut off mid-write
    assert inbox_ids(home) == []
    assert client.get("/curator/inbox", headers=CURATOR).json["submissions"] == []
    post(client, good_files())
    assert not leftover.exists() and len(inbox_ids(home)) == 1


def test_the_inbox_survives_a_restart(home, data):
    first = create_app(EndpointConfig(home=home, data=data, curator_token=CURATOR_TOKEN)).test_client()
    submission = post(first, good_files()).json["id"]
    restarted = create_app(EndpointConfig(home=home, data=data, curator_token=CURATOR_TOKEN)).test_client()
    assert restarted.get(f"/submissions/{submission}").json["status"] == "awaiting-review"
    assert [s["id"] for s in restarted.get("/curator/inbox", headers=CURATOR).json["submissions"]] == [submission]


# ---------------------------------------------------------------- review


def test_the_curator_routes_need_the_token(client):
    submission = post(client, good_files()).json["id"]
    for path in ("/curator/inbox", f"/curator/inbox/{submission}"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer wrong-token-of-some-length"}).status_code == 401
    decision = client.post(f"/curator/inbox/{submission}/decision", data={"decision": "accept", "curator": "x"})
    assert decision.status_code == 401
    assert client.get(f"/submissions/{submission}").json["status"] == "awaiting-review"


def test_a_curator_sees_the_inbox_with_contacts_and_what_a_submission_would_change(client):
    submission = post(client, good_files()).json["id"]
    listed = client.get("/curator/inbox", headers=CURATOR)
    assert listed.headers["Cache-Control"] == "no-store"
    listing = [(s["id"], s["contact"], s["cited_source"]) for s in listed.json["submissions"]]
    assert listing == [(submission, CONTACT, CITED)]
    opened = client.get(f"/curator/inbox/{submission}", headers=CURATOR).json
    assert {(r["kind"], r["record"].removeprefix(ID)) for r in opened["changes"]["new"]} == {
        ("person", "person/example-lee-young-hee"), ("event", "event/example-lee-young-hee-detention"),
        ("document", "document/example-detainee-appeal"), ("organisation", "organisation/example-families-association"),
        ("organisation", "organisation/example-state"), ("listing", "listing/example-lee-young-hee.example-detainee-appeal")}
    assert opened["changes"]["changed"] == [] and opened["report"]["conforms"] is True
    assert [d["record"] for d in opened["duplicates"]] == [ID + "person/example-lee-young-hee"]


def test_a_likely_duplicate_of_a_published_victim_is_shown_with_its_score(client):
    """In the receipt, on the page and to the curator: the reconciliation matcher's candidates."""
    namesake = good_files(people=("Lee Young-hee,Yi Yeong-hui", "Kim Jung-wook,Kim Jeong-uk"))
    receipt = post(client, namesake).json
    curator_view = client.get(f"/curator/inbox/{receipt['id']}", headers=CURATOR).json["duplicates"]
    for duplicates in (receipt["duplicates"], curator_view):
        candidates = {c["record"].removeprefix(ID): c["score"] for c in duplicates[0]["candidates"]}
        assert candidates.get("person/kim-jung-wook", 0) >= 90
    again = good_files(people=("Lee Young-hee,Yi Yeong-hui", "Kim Jung-wook,Kim Jeong-uk"),
                       documents=("An example for", "Sent again. An example for"))  # not a repeat of the same files
    form = {"files": [(io.BytesIO(c), n) for n, c in again.items()], "cited_source": "another list"}
    page = client.post("/submit", data=form, content_type="multipart/form-data").get_data(as_text=True)
    assert page.count('href="/id/person/kim-jung-wook"') == 1 and "Already published under the same name" in page
    assert all(c["score"] >= 90 for d in receipt["duplicates"] for c in d["candidates"])  # the contributor: same name
    plain = post(client, good_files()).json  # Lee Young-hee: near misses for the curator, none for the contributor
    assert plain["duplicates"] == []


def test_a_submission_that_adds_to_a_published_record_shows_as_changed(client):
    published = good_files(people=("example-lee-young-hee,Lee Young-hee", "kim-jung-wook,Kim Jung-wook"),
                           events=(",example-lee-young-hee,", ",kim-jung-wook,"))
    submission = post(client, published)
    assert submission.status_code == 201, submission.json
    changes = client.get(f"/curator/inbox/{submission.json['id']}", headers=CURATOR).json["changes"]
    changed = {c["record"].removeprefix(ID): c["adds"] for c in changes["changed"]}
    assert "person/kim-jung-wook" in changed
    assert any(p == "http://www.w3.org/2004/02/skos/core#altLabel" and o == "Yi Yeong-hui"
               for p, o in changed["person/kim-jung-wook"])


@pytest.mark.parametrize("decision, status", [("reject", "rejected"), ("ask-for-changes", "changes-requested")])
def test_a_decision_is_kept_with_who_and_when_and_the_contributor_sees_only_the_decision_and_reason(
        client, home, data, decision, status):
    submission = post(client, good_files()).json["id"]
    assert decide(client, submission, decision).status_code == 400  # a reason is needed
    decided = decide(client, submission, decision, reason="The list's date is missing: add the issue date.")
    assert decided.status_code == 200
    record = Inbox(home).record(submission)
    assert [(d["decision"], d["curator"]) for d in record["decisions"]] == [(status, "Curator Park")]
    assert record["decisions"][0]["at"]
    public = client.get(f"/submissions/{submission}").json
    assert public["status"] == status and public["reason"] == "The list's date is missing: add the issue date."
    assert set(public) == {"id", "received", "status", "reason", "decided"}
    assert not (data / "contributions").exists()


def test_a_decided_submission_cannot_be_decided_again(client):
    submission = post(client, good_files()).json["id"]
    assert decide(client, submission, "reject", reason="Not a victim of the DPRK.").status_code == 200
    again = decide(client, submission, "accept")
    assert again.status_code == 409 and "rejected already" in again.json["error"]


def test_an_unknown_submission_or_decision_is_a_clear_error(client):
    assert client.get("/submissions/20261206-000000000000").status_code == 404
    assert client.get("/submissions/..%2F..%2Fetc").status_code == 404
    submission = post(client, good_files()).json["id"]
    wrong = decide(client, submission, "publish")
    assert wrong.status_code == 400 and "accept, reject, ask-for-changes" in wrong.json["error"]
    nobody = client.post(f"/curator/inbox/{submission}/decision", headers=CURATOR, data={"decision": "accept"})
    assert nobody.status_code == 400 and "curator" in nobody.json["error"]


# ---------------------------------------------------------------- publish


def test_an_accepted_submission_is_published_by_the_next_build_with_its_provenance(client, home, data, tmp_path):
    submission = post(client, good_files()).json["id"]
    rejected = post(client, another_person()).json["id"]
    decide(client, rejected, "reject", reason="Duplicate of another list.")
    accepted = decide(client, submission, "accept")
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    folder = data / "contributions" / submission
    assert sorted(p.name for p in folder.iterdir()) == sorted([*GOOD, "contribution.csv"])
    provenance = (folder / "contribution.csv").read_text(encoding="utf-8")
    assert provenance.splitlines()[0] == "submission,received,accepted,cited_source"
    assert CONTACT not in provenance and "Curator Park" not in provenance

    release = build(data, tmp_path / "next").release
    store = open_store(release / "store")
    activity = f"{ID}submission/{submission}"
    for record in ("person/example-lee-young-hee", "event/example-lee-young-hee-detention",
                   "document/example-detainee-appeal"):
        assert _objects(store, ID + record, PROV + "wasGeneratedBy") == [activity]
    record = Inbox(home).record(submission)
    assert _times(store, activity, PROV + "startedAtTime") == [datetime.fromisoformat(record["received"])]
    assert _times(store, activity, PROV + "endedAtTime") == [datetime.fromisoformat(record["decisions"][-1]["at"])]
    assert _objects(store, activity, "http://purl.org/dc/terms/bibliographicCitation") == [CITED]
    assert not list(store.quads_for_pattern(ox.NamedNode(ID + "person/example-choe-min-su"), None, None))
    assert not list(store.quads_for_pattern(ox.NamedNode(f"{ID}submission/{rejected}"), None, None))
    assert json.loads((release / "release.json").read_text(encoding="utf-8"))["contributions"] == 1
    assert _void_activities(tmp_path / "next") == 1


def _void_activities(home) -> int:
    """The entities of VoID's class partition for prov:Activity: one per accepted submission."""
    site = create_app(EndpointConfig(home=home)).test_client()
    void = site.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    graph = Graph().parse(data=void, format="turtle")
    partitions = graph.subjects(VOID["class"], URIRef(PROV + "Activity"))
    return sum(int(graph.value(partition, VOID.entities)) for partition in partitions)


def _objects(store: ox.Store, subject: str, predicate: str) -> list[str]:
    return sorted(q.object.value for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None))


def _times(store: ox.Store, subject: str, predicate: str) -> list[datetime]:
    return [datetime.fromisoformat(value) for value in _objects(store, subject, predicate)]


def test_a_submission_that_conflicts_with_one_accepted_meanwhile_is_not_accepted(client, home, data):
    first = post(client, good_files()).json["id"]
    second = post(client, another_person()).json["id"]
    assert decide(client, first, "accept").status_code == 200
    conflict = decide(client, second, "accept")
    assert conflict.status_code == 409 and "document/example-detainee-appeal" in conflict.json["error"]
    assert Inbox(home).record(second)["status"] == "awaiting-review"
    assert sorted(p.name for p in (data / "contributions").iterdir()) == [first]


# ---------------------------------------------------------------- privacy


def test_no_contact_detail_reaches_a_public_route_a_dump_or_a_log(client, home, data, tmp_path, caplog):
    """Before and after the accepted submission is published: every public route without arguments, the status
    page, the published person's and submission's pages and every dump; the release's files; the log."""
    caplog.set_level("DEBUG")
    submission = post(client, good_files()).json["id"]
    decide(client, submission, "accept")
    release = build(data, tmp_path / "next").release
    published = create_app(EndpointConfig(home=tmp_path / "next", data=data)).test_client()
    for site in (client, published):
        answers = [site.get(path) for path in _public_paths(site)]
        answers += [site.get(f"/submissions/{submission}", headers={"Accept": accept})
                    for accept in ("application/json", "text/html")]
        assert all(a.status_code < 500 for a in answers), [(a.request.path, a.status_code) for a in answers]
        for answer in answers:
            assert "hong.family" not in answer.get_data(as_text=True), answer.request.path
    for page in (f"/id/submission/{submission}", "/id/person/example-lee-young-hee", "/dumps/footprints.nq"):
        assert published.get(page).status_code == 200, page  # the published pages were read, not 404s
    for path in release.rglob("*"):
        if path.is_file() and "store" not in path.parts:
            assert b"hong.family" not in path.read_bytes(), path
    assert "hong.family" not in caplog.text and "5555" not in caplog.text
    assert json.loads((home / INBOX / submission / "contact.json").read_text())["contact"] == CONTACT


def _public_paths(site) -> list[str]:
    """Every GET route without arguments but the curators', the dumps, and the contributed records' pages."""
    rules = [r.rule for r in site.application.url_map.iter_rules()
             if "GET" in r.methods and not r.arguments and not r.rule.startswith("/curator")]
    dumps = [f"/dumps/{name}" for name in ("footprints.nq", "footprints.trig", "footprints.ttl", "footprints.jsonld")]
    records = ["/id/person/example-lee-young-hee", "/id/event/example-lee-young-hee-detention",
               "/search?q=Lee+Young-hee", "/browse"]
    return [*rules, *dumps, *records]


# ---------------------------------------------------------------- the page and the command


def test_the_submit_page_keeps_a_conforming_submission_and_links_its_status(client, home):
    assert 'name="cited_source"' in client.get("/submit").get_data(as_text=True)
    form = {"files": [(io.BytesIO(c), n) for n, c in good_files().items()], "cited_source": CITED, "contact": CONTACT}
    page = client.post("/submit", data=form, content_type="multipart/form-data")
    assert page.status_code == 201
    [submission] = inbox_ids(home)
    html = page.get_data(as_text=True)
    assert submission in html and f"/submissions/{submission}" in html and "hong.family" not in html
    decide(client, submission, "ask-for-changes", reason="Give the list's date.")
    status = client.get(f"/submissions/{submission}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Changes requested" in status and "Give the list&#39;s date." in status and "Curator Park" not in status


def test_the_submit_page_shows_what_to_fix_and_keeps_nothing(client, home):
    wartime = good_files(people=(",detainee,", ",wartime-abductee,"), events=("arbitrary-detention,", "abduction,"))
    form = {"files": [(io.BytesIO(c), n) for n, c in wartime.items()], "cited_source": CITED}
    page = client.post("/submit?lang=ko", data=form, content_type="multipart/form-data")
    assert page.status_code == 422 and "위반" in page.get_data(as_text=True)
    refused = client.post("/submit", data={"cited_source": CITED}, content_type="multipart/form-data")
    assert refused.status_code == 400 and "files" in refused.get_data(as_text=True)
    assert inbox_ids(home) == []


def test_the_submit_command_body_is_read_by_the_server_as_the_form_is(client, home):
    from footprints_graph.submit import multipart
    body, content_type = multipart({"cited_source": CITED, "contact": CONTACT}, list(good_files().items()))
    answer = client.post("/submissions", data=body, content_type=content_type)
    assert answer.status_code == 201, answer.json
    assert Inbox(home).contact(answer.json["id"])["contact"] == CONTACT
    assert Inbox(home).record(answer.json["id"])["cited_source"] == CITED


def test_an_acceptance_while_data_does_not_convert_is_refused_and_writes_nothing(client, home, data):
    submission = post(client, good_files()).json["id"]
    with (data / "people.csv").open("a", encoding="utf-8") as people:
        people.write("broken-row,Kim Broken,civilian-abductee,,a-hrc-25-63,false,\n")
    refused = decide(client, submission, "accept")
    assert refused.status_code == 409 and "people.csv" in refused.json["error"]
    assert Inbox(home).record(submission)["status"] == "awaiting-review"
    assert not (data / "contributions").exists()


def test_tables_as_korean_excel_saves_them_travel_to_the_release(client, home, data, tmp_path):
    """A workbook and a CP949 CSV with a Hangul name are published as data/ keeps tables (CSV in UTF-8), with
    their provenance."""
    rows = list(csv.reader(io.StringIO((EXAMPLES / "good-events.csv").read_text(encoding="utf-8"))))
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    workbook = io.BytesIO()
    book.save(workbook)
    people = (EXAMPLES / "good-people.csv").read_text(encoding="utf-8").replace("Yi Yeong-hui", "이영희")
    files = {name: (EXAMPLES / name).read_bytes() for name in ("good-documents.csv", "good-organisations.csv")}
    files |= {"good-people.csv": people.encode("cp949"), "good-events.xlsx": workbook.getvalue()}
    answer = post(client, files)
    assert answer.status_code == 201, answer.json
    assert decide(client, answer.json["id"], "accept").status_code == 200
    published = data / "contributions" / answer.json["id"]
    assert sorted(p.name for p in published.iterdir()) == ["contribution.csv", *sorted(GOOD)]  # all CSV in UTF-8
    assert (published / "good-people.csv").read_text(encoding="utf-8") == people
    assert list(csv.reader(io.StringIO((published / "good-events.csv").read_text(encoding="utf-8")))) == rows
    store = open_store(build(data, tmp_path / "next").release / "store")
    activity = f"{ID}submission/{answer.json['id']}"
    assert _objects(store, ID + "event/example-lee-young-hee-detention", PROV + "wasGeneratedBy") == [activity]
    assert "이영희" in _objects(store, ID + "person/example-lee-young-hee", "http://www.w3.org/2004/02/skos/core#altLabel")


@pytest.mark.parametrize("cell", ["=HYPERLINK(1)", "+1+1", "@SUM(A1)", "-A1"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_refused(client, home, cell):
    answer = post(client, good_files(people=('"An example for', f'"{cell} An example for')))
    assert answer.status_code == 400, answer.json
    assert "good-people.csv:2" in answer.json["error"] and "formula" in answer.json["error"]
    assert inbox_ids(home) == []


def test_a_table_sent_twice_as_csv_and_as_a_workbook_is_refused(client, home):
    files = {**good_files(), "good-people.xlsx": b"PK"}
    answer = post(client, files)
    assert answer.status_code == 400 and "good-people" in answer.json["error"]


def test_a_submission_that_no_longer_reads_against_a_new_release_is_a_clear_conflict(client, home, tmp_path,
                                                                                    built_release):
    """It refers to published records that a later release no longer has. The examples name no real body (issue
    14), so an earlier release, built from data/ and the example's document and fictional organisations (as if
    accepted before), is current when only the person and the detention are sent; the later release is the
    session's, built from data/ alone."""
    earlier = shutil.copytree(ROOT / "data", tmp_path / "earlier")
    for table in ("documents", "organisations"):
        header, *rows = (EXAMPLES / f"good-{table}.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        published = earlier / f"{table}.csv"
        assert published.read_text(encoding="utf-8").startswith(header)  # the same columns, in the same order
        published.write_text(published.read_text(encoding="utf-8") + "".join(rows), encoding="utf-8")
    (home / "current").unlink()
    (home / "current").symlink_to(build(earlier, tmp_path / "earlier-home").release)
    sent = post(client, {name: body for name, body in good_files().items() if name in ("good-people.csv",
                                                                                         "good-events.csv")})
    assert sent.status_code == 201, sent.json
    (home / "current").unlink()
    (home / "current").symlink_to(built_release)
    opened = client.get(f"/curator/inbox/{sent.json['id']}", headers=CURATOR)
    assert opened.status_code == 409
    for gone in ("example-detainee-appeal", "example-families-association", "example-state"):
        assert gone in opened.json["error"]
    assert str(home) not in opened.json["error"]
