"""Issue 17: the inbox is in the backup (restricted: contributors' contacts) and comes back on restore, without
overwriting a submission the home holds already."""

import tarfile

from footprints_graph.releases.backup import restore_backup, write_backup
from footprints_graph.releases.inbox import INBOX, Inbox, Upload
from footprints_graph.releases.serving import current_release

TABLE = Upload("good-people.csv", b"person,name,category,source\n")


def test_the_inbox_is_backed_up_as_restricted_and_restored_whole(home, tmp_path):
    submission = Inbox(home).add([TABLE], {"cited_source": "a list"}, {"contact": "kim@example.org"}, "client")["id"]
    (home / INBOX / ".incoming-20261206-0123456789ab").mkdir()  # a killed write: not a submission
    manifest = write_backup(home, tmp_path / "backup.tar.gz")
    inbox_entries = {name: entry for name, entry in manifest["files"].items() if name.startswith("inbox/")}
    assert set(inbox_entries) == {f"inbox/{submission}/submission.json", f"inbox/{submission}/contact.json",
                                  f"inbox/{submission}/files/good-people.csv"}
    assert all(entry["restricted"] for entry in inbox_entries.values())
    with tarfile.open(tmp_path / "backup.tar.gz") as archive:
        assert not [n for n in archive.getnames() if ".incoming-" in n or n.endswith(".lock")]

    restored = tmp_path / "restored"
    release = restore_backup(tmp_path / "backup.tar.gz", restored)
    assert not (release / INBOX).exists() and current_release(restored) == release
    assert Inbox(restored).ids() == [submission]
    assert Inbox(restored).contact(submission)["contact"] == "kim@example.org"
    assert Inbox(restored).files(submission)[0].read_bytes() == TABLE.content


def test_restore_keeps_a_submission_decided_since_the_backup(home, tmp_path):
    inbox = Inbox(home)
    submission = inbox.add([TABLE], {"cited_source": "a list"}, {"contact": ""}, "client")["id"]
    write_backup(home, tmp_path / "backup.tar.gz")
    inbox.decide(submission, "reject", "not in our scope", "Curator Park")
    restore_backup(tmp_path / "backup.tar.gz", home)
    assert inbox.record(submission)["status"] == "rejected"
