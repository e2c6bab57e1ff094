"""Blank record tables for contributors, one per table: as CSV (the header row) or as an Excel workbook whose
first sheet is the table — a drop-down of the allowed values on every coded column, date columns kept as
text — and whose second sheet says, column by column, whether it is required and which values it allows.

The columns and their allowed values come from the converter's own tables (convert/records.py) and the
vocabularies, so a template cannot drift from what the check accepts.
"""

import io
from dataclasses import dataclass

from footprints_graph.convert.records import LISTING_COLUMNS, PEOPLE, STRUCTURES, TABLES, Column, Vocabulary, structure
from footprints_graph.errors import FootprintsError
from footprints_graph.records.tables import TableSpec
from footprints_graph.vocab import notations

TEMPLATE_ROWS = 500  # rows of the table sheet that carry the drop-downs and the text format
# Excel turns 1950-09 typed in a cell into the day 1950-09-01; a text column keeps what was typed.
TEXT_COLUMNS = frozenset({"date", "start_date", "end_date", "as_of", "issued", "adopted", "entry_into_force",
                          "retrieved", "ref_year"})


@dataclass(frozen=True)
class ColumnGuide:
    """One column of a table as a contributor needs to know it."""

    name: str
    required: bool
    allowed: tuple[str, ...]  # the values a coded column accepts; empty for text, keys and dates


class UnknownTable(FootprintsError, LookupError):
    """A record table the package does not have (the page answers 404)."""

    def __init__(self, name: str):
        super().__init__(f"no record table {name!r}; the tables are {', '.join(table_names())}")


def table_names() -> tuple[str, ...]:
    return (PEOPLE.kind, *(t.spec.kind for t in TABLES))


def column_guide(table: str) -> list[ColumnGuide]:
    """The columns of `table` in the order a template gives them: key, required, optional."""
    spec, columns = _table(table)
    by_name = {c.name: c for c in columns}
    order = [spec.key, *spec.required, *(c for c in spec.optional if c not in spec.required)]
    return [ColumnGuide(name, name == spec.key or name in spec.required, _allowed(by_name.get(name)))
            for name in order]


def _table(table: str) -> tuple[TableSpec, tuple[Column, ...]]:
    if table == PEOPLE.kind:
        return PEOPLE, LISTING_COLUMNS
    found = next((t for t in TABLES if t.spec.kind == table), None)
    if found is None:
        raise UnknownTable(table)
    return found.spec, found.columns


def _allowed(column: Column | None) -> tuple[str, ...]:
    if column is None:
        return ()
    if isinstance(column.value, Vocabulary):
        return tuple(n for scheme in column.value.schemes for n in notations(scheme))
    return tuple(STRUCTURES) if column.value is structure else ()


def template_csv(table: str) -> str:
    """The header row of `table`, as a CSV file."""
    return ",".join(c.name for c in column_guide(table)) + "\r\n"


def template_xlsx(table: str) -> bytes:
    """An Excel workbook: the table (first sheet, read by the check), the guide, and the allowed values."""
    import openpyxl  # only workbooks need it
    from openpyxl.worksheet.datavalidation import DataValidation

    guide = column_guide(table)
    book = openpyxl.Workbook()
    sheet, lists = book.active, book.create_sheet("allowed values")
    sheet.title = table
    sheet.append([c.name for c in guide])
    for index, column in enumerate(guide, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if column.allowed:
            for row, value in enumerate(column.allowed, start=1):
                lists.cell(row, index, value)
            listed = f"'allowed values'!${letter}$1:${letter}${len(column.allowed)}"  # OOXML: no leading '='
            check = DataValidation(type="list", formula1=listed, allow_blank=True,
                                   error=f"{column.name}: use one of the listed values")
            check.add(cells)
            sheet.add_data_validation(check)
        if column.name in TEXT_COLUMNS:
            for (cell,) in sheet[cells]:
                cell.number_format = "@"
        sheet.column_dimensions[letter].width = max(12, len(column.name) + 4)
    _guide_sheet(book.create_sheet("guide"), guide)
    lists.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _guide_sheet(sheet, guide: list[ColumnGuide]) -> None:
    sheet.append(["column", "required", "allowed values"])
    for column in guide:
        sheet.append([column.name, "yes" if column.required else "", " | ".join(column.allowed)])
