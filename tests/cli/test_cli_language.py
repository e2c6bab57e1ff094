"""Issue 19: `footprints-graph validate` says a table's problems in Korean under a Korean locale."""

import shutil
from pathlib import Path

import pytest

from footprints_graph.cli import main

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "data" / "examples" / "bad-unknown-category-people.csv"
CITED = ("good-documents.csv", "good-organisations.csv")


@pytest.fixture
def bad_table(tmp_path) -> Path:
    """The example's bad people table, with the document it cites and the (fictional) organisations it names."""
    for table in CITED:
        shutil.copy(BAD.parent / table, tmp_path)
    return Path(shutil.copy(BAD, tmp_path / BAD.name))


def validate(home: Path, bad_table: Path) -> int:
    return main(["validate", "--home", str(home), *(str(bad_table.parent / t) for t in CITED), str(bad_table)])


@pytest.mark.parametrize("variable", ["LANG", "LC_ALL", "LC_MESSAGES"])
def test_a_korean_locale_gets_korean(bad_table, built_home, capsys, monkeypatch, variable):
    for name in ("LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "ko_KR.UTF-8")
    assert validate(built_home, bad_table) == 2
    error = capsys.readouterr().err
    assert error == (f"오류: {bad_table} 2행, 기록 'example-lee-young-hee', 열 'category': 'civilian-abductee'은(는) "
                     "victim-categories 어휘에 없습니다. 다음 중 하나를 쓰십시오: detainee, post-war-abductee, "
                     "prisoner-of-war, wartime-abductee\n")


def test_any_other_locale_gets_english(bad_table, built_home, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert validate(built_home, bad_table) == 2
    assert capsys.readouterr().err.startswith(f"error: {bad_table}:2, record 'example-lee-young-hee', field 'category': "
                                              "'civilian-abductee' is not in the victim-categories vocabulary")
