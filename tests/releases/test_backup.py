"""Issue 6, nothing lost: `footprints-graph backup` and `restore` round-trip the whole dataset — named graphs,
provenance, restricted records (flagged), the validation reports and the summary — and a restore swaps its
release in atomically; a damaged or hostile archive changes nothing."""

import hashlib
import io
import json
import stat
import tarfile

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from footprints_graph.cli import main
from footprints_graph.releases.serving import current_release
from footprints_graph.store.embedded import open_store
from support.security import RESTRICTED_KEY

PERSON = f"https://w3id.org/footprints-graph/id/person/{RESTRICTED_KEY}"


@pytest.fixture(scope="module")
def source(restricted_home):
    return restricted_home


@pytest.fixture(scope="module")
def backup(source, tmp_path_factory):
    file = tmp_path_factory.mktemp("backup") / "footprints.tar.gz"
    assert main(["backup", str(file), "--home", str(source)]) == 0
    return file


def _dataset(quads) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)  # blank nodes compared by structure
    return set(dataset)


def _store_dataset(path) -> set[ox.Quad]:
    return _dataset(open_store(path).quads_for_pattern(None, None, None, None))


def test_a_backup_is_private_and_flags_its_restricted_files(backup):
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with tarfile.open(backup) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        names = set(archive.getnames())
    assert {name for name, entry in manifest["files"].items() if entry["restricted"]} == \
           {"restricted/restricted.nq", "restricted/validation.ttl", "restricted/validation.json"}
    assert not any(name.startswith(("store/", "restricted/store/")) for name in names)


def test_restore_round_trips_the_whole_dataset(source, backup, tmp_path):
    home = tmp_path / "restored"
    assert main(["restore", str(backup), "--home", str(home)]) == 0
    original, restored = current_release(source), current_release(home)
    assert restored.name == original.name
    assert _store_dataset(restored / "store") == _store_dataset(original / "store")
    assert _store_dataset(restored / "restricted" / "store") == _store_dataset(original / "restricted" / "store")
    assert open_store(restored / "restricted" / "store").query(f"ASK {{ GRAPH ?g {{ <{PERSON}> ?p ?o }} }}")
    for name in ("summary.json", "release.json", "validation.json", "restricted/restricted.nq", "dumps/footprints.nq"):
        assert (restored / name).read_bytes() == (original / name).read_bytes(), name
    for name in ("validation.ttl", "restricted/validation.ttl"):
        assert isomorphic(Graph().parse(restored / name), Graph().parse(original / name)), name


def test_restoring_over_a_home_swaps_in_a_new_release_and_keeps_the_old(source, backup, tmp_path):
    home = tmp_path / "home"
    assert main(["restore", str(backup), "--home", str(home)]) == 0
    first = current_release(home)
    assert main(["restore", str(backup), "--home", str(home)]) == 0
    assert current_release(home).name == f"{first.name}-restored-1" and first.is_dir()
    assert _store_dataset(current_release(home) / "store") == _store_dataset(first / "store")


def _rewritten(backup, target, change) -> None:
    """A copy of `backup` whose members pass through `change(info, data) -> [(info, data), …]`."""
    with tarfile.open(backup) as original, tarfile.open(target, "w:gz") as copy:
        for member in original:
            data = original.extractfile(member).read() if member.isreg() else b""
            for info, content in change(member, data):
                copy.addfile(info, io.BytesIO(content) if info.isreg() else None)


def _flip_a_byte(info, data):
    if info.name == "dumps/footprints.nq":
        data = data.replace(b"Kim", b"Lim", 1)
    return [(info, data)]


def _add_member(name: str, kind=tarfile.REGTYPE, link: str = ""):
    def change(info, data):
        extra = tarfile.TarInfo(name)
        extra.type, extra.linkname, extra.size = kind, link, 4 if kind == tarfile.REGTYPE else 0
        return [(info, data), (extra, b"evil")] if info.name == "summary.json" else [(info, data)]
    return change


def _manifest_naming(name: str):
    def change(info, data):
        if info.name != "manifest.json":
            return [(info, data)]
        manifest = json.loads(data)
        manifest["files"][name] = {"bytes": 4, "sha256": "0" * 64, "restricted": False}
        data = json.dumps(manifest).encode()
        info.size = len(data)
        return [(info, data)]
    return change


def _announcing(name: str, size: int):
    """The manifest says `name` has `size` bytes (a gzip bomb would hold them, in an archive a thousandth of it)."""
    def change(info, data):
        if info.name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"][name]["bytes"] = size
            data = json.dumps(manifest).encode()
            info.size = len(data)
        return [(info, data)]
    return change


def _without(name: str):
    return lambda info, data: [] if info.name == name else [(info, data)]


DAMAGES = {
    "a changed byte": _flip_a_byte,
    "a path out of the release": _manifest_naming("../../escaped"),
    "an absolute path": _manifest_naming("/tmp/escaped"),
    "a member the manifest does not list": _add_member("extra.txt"),
    "a symbolic link": _add_member("dumps/link", tarfile.SYMTYPE, "/etc/passwd"),
    "a missing file": _without("restricted/restricted.nq"),
    "no manifest": _without("manifest.json"),
    # issue 13: a name both a file and the folder of another ended in a traceback
    "a size the archive could not hold": _announcing("dumps/footprints.nq", 10**9),  # issue 13: written up to it
    "a file that is also a folder": lambda info, data: [
        out for i, d in _manifest_naming("restricted")(info, data) for out in _add_member("restricted")(i, d)],
}


@pytest.fixture(scope="module")
def restored(backup, tmp_path_factory):
    """A home restored from the backup, which the damaged backups below must leave as it is."""
    home = tmp_path_factory.mktemp("restored") / "home"
    assert main(["restore", str(backup), "--home", str(home)]) == 0
    return home


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_or_hostile_backup_changes_nothing(backup, restored, tmp_path, capsys, damage):
    home, before = restored, current_release(restored)
    damaged = tmp_path / "damaged.tar.gz"
    _rewritten(backup, damaged, DAMAGES[damage])
    assert main(["restore", str(damaged), "--home", str(home)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error:") and damaged.name in error, error
    assert current_release(home) == before
    assert sorted(p.name for p in (home / "releases").iterdir()) == [before.name]  # no leftovers
    assert not (tmp_path / "escaped").exists() and not (home.parent / "escaped").exists()


@pytest.mark.parametrize("content", [b"", b"not an archive at all", b"\x1f\x8b\x08\x00truncated gzip"])
def test_a_file_that_is_not_a_backup_is_refused(tmp_path, capsys, content):
    file = tmp_path / "x.tar.gz"
    file.write_bytes(content)
    assert main(["restore", str(file), "--home", str(tmp_path / "home")]) == 2
    assert "not a footprints-graph backup" in capsys.readouterr().err


def test_a_truncated_backup_is_refused(backup, tmp_path, capsys):
    file = tmp_path / "cut.tar.gz"
    file.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    assert main(["restore", str(file), "--home", str(tmp_path / "home")]) == 2
    assert not (tmp_path / "home" / "current").exists()


def test_backing_up_nothing_says_what_to_do(tmp_path, capsys):
    assert main(["backup", str(tmp_path / "b.tar.gz"), "--home", str(tmp_path)]) == 2
    assert "footprints-graph build" in capsys.readouterr().err and not (tmp_path / "b.tar.gz").exists()


def _members(backup) -> dict[str, bytes]:
    with tarfile.open(backup) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive if m.isreg()}


def _public_dump_plus(backup, extra: bytes):
    """A change that appends `extra` to the public dump and makes the manifest agree (size and checksum), as a
    backup edited by hand, or written by a faulty build, would be."""
    dump = _members(backup)["dumps/footprints.nq"] + extra

    def change(info, data):
        if info.name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["dumps/footprints.nq"].update(bytes=len(dump), sha256=hashlib.sha256(dump).hexdigest())
            data = json.dumps(manifest).encode()
        elif info.name == "dumps/footprints.nq":
            data = dump
        info.size = len(data)
        return [(info, data)]
    return change


def test_a_backup_whose_public_dump_holds_restricted_records_is_refused(backup, restored, tmp_path, capsys):
    """Issue 13, point 5: restore rebuilt the public store from such a dump, and served the restricted records."""
    before = current_release(restored)
    leaking = tmp_path / "leaking.tar.gz"
    _rewritten(backup, leaking, _public_dump_plus(backup, _members(backup)["restricted/restricted.nq"]))
    assert main(["restore", str(leaking), "--home", str(restored)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error:") and "holds restricted records" in error and RESTRICTED_KEY not in error
    assert current_release(restored) == before


def test_restored_permissions_are_a_builds(source, restored):
    """Issue 13, point 5: restricted/ came back 0755."""
    built, back = current_release(source), current_release(restored)
    for name in ("restricted", "restricted/restricted.nq", "restricted/validation.json"):
        assert stat.S_IMODE((back / name).stat().st_mode) == stat.S_IMODE((built / name).stat().st_mode), name
    assert stat.S_IMODE((back / "restricted").stat().st_mode) == 0o700


def test_a_backup_announcing_more_than_it_could_hold_is_refused_before_writing(backup, tmp_path, capsys):
    """Issue 13, point 5: the limit was the manifest's own word (1 GB written from a 1.1 MB archive)."""
    bomb = tmp_path / "bomb.tar.gz"
    _rewritten(backup, bomb, _announcing("dumps/footprints.nq", 10**9))
    home = tmp_path / "home"
    assert main(["restore", str(bomb), "--home", str(home)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error:") and "it announces 100" in error and "50 times" in error
    assert not any(p.is_file() for p in (home / "releases").rglob("*"))


def test_a_backup_whose_records_break_the_shapes_is_refused(backup, restored, tmp_path, capsys):
    """Issue 13, point 5: restore re-runs the build's checks; a victim with nothing but a type breaks VictimShape."""
    victim = (b"<https://w3id.org/footprints-graph/id/person/nobody> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
              b"<https://w3id.org/footprints-graph/ontology#Victim> <https://w3id.org/footprints-graph/id/graph/people> .\n")
    edited = tmp_path / "edited.tar.gz"
    before = current_release(restored)
    _rewritten(backup, edited, _public_dump_plus(backup, victim))
    assert main(["restore", str(edited), "--home", str(restored)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error:") and "break" in error and "nobody" not in error
    assert current_release(restored) == before
