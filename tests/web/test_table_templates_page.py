"""Issue 19: the check page offers a blank table per record table, as CSV and Excel, and a column guide."""

import io

import openpyxl

from footprints_graph.convert.table_templates import column_guide, table_names


def test_the_check_page_links_the_templates(client):
    assert 'href="/validate/templates"' in client.get("/validate").get_data(as_text=True)


def test_the_guide_lists_every_table_its_columns_and_allowed_values_with_both_downloads(client):
    page = client.get("/validate/templates").get_data(as_text=True)
    for table in table_names():
        assert f'href="/validate/templates/{table}.xlsx"' in page and f'href="/validate/templates/{table}.csv"' in page
        for column in column_guide(table):
            assert f"<code>{column.name}</code>" in page
    assert "<code>non-repatriation</code>" in page and "<code>wartime-abductee</code>" in page


def test_the_guide_speaks_korean(client):
    page = client.get("/validate/templates", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "채워 넣을 기록 표" in page and "쓸 수 있는 값" in page


def test_the_csv_template_opens_in_excel_as_utf8(client):
    answer = client.get("/validate/templates/people.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert answer.data == "\ufeffperson,name,category,source,alt_names,credited_to,restricted,note\r\n".encode()


def test_the_workbook_template_is_a_workbook_with_the_table_first(client):
    answer = client.get("/validate/templates/events.xlsx")
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["events", "allowed values", "guide"]
    assert [c.value for c in book["events"][1]] == [c.name for c in column_guide("events")]


def test_an_unknown_table_is_404_naming_the_tables(client):
    answer = client.get("/validate/templates/victims.xlsx")
    assert answer.status_code == 404
    assert "no record table 'victims'; the tables are people, documents" in answer.get_data(as_text=True)
