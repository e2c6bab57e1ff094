"""Issue 19: the conversion problems that stayed English in the Korean UI — a key no table defines, the event's
person/victim_group rule, a file not named after its table, and the other rules of the tables — are worded from
the catalogue (errors.PROBLEM_TEXTS) on the /validate page, in Korean for a Korean reader."""

import html
import io

import pytest

from support import ROOT

EXAMPLES = ROOT / "data" / "examples"
TABLES = ("good-documents.csv", "good-organisations.csv", "good-people.csv", "good-events.csv")
EVENT_PERSON = ",arbitrary-detention,example-lee-young-hee,,"


def tables(**changes: tuple[str, str]) -> dict[str, bytes]:
    """The good example tables, with text replaced in the named one (people=(old, new))."""
    files = {name: (EXAMPLES / name).read_text(encoding="utf-8") for name in TABLES}
    for table, (old, new) in changes.items():
        assert old in files[f"good-{table}.csv"]
        files[f"good-{table}.csv"] = files[f"good-{table}.csv"].replace(old, new)
    return {name: text.encode() for name, text in files.items()}


def check(client, files: dict[str, bytes], language: str) -> str:
    data = {"files": [(io.BytesIO(body), name) for name, body in files.items()]}
    answer = client.post("/validate", data=data, content_type="multipart/form-data",
                         headers={"Accept": "text/html", "Accept-Language": language})
    assert answer.status_code == 400
    return html.unescape(answer.get_data(as_text=True))


@pytest.mark.parametrize("files, english, korean", [
    (tables(events=(EVENT_PERSON, ",arbitrary-detention,nobody,,")),
     "good-events.csv:2, record 'example-lee-young-hee-detention', field 'person': no person with key 'nobody'",
     "good-events.csv 2행, 기록 'example-lee-young-hee-detention', 열 'person': 키가 'nobody'인 person 기록이 없습니다"),
    (tables(events=(EVENT_PERSON, ",arbitrary-detention,,,")),
     "an event names either a person or a victim_group, not both or neither",
     "사건 행에는 person과 victim_group 중 하나만 씁니다"),
    ({**tables(), "my-list.csv": (EXAMPLES / "good-people.csv").read_bytes()},
     "my-list.csv: not a record table: name the file after its table",
     "my-list.csv: 기록 표가 아닙니다. 파일 이름을 표 이름("),
    (tables(people=(",example-detainee-appeal,", ",nowhere,")),
     "no document, instrument or media item with key 'nowhere'",
     "키가 'nowhere'인 document, instrument, media 기록이 없습니다"),
    (tables(events=(",example-detainee-appeal,", ",example-detainee-appeal|example-detainee-appeal,some words")),
     "a row with a statement has exactly one source", "statement가 있는 행의 source는 그 말을 한 출처 하나뿐입니다"),
])
def test_a_conversion_problem_is_said_in_the_readers_language(client, files, english, korean):
    assert english in check(client, files, "en")
    page = check(client, files, "ko")
    assert korean in page and english not in page
