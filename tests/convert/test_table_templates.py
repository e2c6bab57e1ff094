"""Issue 19: a blank template per record table, as CSV and as an Excel workbook, with the allowed values of
every coded column; the check reads a filled template as it reads data/'s tables."""

import re

import openpyxl
import pytest

from footprints_graph.convert.records import PEOPLE, TABLES, convert_files
from footprints_graph.convert.table_templates import (
    UnknownTable,
    column_guide,
    table_names,
    template_csv,
    template_xlsx,
)
from footprints_graph.records.tables import read_table
from footprints_graph.vocab import notations
from support import ROOT

SPECS = {s.kind: s for s in (PEOPLE, *(t.spec for t in TABLES))}


@pytest.mark.parametrize("table", table_names())
def test_each_template_has_exactly_the_columns_the_check_reads(tmp_path, table):
    csv_path, xlsx_path = tmp_path / f"{table}.csv", tmp_path / f"{table}.xlsx"
    csv_path.write_text(template_csv(table), encoding="utf-8")
    xlsx_path.write_bytes(template_xlsx(table))
    for path in (csv_path, xlsx_path):
        assert list(read_table(path, SPECS[table])) == []  # a bad header would raise
    assert {c.name for c in column_guide(table)} == SPECS[table].columns


def test_coded_columns_list_their_allowed_values_and_the_workbook_offers_them():
    guide = {c.name: c for c in column_guide("events")}
    assert guide["event_type"].allowed == (*notations("act-types"), *notations("subsequent-event-types"),
                                           *notations("other-event-types"))
    assert "abduction" in guide["event_type"].allowed and guide["event_type"].required
    assert guide["date"].allowed == () and not guide["date"].required
    assert {c.name: c.allowed for c in column_guide("people")}["category"] == (
        "detainee", "post-war-abductee", "prisoner-of-war", "wartime-abductee")


def test_the_workbook_has_drop_downs_a_guide_and_dates_kept_as_text(tmp_path):
    path = tmp_path / "events.xlsx"
    path.write_bytes(template_xlsx("events"))
    book = openpyxl.load_workbook(path)
    table, allowed, guide = book.worksheets
    header = [c.value for c in table[1]]
    type_column = openpyxl.utils.get_column_letter(header.index("event_type") + 1)
    types = column_guide("events")[header.index("event_type")].allowed
    checks = {str(v.sqref): v.formula1 for v in table.data_validations.dataValidation}
    # OOXML keeps a formula without its '=': the list is the column of the hidden sheet
    assert checks[f"{type_column}2:{type_column}501"] == f"'allowed values'!${type_column}$1:${type_column}${len(types)}"
    assert tuple(allowed.cell(r, header.index("event_type") + 1).value for r in range(1, len(types) + 1)) == types
    assert allowed.sheet_state == "hidden"
    date_column = header.index("date") + 1
    assert table.cell(2, date_column).number_format == "@"
    assert [c.value for c in guide[1]] == ["column", "required", "allowed values"]


def test_a_filled_workbook_template_converts(tmp_path):
    documents = tmp_path / "documents.xlsx"
    documents.write_bytes(template_xlsx("documents"))
    book = openpyxl.load_workbook(documents)
    header = [c.value for c in book.worksheets[0][1]]
    row = {"key": "family-list", "label": "A families' list", "document_type": "web-page", "source": "family-list"}
    book.worksheets[0].append([row.get(name) for name in header])
    book.save(documents)
    [record] = convert_files([documents], {})
    assert str(record.subject).endswith("/document/family-list")


def test_an_unknown_table_names_the_tables():
    with pytest.raises(UnknownTable, match="no record table 'victims'; the tables are people, documents"):
        column_guide("victims")


def test_docs_list_every_allowed_value_of_the_coded_columns_they_name():
    text = (ROOT / "docs" / "submitting.md").read_text(encoding="utf-8")
    rows = {name: values for names, values in re.findall(r"^\| (`[a-z_]+`(?:, `[a-z_]+`)*(?: \(\w+\))?) \| (.+) \|$",
                                                          text, re.M)
            for name in re.findall(r"`([a-z_]+)`", names)}
    assert {"category", "event_type", "date_basis", "status", "document_type", "structure"} <= set(rows)
    for table in table_names():
        for column in column_guide(table):
            if column.allowed and column.name in rows and "see the template page" not in rows[column.name]:
                listed = set(re.findall(r"[a-z0-9-]+", rows[column.name]))
                assert set(column.allowed) <= listed, (table, column.name, set(column.allowed) - listed)
