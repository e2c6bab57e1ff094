"""Cell text → RDF terms. Each function takes the cell text and raises a `Problem` (a ValueError worded in
English and Korean)."""

import re
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from footprints_graph.errors import Problem

PARTIAL_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


def partial_date(text: str) -> Literal:
    """'1953' → xsd:gYear, '2013-10' → xsd:gYearMonth, '1950-06-25' → xsd:date; impossible dates refused."""
    match = PARTIAL_DATE.match(text)
    if not match:
        raise Problem("not_a_date", text=text)
    year, month, day = match.groups()
    if day:
        try:
            date(int(year), int(month), int(day))
        except ValueError as error:
            raise Problem("not_a_real_day", text=text, reason=error) from None
        return Literal(text, datatype=XSD.date)
    if month:
        if not 1 <= int(month) <= 12:
            raise Problem("no_such_month", text=text, month=month)
        return Literal(text, datatype=XSD.gYearMonth)
    return Literal(text, datatype=XSD.gYear)


def day(text: str) -> Literal:
    """A full date (xsd:date), e.g. when a page was read."""
    value = partial_date(text)
    if value.datatype != XSD.date:
        raise Problem("full_date_needed", text=text)
    return value


def year(text: str) -> Literal:
    value = partial_date(text)
    if value.datatype != XSD.gYear:
        raise Problem("year_needed", text=text)
    return value


def count(text: str) -> Literal:
    """A non-negative integer as written, without thousands separators."""
    if not text.isdigit():
        raise Problem("not_a_count", text=text)
    return Literal(int(text), datatype=XSD.nonNegativeInteger)


def age(text: str) -> Literal:
    value = count(text)
    if int(text) > 120:
        raise Problem("age_over_120", text=text)
    return value


def boolean(text: str) -> Literal:
    if text.lower() not in ("true", "false"):
        raise Problem("not_a_boolean", text=text)
    return Literal(text.lower() == "true")


def web_iri(text: str) -> URIRef:
    """An http(s) IRI, as given."""
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", text):
        raise Problem("not_a_web_address", text=text)
    return URIRef(text)


def english(text: str) -> Literal:
    return Literal(text, lang="en")


def korean(text: str) -> Literal:
    if not HANGUL.search(text):
        raise Problem("no_hangul", text=text)
    return Literal(text, lang="ko")


def personal_name(text: str) -> Literal:
    """A person's name: Hangul is tagged 'ko', a romanization 'ko-Latn'."""
    return Literal(text, lang="ko" if HANGUL.search(text) else "ko-Latn")


def plain(text: str) -> Literal:
    return Literal(text)
