"""Issue 17: the inbox across processes. A server killed while it writes loses nothing it promised and leaves
nothing half-done: a child process adds a submission (or accepts one) and kills itself with SIGKILL before a
chosen write — the moment is chosen by counting writes, not by time — and the inbox is then read by this
process. Processes adding at once (gunicorn's workers) share one limit per client."""

import json
import multiprocessing
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from footprints_graph.releases.inbox import INBOX, Inbox, InboxError, Upload
from support import ROOT

EXAMPLES = ROOT / "data" / "examples"
UPLOADS = [Upload(name, (EXAMPLES / name).read_bytes()) for name in ("good-documents.csv", "good-people.csv",
                                                                     "good-events.csv", "good-organisations.csv")]

CHILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from footprints_graph.releases import inbox as inbox_module
    from footprints_graph.releases.inbox import Inbox, Upload
    home, kill_at, action = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    written, durable = [], inbox_module.write_durably

    def die_before_a_write(path, content):
        written.append(path)
        if len(written) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        durable(path, content)

    inbox_module.write_durably = die_before_a_write
    box = Inbox(home)
    if action == "add":
        box.add([Upload(p.name, p.read_bytes()) for p in map(Path, sys.argv[4:])], {"cited_source": "a list"},
                {"contact": "kim@example.org"}, "client")
    else:
        from footprints_graph.releases import contributions
        contributions.write_durably = die_before_a_write
        data, submission = Path(sys.argv[4]), sys.argv[5]
        box.decide(submission, "accept", "", "Curator Park",
                   lambda record: contributions.publish(record, box.files(submission), data,
                                                        "https://w3id.org/footprints-graph/id/"))
""")


def _killed(*arguments: str) -> None:
    done = subprocess.run([sys.executable, "-c", CHILD, *arguments], capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr


def test_a_submission_cut_off_by_a_kill_is_never_listed_and_the_next_one_is_whole(tmp_path):
    tables = len(UPLOADS)  # before the first table, the last table, the contact, the record (written last)
    for kill_at in (1, tables, tables + 1, tables + 2):
        home = tmp_path / f"home-{kill_at}"
        _killed(str(home), str(kill_at), "add", *(str(EXAMPLES / u.name) for u in UPLOADS))
        assert Inbox(home).ids() == [] and list((home / INBOX).glob(".incoming-*"))
        kept = Inbox(home).add(UPLOADS, {"cited_source": "a list"}, {"contact": ""}, "client")
        assert Inbox(home).ids() == [kept["id"]] and not list((home / INBOX).glob(".incoming-*"))
        stored = {p.name: p.read_bytes() for p in Inbox(home).files(kept["id"])}
        assert stored == {u.name: u.content for u in UPLOADS}


@pytest.mark.parametrize("kill_at, published", [(len(UPLOADS) + 1, False), (len(UPLOADS) + 2, True)])
def test_an_acceptance_cut_off_by_a_kill_is_completed_by_the_next_one(tmp_path, kill_at, published):
    """Killed before contribution.csv (the folder is never renamed), or after the folder was renamed but before
    the decision was written: the status stays awaiting review, and accepting again finishes the work once."""
    home, data = tmp_path / "home", shutil.copytree(ROOT / "data", tmp_path / "data")
    submission = Inbox(home).add(UPLOADS, {"cited_source": "a list"}, {"contact": ""}, "client")["id"]
    _killed(str(home), str(kill_at), "accept", str(data), submission)
    assert Inbox(home).record(submission)["status"] == "awaiting-review"
    assert (data / "contributions" / submission).exists() is published

    def publish_again(record):
        from footprints_graph.releases.contributions import publish
        publish(record, Inbox(home).files(submission), data, "https://w3id.org/footprints-graph/id/")

    Inbox(home).decide(submission, "accept", "", "Curator Park", publish_again)
    assert Inbox(home).record(submission)["status"] == "accepted"
    folder = data / "contributions" / submission
    assert sorted(p.name for p in (data / "contributions").iterdir()) == [submission]
    assert (folder / "contribution.csv").read_text(encoding="utf-8").startswith("submission,received,accepted")
    decisions = json.loads((home / INBOX / submission / "submission.json").read_text())["decisions"]
    assert [(d["decision"], d["curator"]) for d in decisions] == [("accepted", "Curator Park")]


def _add_when_all_are_ready(home, n: int, start, results) -> None:
    upload = Upload("good-people.csv", UPLOADS[1].content + f"# copy {n}\n".encode())
    start.wait()
    try:
        results.put(Inbox(home, max_pending_per_client=3).add([upload], {"cited_source": "a list"}, {}, "client")["id"])
    except InboxError as error:
        results.put(error.status)


def test_processes_adding_at_once_share_one_inbox_and_one_limit(tmp_path):
    """Six processes (as gunicorn's workers are) add at the same moment for one client allowed three pending."""
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(6), context.Queue()
    processes = [context.Process(target=_add_when_all_are_ready, args=(tmp_path, n, start, results)) for n in range(6)]
    for process in processes:
        process.start()
    answers = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join()
    kept = sorted(a for a in answers if isinstance(a, str))
    assert len(kept) == 3 and sorted(a for a in answers if a == 429) == [429] * 3
    assert Inbox(tmp_path).ids() == kept
