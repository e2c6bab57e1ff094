"""Issue 13, point 4: nothing a curator writes is lost. A rebuild in which only a restricted record changed kept
the old release, because the build id hashed the public records only: the curators' store, and every backup
after it, never got the change. Now the id covers both, so the edit reaches the curators' store, the backup and
the restore, while the public dataset stays byte for byte what it was."""

import json
import shutil

import pytest

from footprints_graph.cli import main
from footprints_graph.releases.build import build
from footprints_graph.releases.serving import current_release
from footprints_graph.store.embedded import open_store
from support.security import RESTRICTED_KEY, RESTRICTED_NAME, restricted_data

PERSON = f"https://w3id.org/footprints-graph/id/person/{RESTRICTED_KEY}"
RENAMED = "Ham Jin-u"


def _rename_restricted_person(data) -> None:
    people = data / "people.csv"
    text = people.read_text(encoding="utf-8")
    row = f"{RESTRICTED_KEY},{RESTRICTED_NAME},"
    assert text.count(row) == 1, "the fixture names the restricted person once"
    people.write_text(text.replace(row, f"{RESTRICTED_KEY},{RENAMED},"), encoding="utf-8")


def _curators_names(release) -> set[str]:
    store = open_store(release / "restricted" / "store")
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    rows = store.query(f"SELECT ?name WHERE {{ GRAPH ?g {{ <{PERSON}> {label} ?name }} }}")
    return {row["name"].value for row in rows}


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """A home built from the restricted data, then rebuilt after a curator renamed the restricted person only."""
    folder = tmp_path_factory.mktemp("edit")
    data, home = restricted_data(folder / "data"), folder / "home"
    first = build(data, home)
    _rename_restricted_person(data)
    second = build(data, home)
    return first, second, home


def test_an_edit_of_a_restricted_record_alone_makes_a_new_release(edited):
    first, second, home = edited
    assert second.build_id != first.build_id
    assert current_release(home) == second.release
    public = ("dumps/footprints.nq", "dumps/footprints.ttl")
    assert all((second.release / f).read_bytes() == (first.release / f).read_bytes() for f in public)


def test_the_edit_reaches_the_curators_store(edited):
    first, second, _ = edited
    assert RESTRICTED_NAME in _curators_names(first.release)
    assert _curators_names(second.release) == {RENAMED}
    assert RENAMED in (second.release / "restricted" / "restricted.nq").read_text(encoding="utf-8")


def test_the_edit_reaches_the_backup_and_the_restore(edited, tmp_path):
    _, second, home = edited
    archive, restored = tmp_path / "backup.tar.gz", tmp_path / "restored"
    assert main(["backup", str(archive), "--home", str(home)]) == 0
    assert main(["restore", str(archive), "--home", str(restored)]) == 0
    assert current_release(restored).name == second.build_id
    assert _curators_names(current_release(restored)) == {RENAMED}


def test_the_same_records_keep_their_release(edited, tmp_path):
    """The id still depends on the records only: building them again finds the release in place."""
    _, second, home = edited
    copy = tmp_path / "home"
    shutil.copytree(home, copy, symlinks=True)
    data = second.release.parent.parent.parent / "data"
    assert build(data, copy).build_id == second.build_id


def test_a_person_restricted_since_the_last_release_is_not_named_in_its_description(data, tmp_path):
    """Issue 13, point 5: release.json listed a newly restricted person under "removed"."""
    home = tmp_path / "home"
    build(data, home)
    people = data / "people.csv"
    rows = people.read_text(encoding="utf-8").splitlines(keepends=True)
    people.write_text("".join(r.replace(",false,", ",true,", 1) if r.startswith(f"{RESTRICTED_KEY},") else r
                              for r in rows), encoding="utf-8")
    restricted = build(data, home)
    description = (restricted.release / "release.json").read_text(encoding="utf-8")
    assert RESTRICTED_KEY not in description
    assert json.loads(description)["changes"]["totals"]["removed"] == 0
