"""Cell text → RDF terms. Each function takes the cell text and raises ValueError with a plain message."""

import re
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

PARTIAL_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


def partial_date(text: str) -> Literal:
    """'1953' → xsd:gYear, '2013-10' → xsd:gYearMonth, '1950-06-25' → xsd:date; impossible dates refused."""
    match = PARTIAL_DATE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    if day:
        try:
            date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValueError(f"{text!r} is not a real day ({error})") from None
        return Literal(text, datatype=XSD.date)
    if month:
        if not 1 <= int(month) <= 12:
            raise ValueError(f"{text!r} has no month {month}")
        return Literal(text, datatype=XSD.gYearMonth)
    return Literal(text, datatype=XSD.gYear)


def day(text: str) -> Literal:
    """A full date (xsd:date), e.g. when a page was read."""
    value = partial_date(text)
    if value.datatype != XSD.date:
        raise ValueError(f"{text!r} must be a full date YYYY-MM-DD")
    return value


def year(text: str) -> Literal:
    value = partial_date(text)
    if value.datatype != XSD.gYear:
        raise ValueError(f"{text!r} must be a year YYYY")
    return value


def count(text: str) -> Literal:
    """A non-negative integer as written, without thousands separators."""
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a non-negative whole number (write 50000, not 50,000)")
    return Literal(int(text), datatype=XSD.nonNegativeInteger)


def age(text: str) -> Literal:
    value = count(text)
    if int(text) > 120:
        raise ValueError(f"age {text} is over 120")
    return value


def boolean(text: str) -> Literal:
    if text.lower() not in ("true", "false"):
        raise ValueError(f"{text!r} is not true or false")
    return Literal(text.lower() == "true")


def web_iri(text: str) -> URIRef:
    """An http(s) IRI, as given."""
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", text):
        raise ValueError(f"{text!r} is not an http(s) IRI")
    return URIRef(text)


def english(text: str) -> Literal:
    return Literal(text, lang="en")


def korean(text: str) -> Literal:
    if not HANGUL.search(text):
        raise ValueError(f"{text!r} has no Hangul; put a romanized name in the English or name column")
    return Literal(text, lang="ko")


def personal_name(text: str) -> Literal:
    """A person's name: Hangul is tagged 'ko', a romanization 'ko-Latn'."""
    return Literal(text, lang="ko" if HANGUL.search(text) else "ko-Latn")


def plain(text: str) -> Literal:
    return Literal(text)
