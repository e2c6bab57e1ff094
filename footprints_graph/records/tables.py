"""Our own record tables: one CSV file per kind of record, as people edit them in a spreadsheet.

Each row becomes a `Record` that remembers its file and line, so every later error can say where.
Multi-valued cells separate values with '|', as Uwazi's CSV does.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from footprints_graph.errors import Origin, Problem, RecordError, RecordProblems
from footprints_graph.records.spreadsheets import read_rows


@dataclass(frozen=True)
class Record:
    """One row of a record table: its kind (the table's name), its key, its non-empty cells."""

    kind: str
    key: str
    cells: dict[str, str]
    origin: Origin

    def get(self, column: str) -> str | None:
        return self.cells.get(column)

    def values(self, column: str) -> list[str]:
        """The '|'-separated values of a cell, stripped, empty ones dropped."""
        return [v.strip() for v in self.cells.get(column, "").split("|") if v.strip()]

    def at(self, column: str) -> Origin:
        """The origin of one cell, for error messages."""
        return Origin(self.origin.file, self.origin.line, self.key, column)


@dataclass(frozen=True)
class TableSpec:
    """The columns a record table may have; `key` names the column that holds each record's key."""

    kind: str
    key: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> set[str]:
        return {self.key, *self.required, *self.optional}


def read_table(path: Path, spec: TableSpec, problems: RecordProblems | None = None) -> Iterator[Record]:
    """Read one record table (CSV in UTF-8 or CP949, or an Excel workbook: records.spreadsheets); raise
    `RecordError` on a bad header, a missing required cell, or a file that is none of these. With `problems`,
    a bad row is added to them and left out, so that one run finds the mistakes of every row."""
    header, rows = read_rows(path)
    _check_header(path, header, spec)
    for line, row in rows:
        try:
            record = _record(path, line, row, spec)
        except RecordError as error:
            if problems is None:
                raise
            problems.add(error)
            continue
        yield record


def _check_header(path: Path, header: list[str], spec: TableSpec) -> None:
    unknown = ", ".join(c for c in header if c not in spec.columns)
    missing = ", ".join(sorted(c for c in {spec.key, *spec.required} if c not in header))
    allowed = ", ".join(sorted(spec.columns))
    if unknown or missing:
        code = "unknown_and_missing_columns" if unknown and missing else "unknown_columns" if unknown else "missing_columns"
        raise RecordError(Origin(str(path), 1), Problem(code, unknown=unknown, missing=missing, allowed=allowed))


def _record(path: Path, line: int, row: dict[str, str | None], spec: TableSpec) -> Record:
    if None in row:  # csv puts surplus cells under the key None
        raise RecordError(Origin(str(path), line), Problem("more_cells", count=len(row) - 1))
    cells = {column: value.strip() for column, value in row.items() if value and value.strip()}
    key = cells.get(spec.key)
    if not key:
        raise RecordError(Origin(str(path), line, field=spec.key), Problem("empty_key", column=spec.key))
    missing = [c for c in spec.required if c not in cells]
    if missing:
        raise RecordError(Origin(str(path), line, key, missing[0]), Problem("required_missing", column=missing[0]))
    return Record(spec.kind, key, cells, Origin(str(path), line, key))
