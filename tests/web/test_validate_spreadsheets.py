"""Issue 19 on the /validate page: a Korean Excel user's tables (CP949 CSV, .xlsx) check cleanly when right,
and every conversion mistake is listed at once, by file and line, without the server's temporary path."""

import csv
import io

import openpyxl

from support import ROOT

EXAMPLES = ROOT / "data" / "examples"
TABLES = ("good-documents.csv", "good-organisations.csv", "good-people.csv", "good-events.csv")


def example(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def check(client, files: dict[str, bytes], language: str = "en"):
    data = {"files": [(io.BytesIO(body), name) for name, body in files.items()]}
    return client.post("/validate", data=data, content_type="multipart/form-data",
                       headers={"Accept": "text/html", "Accept-Language": language})


def as_workbook(text: str) -> bytes:
    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(text)):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_cp949_tables_from_korean_excel_check_on_the_first_try(client):
    answer = check(client, {name: example(name).encode("cp949") for name in TABLES})
    assert answer.status_code == 200
    assert 'class="conforms"' in answer.get_data(as_text=True)


def test_workbooks_check_on_the_first_try(client):
    answer = check(client, {name.replace(".csv", ".xlsx"): as_workbook(example(name)) for name in TABLES})
    assert answer.status_code == 200
    assert 'class="conforms"' in answer.get_data(as_text=True)


def three_mistakes() -> dict[str, bytes]:
    files = {name: example(name) for name in TABLES}
    files["good-people.csv"] = files["good-people.csv"].replace(",detainee,", ",Wartime abductee,")
    files["good-events.csv"] = (files["good-events.csv"].replace(",2016-07,", ",July 1950,")
                                .replace("example-lee-young-hee-detention,", "Lee Detention,"))
    return {name: text.encode("utf-8-sig") for name, text in files.items()}


def test_every_mistake_is_listed_at_once_without_the_server_path(client):
    answer = check(client, three_mistakes())
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "3 problems in the record tables" in page
    for place in ("good-events.csv:2, record &#39;Lee Detention&#39;:",
                  "good-events.csv:2, record &#39;Lee Detention&#39;, field &#39;start_date&#39;",
                  "good-people.csv:2, record &#39;example-lee-young-hee&#39;, field &#39;category&#39;"):
        assert place in page
    assert "footprints-submission-" not in page and "/tmp" not in page


def test_the_mistakes_are_listed_in_korean_for_a_korean_reader(client):
    answer = check(client, three_mistakes(), "ko")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "기록 표에 문제가 3개 있습니다" in page
    assert "good-events.csv 2행, 기록 &#39;Lee Detention&#39;: 키 &#39;Lee Detention&#39;은(는) 안정된 키가 아닙니다" in page
    assert ("good-events.csv 2행, 기록 &#39;Lee Detention&#39;, 열 &#39;start_date&#39;: &#39;July 1950&#39;은(는) "
            "날짜가 아닙니다. YYYY, YYYY-MM 또는 YYYY-MM-DD로 쓰십시오") in page
    assert ("good-people.csv 2행, 기록 &#39;example-lee-young-hee&#39;, 열 &#39;category&#39;: &#39;Wartime "
            "abductee&#39;은(는) victim-categories 어휘에 없습니다. 다음 중 하나를 쓰십시오: detainee") in page
    assert "/tmp" not in page
