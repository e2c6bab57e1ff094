"""Issue 19: errors that stop a conversion are listed all at once, each with file, line, record and column —
three mistakes (a bad key, `Wartime abductee` for a category, `July 1950` for a date) took four runs."""

import shutil
from pathlib import Path

import pytest

from footprints_graph.convert.records import convert_files, convert_tables
from footprints_graph.errors import RecordError, RecordErrors
from support import ROOT

EXAMPLES = ROOT / "data" / "examples"
PUBLISHED: dict[str, set[str]] = {}  # the example declares every record it refers to, all fictional (issue 14)
GOOD = ("good-documents.csv", "good-organisations.csv", "good-people.csv", "good-events.csv")


@pytest.fixture
def submission(tmp_path) -> Path:
    for name in GOOD:
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def problems(paths: list[Path]) -> list[str]:
    with pytest.raises(RecordError) as error:
        convert_files(paths, PUBLISHED)
    return [str(e) for e in error.value.errors] if isinstance(error.value, RecordErrors) else [str(error.value)]


def test_three_mistakes_are_reported_in_one_run_each_where_it_is(submission):
    people, events = submission / "good-people.csv", submission / "good-events.csv"
    edit(people, ",detainee,", ",Wartime abductee,")
    edit(events, ",2016-07,", ",July 1950,")
    edit(events, "example-lee-young-hee-detention,", "Lee Detention,")
    found = problems([submission / n for n in GOOD])
    assert [p.split(": ")[0] for p in found] == [  # by file and line
        f"{events}:2, record 'Lee Detention'",  # the key itself
        f"{events}:2, record 'Lee Detention', field 'start_date'",
        f"{people}:2, record 'example-lee-young-hee', field 'category'"]
    assert "'July 1950'" in found[1]
    assert "'Wartime abductee' is not in the victim-categories vocabulary" in found[2]


def test_every_bad_cell_of_one_row_is_reported(submission):
    events = submission / "good-events.csv"
    edit(events, ",2016-07,,stated,example-state,41,", ",2016-13,,guessed,example-state,forty,")
    fields = [p.split("field ")[1].split(":")[0] for p in problems([submission / n for n in GOOD])]
    assert fields == ["'start_date'", "'date_basis'", "'age'"]


def test_rows_of_other_files_are_checked_when_one_file_cannot_be_read(submission):
    people = submission / "good-people.csv"
    edit(people, "person,name,", "person,nom,")
    edit(submission / "good-events.csv", ",41,", ",forty,")
    found = problems([submission / n for n in GOOD])
    assert any(p.startswith(f"{submission / 'good-events.csv'}:2, record 'example-lee-young-hee-detention', "
                            "field 'age'") for p in found)
    assert found[-1].startswith(f"{people}:1: unknown column(s) nom; missing column(s) name")


def test_one_mistake_is_raised_as_it_always_was(submission):
    edit(submission / "good-events.csv", ",41,", ",forty,")
    with pytest.raises(RecordError) as error:
        convert_files([submission / n for n in GOOD], PUBLISHED)
    assert not isinstance(error.value, RecordErrors)
    assert error.value.origin.field == "age"


def test_the_build_lists_every_bad_row_of_data(tmp_path):
    data = Path(shutil.copytree(ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("uwazi", "examples", "links")))
    edit(data / "statuses.csv", ",detained,", ",held,")
    text = (data / "events.csv").read_text(encoding="utf-8").splitlines()
    (data / "events.csv").write_text("\n".join([text[0], text[1] + ",surplus-cell", *text[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(RecordErrors) as error:
        convert_tables(data)
    assert {(Path(e.origin.file).name, e.origin.field) for e in error.value.errors} >= {
        ("statuses.csv", "status"), ("events.csv", None)}
    assert str(error.value).startswith(f"{len(error.value.errors)} problems in the record tables:\n  ")


def test_the_same_bad_value_is_reported_on_every_row_that_holds_it(tmp_path):
    """A cell's term is made once per text and shared by the rows that repeat it; a text that failed is not kept
    as converted, so each row holding it is reported."""
    data = Path(shutil.copytree(ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("uwazi", "examples", "links")))
    rows = (data / "statuses.csv").read_text(encoding="utf-8").count(",detained,")
    edit(data / "statuses.csv", ",detained,", ",held,")
    with pytest.raises(RecordErrors) as error:
        convert_tables(data)
    held = [e.origin.line for e in error.value.errors if e.origin.field == "status"]
    assert rows > 1 and len(held) == len(set(held)) == rows
