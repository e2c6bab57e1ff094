"""The errors the library raises; the CLI and the HTTP layer translate them at the edges."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """Where a value came from: file, line (1-based, the header is line 1), record key, field."""

    file: str
    line: int | None = None
    record: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        details = [f"record {self.record!r}" if self.record else "", f"field {self.field!r}" if self.field else ""]
        return ", ".join([place, *filter(None, details)])

    def text(self, language: str) -> str:
        """The place in `language`: English as str(), or Korean (파일 4행, 기록 'x', 열 'date')."""
        if language != "ko":
            return str(self)
        place = self.file if self.line is None else f"{self.file} {self.line}행"
        details = [f"기록 {self.record!r}" if self.record else "", f"열 {self.field!r}" if self.field else ""]
        return ", ".join([place, *filter(None, details)])


class FootprintsError(Exception):
    """Base class of every error the library raises on purpose."""


# What can be wrong with a cell, a row or a table file, in the words of the table, in English and Korean: the
# pages speak both, and a contributor fixes a spreadsheet in the language they read. {text!r} quotes the cell.
PROBLEM_TEXTS = {
    "not_a_date": ("{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD",
                   "{text!r}은(는) 날짜가 아닙니다. YYYY, YYYY-MM 또는 YYYY-MM-DD로 쓰십시오 (예: 1950, 1950-09, 1950-09-28)"),
    "not_a_real_day": ("{text!r} is not a real day ({reason})", "{text!r}은(는) 달력에 없는 날입니다 ({reason})"),
    "no_such_month": ("{text!r} has no month {month}", "{text!r}: {month}월은 없습니다"),
    "full_date_needed": ("{text!r} must be a full date YYYY-MM-DD", "{text!r}: 연-월-일을 모두 쓴 날짜(YYYY-MM-DD)여야 합니다"),
    "year_needed": ("{text!r} must be a year YYYY", "{text!r}: 연도(YYYY)여야 합니다"),
    "not_a_count": ("{text!r} is not a non-negative whole number (write 50000, not 50,000)",
                    "{text!r}은(는) 0 이상의 정수가 아닙니다 (50,000이 아니라 50000으로 쓰십시오)"),
    "age_over_120": ("age {text} is over 120", "나이 {text}은(는) 120을 넘습니다"),
    "not_a_boolean": ("{text!r} is not true or false", "{text!r}: true 또는 false로 쓰십시오"),
    "not_a_web_address": ("{text!r} is not an http(s) IRI", "{text!r}은(는) http(s) 웹 주소가 아닙니다"),
    "no_hangul": ("{text!r} has no Hangul; put a romanized name in the English or name column",
                  "{text!r}에 한글이 없습니다. 로마자 이름은 영어 열이나 name 열에 쓰십시오"),
    "unknown_concept": ("{notation!r} is not in the {scheme} vocabulary; use one of: {known}",
                        "{notation!r}은(는) {scheme} 어휘에 없습니다. 다음 중 하나를 쓰십시오: {known}"),
    "unknown_and_missing_columns": ("unknown column(s) {unknown}; missing column(s) {missing} (allowed: {allowed})",
                                    "모르는 열: {unknown}; 빠진 열: {missing} (쓸 수 있는 열: {allowed})"),
    "unknown_columns": ("unknown column(s) {unknown} (allowed: {allowed})", "모르는 열: {unknown} (쓸 수 있는 열: {allowed})"),
    "missing_columns": ("missing column(s) {missing} (allowed: {allowed})", "빠진 열: {missing} (쓸 수 있는 열: {allowed})"),
    "not_a_key": ("key {key!r} is not a stable key: use lowercase a-z, 0-9, joined by '-' or '.' "
                  "(e.g. 'kim-jung-wook')",
                  "키 {key!r}은(는) 안정된 키가 아닙니다. 소문자 a-z와 숫자 0-9를 '-'나 '.'로 이어 쓰십시오 "
                  "(예: 'kim-jung-wook')"),
    "no_key_letters": ("cannot make a key from {text!r}: it has no ASCII letters or digits",
                       "{text!r}에서 키를 만들 수 없습니다: 로마자나 숫자가 없습니다"),
    "more_cells": ("row has more cells than the header's {count} columns", "이 행의 칸이 머리글의 열 {count}개보다 많습니다"),
    "empty_key": ("the key column {column!r} is empty", "키 열 {column!r}이(가) 비어 있습니다"),
    "required_missing": ("required value missing in column {column!r}", "필수 열 {column!r}에 값이 없습니다"),
    "not_text": ("neither UTF-8 nor CP949 (EUC-KR) text: in Excel, save the table as \"CSV UTF-8\", or as an Excel "
                 "workbook (.xlsx)", "UTF-8도 CP949(EUC-KR)도 아닌 파일입니다. 엑셀에서 \"CSV UTF-8\" 또는 엑셀 통합 "
                 "문서(.xlsx)로 저장하십시오"),
    "not_csv": ("not readable as CSV: {reason}", "CSV로 읽을 수 없습니다: {reason}"),
    "not_a_workbook": ("not an Excel workbook (.xlsx): {reason}", "엑셀 통합 문서(.xlsx)가 아닙니다: {reason}"),
    "no_such_key": ("no {kind} with key {key!r} (known: {known})", "키가 {key!r}인 {kind} 기록이 없습니다 (있는 키: {known})"),
    "no_such_source": ("no document, instrument or media item with key {key!r}",
                       "키가 {key!r}인 document, instrument, media 기록이 없습니다"),
    "unknown_structure": ("{text!r} is not a structure; use one of: {known}",
                          "{text!r}은(는) structure 값이 아닙니다. 다음 중 하나를 쓰십시오: {known}"),
    "duplicate_key": ("duplicate key {key!r}", "키 {key!r}이(가) 두 번 쓰였습니다"),
    "shared_source_key": ("a key is used by more than one of documents, instruments and media",
                          "같은 키가 documents, instruments, media 중 둘 이상에 쓰였습니다"),
    "person_or_victim_group": ("an event names either a person or a victim_group, not both or neither",
                               "사건 행에는 person과 victim_group 중 하나만 씁니다 (둘 다 쓰거나 둘 다 비우지 않습니다)"),
    "statement_one_source": ("a row with a statement has exactly one source, the one whose words it quotes; put the "
                             "documents that source cites in cited_source",
                             "statement가 있는 행의 source는 그 말을 한 출처 하나뿐입니다. 그 출처가 인용하는 문서는 "
                             "cited_source에 쓰십시오"),
    "restricted_disagrees": ("rows for {key!r} disagree on whether the person is restricted",
                             "{key!r}의 행들이 비공개(restricted) 여부에서 서로 다릅니다"),
    "one_source_per_row": ("a people row has exactly one source; add a row per source",
                           "people 행의 source는 하나뿐입니다. 출처마다 행을 하나씩 더하십시오"),
    "not_a_record_table": ("not a record table: name the file after its table ({names}), or end its name with "
                           "-<table>.csv", "기록 표가 아닙니다. 파일 이름을 표 이름({names})으로 하거나 -<표 이름>.csv로 "
                           "끝나게 하십시오"),
    "workbook_too_big": ("the workbook unpacks to {size} bytes, more than the {limit} a submission may hold",
                         "통합 문서의 압축을 풀면 {size}바이트로, 제출 자료의 한도 {limit}바이트를 넘습니다"),
}


class Problem(ValueError):
    """What is wrong with a value, worded from PROBLEM_TEXTS in English (str()) and Korean (`text("ko")`)."""

    def __init__(self, code: str, **values: object):
        self.code, self.values = code, values
        super().__init__(self.text("en"))

    def text(self, language: str) -> str:
        english, korean = PROBLEM_TEXTS[self.code]
        return (korean if language == "ko" else english).format(**self.values)


class RecordError(FootprintsError):
    """A record that cannot be read or converted; says what is wrong and where. A `Problem` gives the error
    its Korean wording too; a plain string is English only."""

    def __init__(self, origin: Origin, problem: "str | Exception"):
        self.origin = origin
        self.problem = str(problem)
        self.problem_ko = problem.text("ko") if isinstance(problem, Problem) else None
        super().__init__(f"{origin}: {self.problem}")

    def text(self, language: str) -> str:
        """The error in `language` (en or ko); a problem with no Korean wording yet stays English."""
        if language != "ko":
            return str(self)
        return f"{self.origin.text('ko')}: {self.problem_ko or self.problem}"


class RecordErrors(RecordError):
    """Several records that cannot be read or converted, gathered so that one run lists every mistake; the
    first one's origin and problem stand for all of them."""

    def __init__(self, errors: list[RecordError]):
        self.errors = sorted(errors, key=lambda e: (e.origin.file, e.origin.line or 0))  # as a reader goes through
        super().__init__(self.errors[0].origin, self.errors[0].problem)
        self.args = (f"{len(errors)} problems in the record tables:\n  " + "\n  ".join(map(str, self.errors)),)

    def text(self, language: str) -> str:
        if language != "ko":
            return str(self)
        return f"기록 표에 문제가 {len(self.errors)}개 있습니다:\n  " + "\n  ".join(e.text("ko") for e in self.errors)


class RecordProblems:
    """Record errors gathered as a conversion goes on, instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[RecordError] = []

    def add(self, error: RecordError) -> None:
        self.errors += error.errors if isinstance(error, RecordErrors) else [error]

    def raise_any(self) -> None:
        """Raise the one error as it is, or several as one RecordErrors."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise RecordErrors(self.errors)


class BuildError(FootprintsError):
    """A build that stopped; the previous store and dumps are left as they were."""


class UnsupportedConstraint(FootprintsError):
    """A SHACL construct (constraint component, target, path, severity) the SPARQL validation engine does not
    check; the message names the construct and the shape that uses it."""
