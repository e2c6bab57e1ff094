"""Issue 13, point 7: a release is on disk before it has its name, and one build or restore at a time writes into
a home. A release renamed into place and then lost to a power cut would keep its name with files short of their
bytes, and a build of the same records finds it in place and never writes it again; two builds at once removed
each other's unfinished folders and raced for `current`."""

import os

import pytest

from footprints_graph.cli import main
from footprints_graph.releases import build as build_module
from footprints_graph.releases.build import build, current_release
from footprints_graph.releases.serving import HomeBusy, writing_releases


def test_every_file_of_a_release_is_synced_before_the_rename(data, tmp_path, monkeypatch):
    events: list[tuple[str, str]] = []
    real_fsync, real_rename = os.fsync, os.rename

    def fsync(descriptor: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{descriptor}")))
        real_fsync(descriptor)

    def rename(source, target) -> None:
        events.append(("rename", str(source)))
        real_rename(source, target)

    monkeypatch.setattr(build_module.os, "rename", rename)
    monkeypatch.setattr(os, "fsync", fsync)
    home = tmp_path / "home"
    result = build(data, home)
    renamed = next(i for i, (kind, path) in enumerate(events) if kind == "rename" and ".incomplete-" in path)
    work = events[renamed][1]
    synced = {path for kind, path in events[:renamed] if kind == "fsync"}
    files = {str(p.relative_to(result.release)) for p in result.release.rglob("*") if p.is_file()}
    written_before = {f for f in files if f != "release.json"}  # the description is written after, renamed whole
    assert {os.path.join(work, f) for f in written_before} <= synced
    assert str(home / "releases") in {path for kind, path in events[renamed:] if kind == "fsync"}


def test_a_second_build_on_the_same_home_is_refused_and_changes_nothing(data, tmp_path, capsys):
    home = tmp_path / "home"
    first = build(data, home)
    with writing_releases(home):  # a build or a restore is writing into the home
        with pytest.raises(HomeBusy):
            build(data, home)
        assert main(["build", "--data", str(data), "--home", str(home)]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("error: another build or restore")
    assert current_release(home) == first.release
    assert not list((home / "releases").glob(".incomplete-*"))


def test_a_restore_waits_for_no_build_either(data, tmp_path, capsys):
    home = tmp_path / "home"
    build(data, home)
    archive = tmp_path / "backup.tar.gz"
    assert main(["backup", str(archive), "--home", str(home)]) == 0
    with writing_releases(home):
        assert main(["restore", str(archive), "--home", str(home)]) == 2
    assert "another build or restore" in capsys.readouterr().err
    assert main(["restore", str(archive), "--home", str(home)]) == 0
