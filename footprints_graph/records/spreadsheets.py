"""Record tables as people save them from a spreadsheet: CSV in UTF-8 with or without the byte-order mark
that Excel's "CSV UTF-8" writes, CSV in CP949 (Korean Excel's default, a superset of EUC-KR), and Excel
workbooks (.xlsx, read with openpyxl).

Every reader gives the same thing: the header row and then each row's cells by column name, with its line
(the row number a spreadsheet shows; the header is line 1), so that the record tables do not care where a
row came from.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from footprints_graph.errors import Origin, Problem, RecordError

TABLE_SUFFIXES = (".csv", ".xlsx")
MAX_UNPACKED_XLSX_BYTES = 64 * 1024 * 1024  # a workbook is a zip: refuse one that unpacks past this (a zip bomb)
Row = dict[str | None, str | None]  # cells by column; cells beyond the header under None, as csv does


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    """The header of a record table and its rows, each with its line. Raises RecordError on a file that is not
    CSV in UTF-8 or CP949, or not an Excel workbook."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path)
    return _csv_rows(path, decoded_text(path))


def decoded_text(path: Path) -> str:
    """The text of a CSV file: UTF-8 (a byte-order mark dropped) or else CP949. UTF-8 is strict enough to fail
    on CP949's Hangul, so trying it first never misreads a Korean Excel file."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        first_bad_byte = error.start
    try:
        return raw.decode("cp949")
    except UnicodeDecodeError:
        line = raw[:first_bad_byte].count(b"\n") + 1
        raise RecordError(Origin(str(path), line), Problem("not_text")) from None


def _csv_rows(path: Path, text: str) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise RecordError(Origin(str(path), 1), Problem("not_csv", reason=error)) from None
    reader.fieldnames = header

    def rows() -> Iterator[tuple[int, Row]]:
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as error:
            raise RecordError(Origin(str(path), reader.line_num), Problem("not_csv", reason=error)) from None
    return header, rows()


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    """The first sheet of a workbook; its first row is the header."""
    book = _workbook(path)
    lines = book.worksheets[0].iter_rows()
    header = [cell_text(c) for c in next(lines, ())]
    while header and not header[-1]:  # formatted but empty columns at the right
        header.pop()
    return header, _xlsx_records(book, header, lines)


def _workbook(path: Path):
    import openpyxl  # only workbooks need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_XLSX_BYTES:
            raise RecordError(Origin(str(path)), Problem("workbook_too_big", size=unpacked, limit=MAX_UNPACKED_XLSX_BYTES))
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as error:
        raise RecordError(Origin(str(path)), Problem("not_a_workbook", reason=error or type(error).__name__)) from None


def _xlsx_records(book, header: list[str], lines) -> Iterator[tuple[int, Row]]:
    try:
        for number, cells in enumerate(lines, start=2):
            texts = [cell_text(c) for c in cells]
            if any(texts):  # an empty row is skipped, as csv skips a blank line
                yield number, _row(header, texts)
    finally:
        book.close()  # a read-only workbook keeps its file open until closed


def _row(header: list[str], texts: list[str]) -> Row:
    row: Row = dict(zip(header, texts + [""] * (len(header) - len(texts)), strict=False))  # surplus: below
    surplus = [t for t in texts[len(header):] if t]
    if surplus:
        row[None] = surplus
    return row


def cell_text(cell) -> str:
    """A cell as the text a CSV of it would hold. Excel turns `1950-09` typed in a cell into the date
    1950-09-01 shown as a month: the cell's number format says how precise the date is, so a month stays
    a month and is not published as a day the source never stated."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return _date_text(value, getattr(cell, "number_format", "") or "")
    return str(value).strip()


def _date_text(value: date, number_format: str) -> str:
    shown = re.sub(r'"[^"]*"|\[[^]]*\]|\\.', "", number_format).lower()  # quoted text, [locale], escapes
    if "d" in shown:
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m") if "m" in shown else value.strftime("%Y")
