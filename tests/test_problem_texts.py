"""Issue 19: what is wrong with a table is said in English and Korean from one catalogue (errors.PROBLEM_TEXTS):
both wordings of every problem fill the same blanks, and a record error carries both."""

import string

import pytest

from footprints_graph.convert.values import partial_date
from footprints_graph.errors import PROBLEM_TEXTS, Origin, Problem, RecordError, RecordErrors


def blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("code", sorted(PROBLEM_TEXTS))
def test_both_wordings_fill_the_same_blanks(code):
    english, korean = PROBLEM_TEXTS[code]
    assert blanks(english) == blanks(korean)
    problem = Problem(code, **{name: "x" for name in blanks(english)})
    assert str(problem) == problem.text("en") and problem.text("ko") != problem.text("en")


def test_a_record_error_says_where_and_what_in_either_language():
    with pytest.raises(Problem) as problem:
        partial_date("July 1950")
    error = RecordError(Origin("my-events.csv", 4, "lee-detention", "date"), problem.value)
    assert str(error) == ("my-events.csv:4, record 'lee-detention', field 'date': 'July 1950' is not a date: write "
                          "YYYY, YYYY-MM or YYYY-MM-DD")
    assert error.text("ko").startswith("my-events.csv 4행, 기록 'lee-detention', 열 'date': 'July 1950'은(는) 날짜가 "
                                       "아닙니다")


def test_an_error_without_a_korean_wording_stays_english_in_korean():
    error = RecordError(Origin("people.csv", 2), "an English-only problem")
    assert error.text("ko") == "people.csv 2행: an English-only problem"


def test_several_errors_are_counted_in_either_language():
    errors = RecordErrors([RecordError(Origin("b.csv", 3), Problem("empty_key", column="key")),
                           RecordError(Origin("a.csv", 2), Problem("not_a_boolean", text="yes"))])
    assert str(errors).splitlines()[:2] == ["2 problems in the record tables:", "  a.csv:2: 'yes' is not true or false"]
    assert errors.text("ko").splitlines() == ["기록 표에 문제가 2개 있습니다:", "  a.csv 2행: 'yes': true 또는 false로 쓰십시오",
                                              "  b.csv 3행: 키 열 'key'이(가) 비어 있습니다"]
