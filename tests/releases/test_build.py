"""The build: deterministic, atomic, and loud about bad records (file, line, record, field)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from footprints_graph.cli import main
from footprints_graph.errors import BuildError, RecordError
from footprints_graph.iris import SYNTHETIC_BASE
from footprints_graph.releases import build as build_module
from footprints_graph.releases.build import build
from footprints_graph.releases.serving import current_release
from footprints_graph.store.embedded import DUMP_FORMATS, open_store
from support import ROOT


def _dumps(release: Path) -> dict[str, bytes]:
    return {name: (release / "dumps" / name).read_bytes() for name in DUMP_FORMATS}


def test_two_builds_write_byte_identical_dumps(tmp_path):
    first = build(ROOT / "data", tmp_path / "one")
    second = build(ROOT / "data", tmp_path / "two")
    assert first.build_id == second.build_id
    assert _dumps(first.release) == _dumps(second.release)


def test_nquads_dump_is_sorted(tmp_path):
    lines = (build(ROOT / "data", tmp_path).release / "dumps" / "footprints.nq").read_text().splitlines()
    assert lines == sorted(lines) and len(lines) > 1000


def _replace_cell(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("file,old,new,expected", [
    ("figures.csv", "pow-not-repatriated,pow-figures,prisoner-of-war,not-repatriated,,,,50000",
     "pow-not-repatriated,pow-figures,prisoner-of-war,not-repatriated,,,,50k",
     "figures.csv:2, record 'pow-not-repatriated', field 'count': '50k' is not a non-negative whole number"),
    ("events.csv", "2013-10,,stated", "2013-13,,stated", "field 'start_date': '2013-13' has no month 13"),
    ("people.csv", "ahn-ho-cheol,Ahn Ho-Cheol,,wartime-abductee", "ahn-ho-cheol,Ahn Ho-Cheol,,wartime-abductees",
     "'wartime-abductees' is not in the victim-categories vocabulary"),
    ("statuses.csv", "kim-jung-wook-detained-2024-03-27,kim-jung-wook", "kim-jung-wook-detained-2024-03-27,kim-jung-uk",
     "no person with key 'kim-jung-uk'"),
    ("documents.csv", "footprints-database,FOOTPRINTS", "Footprints Database,FOOTPRINTS", "is not a stable key"),
    ("findings.csv", "key,about,statement,source", "key,about,statement,source,colour", "unknown column(s) colour"),
])
def test_a_bad_record_names_file_line_record_field_and_changes_nothing(tmp_path, data, file, old, new, expected):
    home = tmp_path / "home"
    before = build(data, home).release
    _replace_cell(data / file, old, new)
    with pytest.raises(RecordError) as error:
        build(data, home)
    assert expected in str(error.value)
    assert file in str(error.value)
    assert current_release(home) == before
    assert open_store(before / "store").query("ASK { GRAPH ?g { ?s ?p ?o } }")


def test_the_cli_reports_a_bad_record_and_exits_2(tmp_path, data, capsys):
    _replace_cell(data / "figures.csv", ",12679,", ",12.679,")
    assert main(["build", "--data", str(data), "--home", str(tmp_path / "home")]) == 2
    assert "figures.csv:" in capsys.readouterr().err


def test_a_build_that_fails_while_writing_leaves_the_previous_release_serving(tmp_path, data, monkeypatch):
    home = tmp_path / "home"
    before = build(data, home).release
    _replace_cell(data / "people.csv", "Choi Wonmo", "Choi Won-mo")  # a real change: a new build id

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(build_module, "_dumps_apart", fail)
    with pytest.raises(BuildError, match="current release is unchanged"):
        build(data, home)
    assert current_release(home) == before
    assert [p.name for p in (home / "releases").iterdir()] == [before.name]


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError], ids=["ctrl-c", "a bug"])
def test_ctrl_c_or_a_bug_while_writing_stays_itself_and_leaves_no_folder(tmp_path, data, monkeypatch, interruption):
    """Not a BuildError (the command's exit 2, "unusable input"): the build stops with what stopped it, and the
    half-written folder is removed all the same."""
    home = tmp_path / "home"
    before = build(data, home).release
    _replace_cell(data / "people.csv", "Choi Wonmo", "Choi Won-mo")

    def stop(*_args, **_kwargs):
        raise interruption("stopped while writing the dumps")

    monkeypatch.setattr(build_module, "_dumps_apart", stop)
    with pytest.raises(interruption, match="stopped while writing the dumps"):
        build(data, home)
    assert current_release(home) == before
    assert [p.name for p in (home / "releases").iterdir()] == [before.name]


def test_restricted_records_and_their_events_stay_out_of_the_public_store_and_dumps(tmp_path, data):
    _replace_cell(data / "people.csv", "ko-hyun-chul,Ko Hyun-chul,,detainee,,mou-detainees-2024-03-27,false",
                  "ko-hyun-chul,Ko Hyun-chul,,detainee,,mou-detainees-2024-03-27,true")
    result = build(data, tmp_path / "home")
    assert result.summary["restricted_records"] == 3  # the person, the detention, the status
    public = b"".join(_dumps(result.release).values())
    assert b"ko-hyun-chul" not in public and b"Ko Hyun-chul" not in public
    assert not open_store(result.release / "store").query(
        "ASK { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?s), 'ko-hyun-chul') || CONTAINS(STR(?o), 'ko-hyun-chul')) } }")
    assert b"ko-hyun-chul" in (result.release / "restricted" / "restricted.nq").read_bytes()


def test_the_summary_counts_records_and_triples_per_graph(tmp_path):
    summary = build(ROOT / "data", tmp_path).summary
    people = summary["graphs"]["https://w3id.org/footprints-graph/id/graph/people"]
    assert people["records"] == 13  # 14 rows: Kim Jung-wook is listed by two sources
    assert summary["triples"] == sum(g["triples"] for g in summary["graphs"].values())


def test_the_summary_counts_each_graphs_lines_in_the_dump_and_the_id_hashes_what_was_written(synthetic_release):
    """The counts are made from the records, less the copies the sort left out (synthetic victims have some: a
    person listed twice in one category), and the id from the dump's blocks: both must agree with the files."""
    records = build_module.convert_tables(synthetic_release.parents[2] / "data", SYNTHETIC_BASE)
    _, copies = build_module._sorted_lines(build_module.nquads_lines(build_module._quads(records, False)))
    assert copies
    dump = (synthetic_release / "dumps" / "footprints.nq").read_bytes()
    by_graph = Counter(line.rsplit(b" ", 2)[1][1:-1].decode() for line in dump.splitlines())
    summary = json.loads((synthetic_release / "summary.json").read_text(encoding="utf-8"))
    assert {g: n["triples"] for g, n in summary["graphs"].items()} == by_graph
    restricted = (synthetic_release / "restricted" / "restricted.nq").read_bytes()
    assert build_module.release_id([dump], [restricted]) == synthetic_release.name


def test_sorted_lines_keeps_each_line_once_and_gives_the_copies():
    lines, copies = build_module._sorted_lines(iter([b"c\n", b"a\n", b"c\n", b"b\n", b"c\n"]))
    assert lines == [b"a\n", b"b\n", b"c\n"] and copies == [b"c\n", b"c\n"]


def test_synthetic_records_are_refused_outside_the_synthetic_namespace(tmp_path):
    from footprints_graph.iris import SYNTHETIC_BASE

    synthetic = tmp_path / "synthetic"
    assert main(["synth", "--victims", "20", "--seed", "3", "--out", str(synthetic)]) == 0
    with pytest.raises(BuildError, match="synthetic records"):
        build(synthetic, tmp_path / "home")
    assert current_release(tmp_path / "home") is None
    assert build(synthetic, tmp_path / "home", base=SYNTHETIC_BASE).summary["records"] > 20
