"""The inbox: submissions that conformed, kept until a curator decides on them (issue 17).

The inbox is files under the serving home, outside every release (a build never reads it, a release never
holds it), so that it survives rebuilds and restarts and goes into the backup:

    <home>/inbox/<id>/files/<name>      the files as submitted (record tables, or one link set)
    <home>/inbox/<id>/submission.json   what the status page and the curators see: when it came, its files,
                                        the source the contributor cited, the report's counts, the decisions
    <home>/inbox/<id>/contact.json      the contributor's contact details and client key: restricted, read
                                        only by curators' routes, never copied into data/, a page or a log
    <home>/inbox/.incoming-<id>/        a submission being written: never listed, removed by the next write
    <home>/inbox/.lock                  taken while a submission is added or decided, across processes

A submission is written whole into `.incoming-<id>`, every file synced, then renamed to `<id>` and the folder
synced: a server killed while writing leaves no half submission, and an answer is only sent once the rename
is on disk. Identifiers are random (the status link is the contributor's to share, not guessable).
"""

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from footprints_graph.errors import FootprintsError

INBOX = "inbox"
SUBMISSION, CONTACT, FILES = "submission.json", "contact.json", "files"
INCOMING = ".incoming-"
ID_PATTERN = re.compile(r"^[0-9]{8}-[0-9a-f]{12}$")
DECISIONS = {"accept": "accepted", "reject": "rejected", "ask-for-changes": "changes-requested"}
AWAITING = "awaiting-review"
RECORDS, LINK_SET = "records", "link-set"  # what a submission holds (submission.json's kind; records if none)


class InboxError(FootprintsError):
    """A submission that cannot be kept or decided; `status` is the HTTP status that says why."""

    def __init__(self, status: int, message: str, submission: str | None = None):
        super().__init__(message)
        self.status = status
        self.submission = submission  # the submission it is about, e.g. the one a duplicate repeats


@dataclass(frozen=True)
class Upload:
    """One submitted file: a safe name (no folder part) and its bytes."""

    name: str
    content: bytes


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def digest(uploads: list[Upload]) -> str:
    """The same files under the same names give the same digest, in any order: a repeated submission."""
    hashes = sorted(hashlib.sha256(u.name.encode() + b"\0" + u.content).hexdigest() for u in uploads)
    return hashlib.sha256("\n".join(hashes).encode()).hexdigest()


def client_key(address: str) -> str:
    """A client's address as a key that counts its pending submissions without keeping the address."""
    return hashlib.sha256(f"footprints-inbox\0{address}".encode()).hexdigest()[:16]


# ---------------------------------------------------------------- durable files


def write_durably(path: Path, content: bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, synced, renamed over it, folder synced."""
    temporary = path.with_name(f".{path.name}.partial")
    with temporary.open("wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _json_bytes(value: dict) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"


# ---------------------------------------------------------------- the inbox


class Inbox:
    """The submissions under `<home>/inbox`."""

    def __init__(self, home: Path, max_pending_per_client: int = 5):
        self.folder = home / INBOX
        self.max_pending_per_client = max_pending_per_client

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def add(self, uploads: list[Upload], details: dict, contact: dict, client: str) -> dict:
        """Keep a conforming submission; return its record (submission.json). Refuses a repeat of a pending or
        accepted submission (409) and a client with too many submissions awaiting review (429)."""
        record = {"id": _new_id(), "received": now(), "digest": digest(uploads), "status": AWAITING,
                  "files": sorted(u.name for u in uploads), "decisions": [], **details}
        with self.locked():
            self._remove_incomplete()
            self._refuse_repeat(record["digest"])
            self._refuse_flood(client)
            self._write(record, uploads, {**contact, "client": client})
        return record

    def _refuse_repeat(self, content_digest: str) -> None:
        for record in self.records():
            if record["digest"] == content_digest and record["status"] != "rejected":
                raise InboxError(409, f"These files were submitted already, as submission {record['id']} "
                                      f"({record['status']}); see its status instead of submitting again.",
                                 record["id"])

    def _refuse_flood(self, client: str) -> None:
        pending = [r for r in self.records()
                   if r["status"] == AWAITING and self.contact(r["id"]).get("client") == client]
        if len(pending) >= self.max_pending_per_client:
            raise InboxError(429, f"{len(pending)} submissions from you are awaiting review already; wait for a "
                                  "curator's decision before submitting more.")

    def _write(self, record: dict, uploads: list[Upload], contact: dict) -> None:
        incoming = self.folder / f"{INCOMING}{record['id']}"
        (incoming / FILES).mkdir(parents=True)
        for upload in uploads:
            write_durably(incoming / FILES / upload.name, upload.content)
        write_durably(incoming / CONTACT, _json_bytes(contact))
        write_durably(incoming / SUBMISSION, _json_bytes(record))
        os.rename(incoming, self.folder / record["id"])
        sync_folder(self.folder)

    def _remove_incomplete(self) -> None:
        """What a server killed while writing left behind (never answered, so never promised to anyone)."""
        for folder in self.folder.glob(f"{INCOMING}*"):
            shutil.rmtree(folder, ignore_errors=True)

    def ids(self) -> list[str]:
        return sorted(p.name for p in self.folder.glob("*") if ID_PATTERN.match(p.name) and p.is_dir())

    def records(self) -> list[dict]:
        return [self.record(i) for i in self.ids()]

    def record(self, submission: str) -> dict:
        return json.loads(self._path(submission, SUBMISSION).read_text(encoding="utf-8"))

    def contact(self, submission: str) -> dict:
        return json.loads(self._path(submission, CONTACT).read_text(encoding="utf-8"))

    def files(self, submission: str) -> list[Path]:
        return [self._path(submission, FILES) / name for name in self.record(submission)["files"]]

    def _path(self, submission: str, name: str) -> Path:
        if not ID_PATTERN.match(submission) or not (self.folder / submission).is_dir():
            raise InboxError(404, f"No submission {submission!r} in the inbox.")
        return self.folder / submission / name

    def decide(self, submission: str, decision: str, reason: str, curator: str,
               on_accept: Callable[[dict], None] | None = None) -> dict:
        """Record a curator's decision (kept with every earlier one); return the updated record. An acceptance
        runs `on_accept` (publishing the records) first, under the lock: if it fails, nothing is recorded."""
        if decision not in DECISIONS:
            raise InboxError(400, f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
        if decision != "accept" and not reason.strip():
            raise InboxError(400, f"a decision to {decision} needs a reason for the contributor")
        with self.locked():
            record = self.record(submission)
            _refuse_decided(record)
            record["decisions"].append({"decision": DECISIONS[decision], "reason": reason.strip(),
                                        "curator": curator, "at": now()})
            record["status"] = DECISIONS[decision]
            if decision == "accept" and on_accept is not None:
                on_accept(record)
            write_durably(self._path(submission, SUBMISSION), _json_bytes(record))
        return record


def _refuse_decided(record: dict) -> None:
    if record["status"] in ("accepted", "rejected"):
        last = record["decisions"][-1]
        raise InboxError(409, f"Submission {record['id']} was {record['status']} already, on {last['at']}.")


def _new_id() -> str:
    return f"{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(6)}"


def public_status(record: dict) -> dict:
    """What the contributor's status page shows: the state and the last decision's reason, nothing else."""
    last = record["decisions"][-1] if record["decisions"] else None
    return {"id": record["id"], "received": record["received"], "status": record["status"],
            "reason": last["reason"] if last else None, "decided": last["at"] if last else None}
