"""SPARQL result answers read back as data, for comparing an answer the release carries with the engine's
(releases/test_library_views.py, endpoint/sparql/test_library_answers.py)."""

import csv
import io
from collections import Counter

import pyoxigraph as ox

QRF = ox.QueryResultsFormat


def read_answer(body: bytes, syntax: ox.QueryResultsFormat) -> tuple[list, list]:
    """An answer read back as (variables, rows): terms for the typed syntaxes, the cells' text for CSV (which
    keeps no types); an ASK's rows are its one boolean."""
    if syntax == QRF.CSV:
        header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        return header, [tuple(row) for row in rows]
    results = ox.parse_query_results(body, syntax)
    if isinstance(results, ox.QueryBoolean):
        return [], [bool(results)]
    variables = [v.value for v in results.variables]
    return variables, [tuple(solution[v] for v in variables) for solution in results]


def assert_same_answer(stored: bytes, engine: bytes, syntax: ox.QueryResultsFormat, ordered: bool) -> None:
    """The same variables and rows; in the same order when the query orders them (`ordered`)."""
    (stored_variables, stored_rows), (engine_variables, engine_rows) = (read_answer(stored, syntax),
                                                                        read_answer(engine, syntax))
    assert stored_variables == engine_variables
    assert Counter(stored_rows) == Counter(engine_rows)
    if ordered:
        assert stored_rows == engine_rows


def ordered(text: str) -> bool:
    """Whether a query fixes the order of its rows."""
    return "ORDER BY" in text.upper()
