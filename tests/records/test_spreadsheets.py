"""Issue 19: record tables as people save them from a spreadsheet. The example submission
(data/examples/good-*.csv) saved as Excel saves it — "CSV UTF-8" with a byte-order mark, CSV in CP949 (Korean
Excel's default), an .xlsx workbook — converts to exactly the triples of the plain UTF-8 files."""

import csv
import io
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from footprints_graph.convert.records import convert_files
from footprints_graph.errors import RecordError
from footprints_graph.records import spreadsheets
from footprints_graph.records.tables import TableSpec, read_table
from support import ROOT

EXAMPLES = ROOT / "data" / "examples"
TABLES = ("good-documents", "good-organisations", "good-people", "good-events")
PUBLISHED: dict[str, set[str]] = {}  # the example declares every record it refers to, all fictional (issue 14)
HANGUL_ALT_NAME = ("Lee Young-hee,Yi Yeong-hui,", "Lee Young-hee,Yi Yeong-hui|이영희,")


def example_text(table: str) -> str:
    """The example table, with a Hangul spelling added so that the encodings differ in what matters."""
    return (EXAMPLES / f"{table}.csv").read_text(encoding="utf-8").replace(*HANGUL_ALT_NAME)


def triples(paths: list[Path]) -> set:
    return {t for record in convert_files(paths, PUBLISHED) for t in record.triples}


def saved_as(folder: Path, encoding: str) -> list[Path]:
    folder.mkdir()
    for table in TABLES:
        (folder / f"{table}.csv").write_bytes(example_text(table).encode(encoding))
    return [folder / f"{t}.csv" for t in TABLES]


def workbook(path: Path, rows: list[list], formats: dict[tuple[int, int], str] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for (row, column), number_format in (formats or {}).items():
        sheet.cell(row, column).number_format = number_format
    book.save(path)
    return path


def saved_as_workbooks(folder: Path) -> list[Path]:
    folder.mkdir()
    for table in TABLES:
        rows = list(csv.reader(io.StringIO(example_text(table))))
        workbook(folder / f"{table}.xlsx", [[_typed(cell) for cell in row] for row in rows])
    return [folder / f"{t}.xlsx" for t in TABLES]


def _typed(cell: str):
    """A cell as Excel keeps what was typed: numbers as numbers, the rest as text."""
    return int(cell) if cell.isdigit() else cell


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> set:
    return triples(saved_as(tmp_path_factory.mktemp("plain") / "utf-8", "utf-8"))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp949", "euc-kr"])
def test_a_csv_saved_by_excel_reads_as_the_plain_utf8_one(tmp_path, plain, encoding):
    paths = saved_as(tmp_path / encoding, encoding)
    if encoding == "utf-8-sig":
        assert paths[0].read_bytes().startswith(b"\xef\xbb\xbf")
    assert triples(paths) == plain
    assert any("이영희" in str(o) for _s, _p, o in plain)


def test_a_workbook_reads_as_the_plain_csv(tmp_path, plain):
    assert triples(saved_as_workbooks(tmp_path / "xlsx")) == plain


SPEC = TableSpec("events", "key", ("date",), ("age", "restricted"))


@pytest.mark.parametrize("number_format,text", [
    ("mmm-yy", "1950-09"), ('yyyy"년" m"월"', "1950-09"), ("yyyy-mm-dd", "1950-09-01"),
    ('[$-ko-KR]yyyy"년" m"월" d"일"', "1950-09-01"), ("yyyy", "1950")])
def test_a_date_excel_made_of_what_was_typed_keeps_the_precision_it_shows(tmp_path, number_format, text):
    path = workbook(tmp_path / "events.xlsx", [["key", "date"], ["x", datetime(1950, 9, 1)]], {(2, 2): number_format})
    [record] = read_table(path, SPEC)
    assert record.get("date") == text


def test_workbook_numbers_and_booleans_read_as_the_csv_would_write_them(tmp_path):
    path = workbook(tmp_path / "events.xlsx", [["key", "date", "age", "restricted"], ["x", 1950, 34.0, True]])
    [record] = read_table(path, SPEC)
    assert record.cells == {"key": "x", "date": "1950", "age": "34", "restricted": "true"}


def test_empty_workbook_rows_and_columns_are_left_out_and_lines_are_the_sheets_rows(tmp_path):
    path = workbook(tmp_path / "events.xlsx", [["key", "date", None], ["a", "1950"], [None, None], ["b", "1951"]])
    assert [(r.key, r.origin.line) for r in read_table(path, SPEC)] == [("a", 2), ("b", 4)]


def test_a_workbook_row_with_more_cells_than_the_header_is_refused_with_its_row(tmp_path):
    path = workbook(tmp_path / "events.xlsx", [["key", "date"], ["a", "1950"], ["b", "1951", "extra"]])
    with pytest.raises(RecordError, match=r"events.xlsx:3: row has more cells"):
        list(read_table(path, SPEC))


def test_a_header_saved_with_a_byte_order_mark_or_spaces_is_read(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes("key , date\nx,1950\n".encode("utf-8-sig"))
    assert [r.cells for r in read_table(path, SPEC)] == [{"key": "x", "date": "1950"}]


def test_a_file_in_neither_encoding_is_refused_with_the_line_of_its_first_bad_byte(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(b"key,date\nx,1950\ny,\xff\xfe\n")
    with pytest.raises(RecordError, match=r'events.csv:3: neither UTF-8 nor CP949 \(EUC-KR\) text: in Excel, save '
                                          r'the table as "CSV UTF-8"'):
        list(read_table(path, SPEC))


def test_a_file_named_xlsx_that_is_no_workbook_is_refused(tmp_path):
    path = tmp_path / "events.xlsx"
    shutil.copy(EXAMPLES / "good-events.csv", path)
    with pytest.raises(RecordError, match=r"events.xlsx: not an Excel workbook \(.xlsx\)"):
        list(read_table(path, SPEC))


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    path = workbook(tmp_path / "events.xlsx", [["key", "date"], ["x", "1950"]])
    monkeypatch.setattr(spreadsheets, "MAX_UNPACKED_XLSX_BYTES", 1000)
    with pytest.raises(RecordError, match=r"events.xlsx: the workbook unpacks to \d+ bytes, more than the 1000"):
        list(read_table(path, SPEC))
