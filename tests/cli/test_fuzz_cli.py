"""Issue 6, bad input to the command line: any cell in a record table, any submission file, any query text and
any would-be backup end in a clean exit (0, 1 invalid, 2 unusable, with a message) — never a traceback — and
a build that stops writes nothing: the release serving before is still current, with no leftovers.
Property-based (hypothesis), each test bounded in examples (not in time: that would depend on the machine)."""

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footprints_graph.cli import main
from footprints_graph.releases.serving import current_release

BOUNDED = settings(max_examples=60, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# One detainee, their detention, status and source: rows cut from data/ (kim-kook-kie), the smallest set of
# tables that builds; the document's publisher is left out so that no organisations table is needed.
MINIMAL = {
    "documents.csv": [["key", "label", "title", "title_ko", "document_type", "publisher", "issued", "un_symbol", "url",
                       "retrieved", "source", "note"],
                      ["mou-detainees-2024-03-27", "Ministry of Unification, 27 March 2024", "", "", "press-release",
                       "", "2024-03-27", "", "https://example.org/mou", "", "mou-detainees-2024-03-27", ""]],
    "people.csv": [["person", "name", "alt_names", "category", "credited_to", "source", "restricted", "note"],
                   ["kim-kook-kie", "Kim Kook-kie", "Kim Kook-gi|Kim Kuk-gi", "detainee", "",
                    "mou-detainees-2024-03-27", "false", "Missionary."]],
    "events.csv": [["key", "label", "event_type", "person", "victim_group", "date", "start_date", "end_date",
                    "date_basis", "perpetrator", "age", "occupation", "breaches", "part_of", "same_as", "source",
                    "statement"],
                   ["kim-kook-kie-detention", "", "arbitrary-detention", "kim-kook-kie", "", "", "2014", "", "stated",
                    "", "", "missionary", "", "", "", "mou-detainees-2024-03-27", ""]],
    "statuses.csv": [["key", "person", "status", "as_of", "source"],
                     ["kim-kook-kie-detained-2024-03-27", "kim-kook-kie", "detained", "2024-03-27",
                      "mou-detainees-2024-03-27"]],
}
CELLS = [(table, row, column) for table, rows in MINIMAL.items() for row in (0, 1) for column in range(len(rows[0]))]
NASTY = st.one_of(st.text(max_size=60), st.sampled_from(["", " ", "true", "TRUE", "-", "a|b||", "2024-13-45", "1e999",
                                                         "http://", "x,y", '"', "\n", "\r\n", "\x00", "ｋｅｙ", "김정욱",
                                                         "../people", "kim-kook-kie", "<script>", "person/x"]))


def _write_tables(folder: Path, tables: dict[str, list[list[str]]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(rows)
        (folder / name).write_text(text.getvalue(), encoding="utf-8", errors="surrogatepass")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Path:
    """A home whose current release was built from MINIMAL: what every failed build must leave as it was."""
    folder = tmp_path_factory.mktemp("minimal")
    _write_tables(folder / "data", MINIMAL)
    assert main(["build", "--data", str(folder / "data"), "--home", str(folder / "home")]) == 0
    return folder / "home"


def _releases(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "releases").iterdir())


@BOUNDED
@given(cell=st.sampled_from(CELLS), value=NASTY)
def test_any_cell_builds_or_stops_cleanly_without_a_partial_write(served, tmp_path_factory, capsys, cell, value):
    table, row, column = cell
    tables = {name: [list(r) for r in rows] for name, rows in MINIMAL.items()}
    tables[table][row][column] = value
    data = tmp_path_factory.mktemp("data")
    _write_tables(data, tables)
    home = tmp_path_factory.mktemp("home")
    shutil.copytree(served, home, symlinks=True, dirs_exist_ok=True)
    before, releases = current_release(home), _releases(home)
    code = main(["build", "--data", str(data), "--home", str(home)])
    error = capsys.readouterr().err
    assert code in (0, 1, 2), code
    if code:
        assert "error" in error.lower() or "violation" in error.lower()
        assert current_release(home) == before and _releases(home) == releases  # nothing written


SUFFIXES = st.sampled_from([".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".xml", ".csv", ".json", ".txt", ""])
CONTENTS = st.one_of(st.binary(max_size=2000), st.text(max_size=1000).map(lambda t: t.encode("utf-8", "surrogatepass")))


@BOUNDED
@given(suffix=SUFFIXES, stem=st.sampled_from(["submission", "people", "x-events", "statuses"]), content=CONTENTS)
def test_any_submission_file_validates_or_stops_cleanly(served, tmp_path_factory, capsys, suffix, stem, content):
    path = tmp_path_factory.mktemp("submission") / f"{stem}{suffix}"
    path.write_bytes(content)
    code = main(["validate", str(path), "--home", str(served)])
    assert code in (0, 1, 2)
    if code == 2:
        assert capsys.readouterr().err.startswith("error:")


@BOUNDED
@given(query=st.one_of(st.text(max_size=200), st.sampled_from(["SELECT", "ASK {}", "CLEAR ALL", "LOAD <http://x/>",
                                                               "SELECT * { SERVICE <http://127.0.0.1:1/> {} }"])),
       format_name=st.sampled_from(["table", "json", "csv", "ttl", "nope"]))
def test_any_query_answers_or_stops_cleanly(served, capsys, query, format_name):
    code = main(["query", query, "--home", str(served), "--format", format_name])
    assert code in (0, 2)
    if code == 2:
        assert capsys.readouterr().err.startswith("error:")


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=st.binary(max_size=3000))
def test_any_file_given_to_restore_is_refused_cleanly(served, tmp_path_factory, capsys, content):
    file = tmp_path_factory.mktemp("restore") / "backup.tar.gz"
    file.write_bytes(content)
    before, releases = current_release(served), _releases(served)
    assert main(["restore", str(file), "--home", str(served)]) == 2
    assert capsys.readouterr().err.startswith("error:")
    assert current_release(served) == before and _releases(served) == releases
