"""Backup and restore of the whole dataset.

`footprints-graph backup FILE` writes the current release into one archive; `footprints-graph restore FILE`
makes a new release of an archive and swaps it in atomically, as a build does (build.py), so a restore that
fails or is killed leaves the serving release as it was.

A backup is a gzipped tar of the release folder without its Oxigraph stores, which restore rebuilds from the
N-Quads (they are large, and tied to the Oxigraph version):

    manifest.json              the format and its version, the build id, when, and each file's size, SHA-256
                               and whether it is restricted
    summary.json, release.json, validation.ttl, validation.json
    dumps/footprints.nq, …     the public dataset: named graphs, provenance
    restricted/restricted.nq   the restricted records, and restricted/validation.* — flagged in the manifest
    inbox/<id>/…               the submissions awaiting or past review (inbox.py), contributors' contacts
                               included: flagged restricted; restore puts back those the home lacks

A backup holds restricted records: it is written readable by its owner only, and must never be published.
"""

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pyoxigraph as ox

from footprints_graph.errors import FootprintsError
from footprints_graph.iris import ONTOLOGY_GRAPH
from footprints_graph.releases.build import prune
from footprints_graph.releases.inbox import ID_PATTERN, INBOX, Inbox, sync_folder
from footprints_graph.releases.serving import current_release, make_current, sync_tree, writing_releases
from footprints_graph.store.embedded import write_store
from footprints_graph.terms import rdflib_graph
from footprints_graph.validate import validate_graph

FORMAT, VERSION = "footprints-graph backup", 1
MANIFEST = "manifest.json"
STORES = ("store", "restricted/store")  # rebuilt on restore, never archived
REQUIRED = ("summary.json", "dumps/footprints.nq", "restricted/restricted.nq")
RESTRICTED = "restricted/"
INBOX_FILES = f"{INBOX}/"
SAFE_NAME = re.compile(r"(?!\.)[A-Za-z0-9_.-]+(/(?!\.)[A-Za-z0-9_.-]+)*")  # no '..', no absolute or hidden paths
CHUNK = 1 << 20
# How much larger than itself an archive may unpack. Ours are gzipped N-Quads and JSON, about 10 times smaller
# than what they hold; a gzip bomb is 1,000 times (1 GB of zeros in 1 MB). The archive's manifest says how much it
# holds, but it is the archive's word: this limit, and the free disk space, are ours.
MAX_EXPANSION = 50


class BackupError(FootprintsError):
    """A backup that cannot be written or restored; says which file and what is wrong."""


# ----------------------------------------------------------------------------- backup


def write_backup(home: Path, target: Path) -> dict:
    """Write the current release under `home` to the archive `target`; return its manifest."""
    release = current_release(home)
    if release is None:
        raise BackupError(f"no release under {home}: nothing to back up; run `footprints-graph build` first")
    files = {name: release / name for name in _release_files(release)} | _inbox_files(home)
    manifest = {"format": FORMAT, "version": VERSION, "build_id": release.name,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "files": {name: _file_entry(path, name) for name, path in files.items()}}
    partial = target.with_name(f".{target.name}.partial")
    with _private_file(partial) as output, tarfile.open(fileobj=output, mode="w:gz") as archive:
        _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
        for name, path in files.items():
            archive.add(path, arcname=name, recursive=False)
    os.replace(partial, target)  # a backup file is whole or absent
    return manifest


def _release_files(release: Path) -> list[str]:
    names = [p.relative_to(release).as_posix() for p in sorted(release.rglob("*")) if p.is_file()]
    return [n for n in names if not _in_a_store(n)]


def _inbox_files(home: Path) -> dict[str, Path]:
    """The files of every whole submission (never one being written, nor a lock), by their name in the archive."""
    inbox = Inbox(home)
    paths = [p for submission in inbox.ids() for p in sorted((inbox.folder / submission).rglob("*"))]
    return {p.relative_to(home).as_posix(): p for p in paths if p.is_file() and not p.name.startswith(".")}


def _in_a_store(name: str) -> bool:
    return any(name.startswith(store + "/") for store in STORES)


def _file_entry(path: Path, name: str) -> dict:
    restricted = name.startswith((RESTRICTED, INBOX_FILES))
    return {"bytes": path.stat().st_size, "sha256": _sha256(path), "restricted": restricted}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _private_file(path: Path) -> io.BufferedWriter:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # restricted records inside
    return os.fdopen(descriptor, "wb")


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


# ----------------------------------------------------------------------------- restore


def restore_backup(source: Path, home: Path) -> Path:
    """Make a new release of the backup `source` under `home` and make it current; return the release."""
    try:
        archive = tarfile.open(source, mode="r:*")
    except (OSError, tarfile.TarError, EOFError) as error:
        raise BackupError(f"{source}: not a footprints-graph backup: {error}") from None
    with archive, writing_releases(home):  # one build or restore at a time per home
        manifest = _manifest(archive, source)
        releases = home / "releases"
        work = releases / f".incomplete-restore-{manifest['build_id']}-{os.getpid()}"
        try:
            _refuse_too_large(manifest, source, releases)
            _unpack(archive, manifest, work, source)
            _refuse_restricted_in_public(work, source)
            _refuse_invalid(work, source)
            _restore_inbox(work / INBOX, home)
            _rebuild_stores(work)
            release = _free_name(releases, manifest["build_id"])
            sync_tree(work)  # on disk before it has its name, as a build's
            os.rename(work, release)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        make_current(home, release)
        prune(home, release)
    return release


def _manifest(archive: tarfile.TarFile, source: Path) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read(CHUNK * 16))
    except (KeyError, AttributeError, ValueError, tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{source}: no readable {MANIFEST}: {error}") from None
    if not isinstance(manifest, dict) or (manifest.get("format"), manifest.get("version")) != (FORMAT, VERSION):
        raise BackupError(f"{source}: not a {FORMAT} of version {VERSION}")
    _check_names(manifest, source)
    return manifest


def _check_names(manifest: dict, source: Path) -> None:
    files, build_id = manifest.get("files"), manifest.get("build_id")
    if not isinstance(build_id, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", build_id) or not isinstance(files, dict):
        raise BackupError(f"{source}: the manifest has no valid build_id and files")
    for name, entry in files.items():
        if not SAFE_NAME.fullmatch(name) or _in_a_store(name) or not isinstance(entry, dict) \
                or not isinstance(entry.get("sha256"), str) or not isinstance(entry.get("bytes"), int):
            raise BackupError(f"{source}: refusing the manifest's entry {name!r}")
    folders = {str(parent) for name in files for parent in PurePosixPath(name).parents}
    if clash := sorted(folders & set(files)):
        raise BackupError(f"{source}: the manifest lists {clash[0]!r} as a file and as a folder of others")
    missing = [name for name in REQUIRED if name not in files]
    if missing:
        raise BackupError(f"{source}: the backup lacks {', '.join(missing)}")


def _unpack(archive: tarfile.TarFile, manifest: dict, work: Path, source: Path) -> None:
    """Copy each file the manifest lists into `work`, checking its size and checksum; nothing else is read."""
    work.mkdir(parents=True)
    (work / RESTRICTED).mkdir(mode=0o700)  # as a build makes it, before anything is written into it
    expected = manifest["files"]
    found = set()
    for member in archive:
        if member.name == MANIFEST:
            continue
        if member.name not in expected or not member.isreg() or member.name in found:
            raise BackupError(f"{source}: unexpected archive member {member.name!r}")
        _copy_checked(archive, member, work / member.name, expected[member.name], source)
        found.add(member.name)
    if found != set(expected):
        raise BackupError(f"{source}: files missing from the archive: {', '.join(sorted(set(expected) - found))}")


def _copy_checked(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path, entry: dict, source: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with archive.extractfile(member) as data, target.open("wb") as output:
        while (chunk := data.read(CHUNK)) and size <= entry["bytes"]:  # no more than the manifest announced
            digest.update(chunk)
            size += len(chunk)
            output.write(chunk)
    if digest.hexdigest() != entry["sha256"] or size != entry["bytes"]:
        raise BackupError(f"{source}: {member.name} does not match its checksum in the manifest: the backup is damaged")


def _refuse_too_large(manifest: dict, source: Path, releases: Path) -> None:
    """Refuse, before writing anything, an archive announcing more than MAX_EXPANSION times its own size or more
    than the disk has free."""
    announced = sum(entry["bytes"] for entry in manifest["files"].values())
    limit = source.stat().st_size * MAX_EXPANSION
    releases.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(releases).free
    if announced > min(limit, free):
        raise BackupError(f"{source}: it announces {announced} bytes, more than this restore writes from an archive "
                          f"of its size ({limit}, {MAX_EXPANSION} times) or than the disk has free ({free})")


def _refuse_restricted_in_public(release: Path, source: Path) -> None:
    """A backup whose public dump names a restricted record would publish it on restore (the public store is
    rebuilt from that dump): refuse it, naming no record."""
    restricted = {quad.subject for quad in ox.parse(path=str(release / RESTRICTED / "restricted.nq"),
                                                    format=ox.RdfFormat.N_QUADS) if isinstance(quad.subject, ox.NamedNode)}
    public = ox.parse(path=str(release / "dumps" / "footprints.nq"), format=ox.RdfFormat.N_QUADS)
    if restricted and any(quad.subject in restricted or quad.object in restricted for quad in public):
        raise BackupError(f"{source}: its public dump holds restricted records; it is not restored, since the "
                          "public store would serve them. Restore a backup written by `footprints-graph backup`.")


def _refuse_invalid(release: Path, source: Path) -> None:
    """The build's checks again, on what the backup holds (it may have been edited since it was written): every
    shape on every record, and the privacy rule on the public ones. The message names the shape, never a record
    (it may be a restricted one)."""
    public = _records_graph(release / "dumps" / "footprints.nq")
    everything = public + _records_graph(release / RESTRICTED / "restricted.nq")
    for graph, is_public in ((everything, False), (public, True)):
        violations = validate_graph(graph, public=is_public).violations
        if violations:
            raise BackupError(f"{source}: its records break {len(violations)} rule(s) of the shapes, the first "
                              f"{violations[0].source_shape}; it is not restored")


def _records_graph(nquads: Path):
    """The records of an N-Quads file as one rdflib graph (the ontology's own graph left out, as the build
    validates records only)."""
    quads = ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    return rdflib_graph(q.triple for q in quads if q.graph_name != ox.NamedNode(str(ONTOLOGY_GRAPH)))


def _restore_inbox(unpacked: Path, home: Path) -> None:
    """Move the backup's submissions into the home's inbox, each whole, leaving those it holds already (they
    may have been decided since the backup)."""
    if not unpacked.is_dir():
        return
    inbox = Inbox(home)
    with inbox.locked():
        for submission in sorted(p for p in unpacked.iterdir() if ID_PATTERN.match(p.name)):
            if not (inbox.folder / submission.name).exists():
                os.rename(submission, inbox.folder / submission.name)
        sync_folder(inbox.folder)
    shutil.rmtree(unpacked)


def _rebuild_stores(release: Path) -> None:
    public = (release / "dumps" / "footprints.nq").read_bytes()
    restricted = (release / "restricted" / "restricted.nq").read_bytes()
    write_store(release / "store", public)
    write_store(release / "restricted" / "store", public + restricted)  # N-Quads files join by concatenation


def _free_name(releases: Path, build_id: str) -> Path:
    """releases/<build id>, or <build id>-restored-<n> if a release of that id is there already (perhaps the
    damaged one being replaced: it is left alone)."""
    candidates = [build_id, *(f"{build_id}-restored-{n}" for n in range(1, 1000))]
    return next(releases / name for name in candidates if not (releases / name).exists())
