"""Issue 17 end to end on a real server (`footprints-graph serve`): a family's association sends tables through
the /submit form in Debian's Chromium, a researcher sends others with `footprints-graph submit`, a curator
accepts both over HTTP with the token, and the next build publishes every record with its provenance, while
the contributors' contacts stay off every public answer."""

import re
import shutil
import subprocess
import sys

import pyoxigraph as ox
import pytest
import requests

from footprints_graph.releases.build import build
from footprints_graph.store.embedded import open_store
from support import ROOT
from support.browser import TIMEOUT_MS, shot
from support.security import CURATOR_TOKEN
from support.serving import serving

EXAMPLES = ROOT / "data" / "examples"
GOOD = ("good-documents.csv", "good-people.csv", "good-events.csv", "good-organisations.csv")
ID = "https://w3id.org/footprints-graph/id/"
GENERATED_BY = "http://www.w3.org/ns/prov#wasGeneratedBy"
CURATOR = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
FORM_CONTACT = "form-family@example.org"
CLI_CONTACT = "cli-researcher@example.org"


@pytest.fixture(scope="module")
def server(tmp_path_factory, built_release):
    folder = tmp_path_factory.mktemp("submit-server")
    home, data = folder / "home", shutil.copytree(ROOT / "data", folder / "data")
    home.mkdir()
    (home / "current").symlink_to(built_release)
    settings = {"FOOTPRINTS_DATA": str(data), "FOOTPRINTS_CURATOR_TOKEN": CURATOR_TOKEN}
    with serving(home, folder / "serve.log", [], settings) as (url, _process):
        yield url, data, folder


def _renamed_files(folder, prefix: str) -> list:
    """The good example with every key prefixed, so that it is a second, independent submission."""
    paths = []
    for name in GOOD:
        text = (EXAMPLES / name).read_text(encoding="utf-8").replace("example-", f"{prefix}-example-")
        paths.append(folder / name)
        paths[-1].write_text(text, encoding="utf-8")
    return paths


def test_from_the_form_and_the_command_line_to_published_records_with_provenance(browser, server):
    url, data, folder = server
    context = browser.new_context(base_url=url, locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto("/submit")
    page.set_input_files("#submit-files", [str(EXAMPLES / name) for name in GOOD])
    page.fill("#submit-source", "Example families' appeal, 2017")
    page.fill("#submit-contact", FORM_CONTACT)
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Received: awaiting review").wait_for()
    from_form = page.locator("code.submission-id").inner_text()
    shot(page, "submit-receipt")
    page.get_by_role("link", name="See its status").click()
    assert page.locator("dd.state").get_attribute("data-status") == "awaiting-review"
    assert FORM_CONTACT not in page.content()

    done = subprocess.run([sys.executable, "-m", "footprints_graph", "submit", "--to", url, "--source",
                           "A researcher's notes of the appeal", "--contact", CLI_CONTACT,
                           *map(str, _renamed_files(folder, "cli"))], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    from_cli = done.stdout.split()[1]
    assert f"/submissions/{from_cli}" in done.stdout

    for submission in (from_form, from_cli):
        decided = requests.post(f"{url}/curator/inbox/{submission}/decision", headers=CURATOR, timeout=60,
                                data={"decision": "accept", "curator": "Curator Park"})
        assert decided.status_code == 200, decided.text
    page.reload()
    assert page.locator("dd.state").get_attribute("data-status") == "accepted"
    shot(page, "submission-status")
    context.close()

    store = open_store(build(data, folder / "next").release / "store")
    for record, submission in (("example-lee-young-hee", from_form), ("cli-example-lee-young-hee", from_cli)):
        quads = store.quads_for_pattern(ox.NamedNode(f"{ID}person/{record}"), ox.NamedNode(GENERATED_BY), None)
        assert [q.object.value for q in quads] == [f"{ID}submission/{submission}"]
    for path in (folder / "next").rglob("*"):
        if path.is_file() and "store" not in path.parts:
            assert FORM_CONTACT.encode() not in path.read_bytes() and CLI_CONTACT.encode() not in path.read_bytes()
    log = (folder / "serve.log").read_text(encoding="utf-8", errors="replace")
    assert FORM_CONTACT not in log and CLI_CONTACT not in log


def test_the_command_reports_a_refusal_with_its_reasons_and_exit_code(server, tmp_path):
    url, _data, _folder = server
    bad = _renamed_files(tmp_path, "bad")
    bad[1].write_text(bad[1].read_text(encoding="utf-8").replace(",detainee,", ",wartime-abductee,"), encoding="utf-8")
    events = bad[2].read_text(encoding="utf-8")
    bad[2].write_text(events.replace("arbitrary-detention,", "abduction,"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "footprints_graph", "submit", "--to", url, "--source", "notes",
                           *map(str, bad)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "refused (422)" in done.stderr and "Violation" in done.stderr
    unreachable = subprocess.run([sys.executable, "-m", "footprints_graph", "submit", "--to", "http://127.0.0.1:9",
                                  "--source", "notes", *map(str, bad)], capture_output=True, text=True, timeout=120)
    assert unreachable.returncode == 2 and "cannot reach http://127.0.0.1:9" in unreachable.stderr


def test_a_curator_reviews_and_rejects_in_the_browser_and_the_contributor_reads_why(browser, server, tmp_path):
    url, _data, _folder = server
    files = _renamed_files(tmp_path, "review")
    files[1].write_text(files[1].read_text(encoding="utf-8").replace("Lee Young-hee", "Kim Jeong-uk"), encoding="utf-8")
    hostile = "<img src=x onerror=alert(1)> families' list"  # shown as text, never run
    with requests.Session() as session:
        kept = session.post(f"{url}/submissions", timeout=60, data={"cited_source": hostile, "contact": "x@example.org"},
                            files=[("files", (p.name, p.read_bytes())) for p in files])
    assert kept.status_code == 201, kept.text
    submission = kept.json()["id"]
    context = browser.new_context(base_url=url, locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto("/review")
    page.fill("#review-token", "not-the-token-at-all")
    page.get_by_role("button", name="Open").click()
    page.locator("#review-problem").wait_for()
    assert "Refused" in page.locator("#review-problem").inner_text() and page.locator("#review-inbox tr").count() == 0

    page.fill("#review-token", CURATOR_TOKEN)
    page.locator("#review-login button").click()
    row = page.locator(f'tr[data-submission="{submission}"]')
    assert hostile in row.inner_text() and "x@example.org" in row.inner_text()
    row.get_by_role("button", name="Open").click()
    page.get_by_role("heading", name=re.compile(submission)).wait_for()
    opened = page.locator("#review-submission").inner_text()
    assert "person: https://w3id.org/footprints-graph/id/person/review-example-lee-young-hee" in opened
    assert re.search(r"Kim Jeong-uk ~ Kim Jung-Wook \(\S+/person/kim-jung-wook\): (9\d|100)", opened), opened
    page.select_option("#review-decision", "reject")
    page.fill("#review-reason", "The appeal is listed already under another key.")
    page.fill("#review-curator", "Curator Park")
    page.get_by_role("button", name="Decide").click()
    page.get_by_role("heading", name=re.compile(f"{submission} — Rejected")).wait_for()
    shot(page, "review")
    assert alerts == []
    context.close()
    status = requests.get(f"{url}/submissions/{submission}", timeout=60).json()
    assert (status["status"], status["reason"]) == ("rejected", "The appeal is listed already under another key.")
