"""Accepted submissions → RDF with their provenance (issue 17).

A curator's acceptance writes a submission's record tables (sent as CSV in UTF-8 or CP949, or as .xlsx) as
CSV in UTF-8 into `data/contributions/<submission>/`, where people can read and edit them like the rest of
`data/`, beside one row of provenance:

    contribution.csv   submission, received, accepted, cited_source

Each contribution's tables are converted like `data/`'s (keys resolve against the records of `data/` and the
contribution's own), and every record says where it came from: `prov:wasGeneratedBy` the submission, an
activity that started when the submission was received, ended when a curator accepted it, and carries the
source the contributor cited (`dct:bibliographicCitation`).
"""

from datetime import datetime
from pathlib import Path

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD

from footprints_graph.convert import ConvertedRecord
from footprints_graph.convert.records import convert_files
from footprints_graph.errors import Origin, RecordError
from footprints_graph.iris import DEFAULT_BASE, graph_iri, mint
from footprints_graph.records.spreadsheets import TABLE_SUFFIXES
from footprints_graph.records.tables import TableSpec, read_table
from footprints_graph.vocab import FP

CONTRIBUTIONS = "contributions"  # the folder under data/
PROVENANCE_FILE = "contribution.csv"
PROVENANCE = TableSpec("contribution", "submission", ("received", "accepted"), ("cited_source",))


def convert_contributions(folder: Path, published: list[ConvertedRecord],
                          base: str = DEFAULT_BASE) -> list[ConvertedRecord]:
    """Every contribution under `folder` (data/contributions), its records carrying their provenance. A person
    restricted in data/ or in any contribution is restricted everywhere (see `restrict_people`)."""
    if not folder.is_dir():
        return []
    known = record_keys(published, base)
    contributed = [r for path in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
                   for r in _contribution(path, known, base)]
    restrict_people([*published, *contributed])
    return contributed


def restrict_people(records: list[ConvertedRecord]) -> None:
    """Mark restricted every record of a restricted person and every record that points to one. Within one set
    of tables the converter does this itself; across data/ and the contributions it must be done again: a
    contribution may add an event about a person data/ restricts later (a family asks for it), or restrict a
    person data/ publishes."""
    people = {r.subject for r in records if r.restricted and (r.subject, RDF.type, FP.Victim) in r.triples}
    for record in records:
        if record.subject in people or any(o in people for _s, _p, o in record.triples):
            record.restricted = True


def record_keys(records: list[ConvertedRecord], base: str) -> dict[str, set[str]]:
    """kind → keys of the records' subjects, for resolving a contribution's cells against data/."""
    keys: dict[str, set[str]] = {}
    for record in records:
        kind, _, key = str(record.subject).removeprefix(base).partition("/")
        keys.setdefault(kind, set()).add(key)
    return keys


def _contribution(folder: Path, known: dict[str, set[str]], base: str) -> list[ConvertedRecord]:
    provenance = read_provenance(folder)
    tables = sorted(p for p in folder.iterdir() if p.suffix.lower() in TABLE_SUFFIXES and p.name != PROVENANCE_FILE)
    records = convert_files(tables, known, base)
    activity = mint("submission", provenance["submission"], base)
    for record in records:
        record.add(record.subject, PROV.wasGeneratedBy, activity)
    return [*records, _activity(activity, provenance, folder, base)]


def read_provenance(folder: Path) -> dict[str, str]:
    """The one row of `contribution.csv`; its submission must be the folder's name."""
    path = folder / PROVENANCE_FILE
    if not path.is_file():
        raise RecordError(Origin(str(folder)), f"a contribution needs its {PROVENANCE_FILE} (submission, received, "
                                               "accepted, cited_source)")
    rows = list(read_table(path, PROVENANCE))
    if len(rows) != 1 or rows[0].key != folder.name:
        raise RecordError(Origin(str(path), 2), f"{PROVENANCE_FILE} holds one row, whose submission is the "
                                                f"folder's name {folder.name!r}")
    return {"submission": rows[0].key, **rows[0].cells}


def _activity(activity: URIRef, provenance: dict[str, str], folder: Path, base: str) -> ConvertedRecord:
    record = ConvertedRecord(Origin(str(folder / PROVENANCE_FILE), 2, provenance["submission"]), activity,
                             graph_iri(CONTRIBUTIONS, base))
    record.add(activity, RDF.type, PROV.Activity)
    record.add(activity, RDFS.label, Literal(f"Submission {provenance['submission']}", lang="en"))
    record.add(activity, PROV.startedAtTime, _time(provenance, "received", folder))
    record.add(activity, PROV.endedAtTime, _time(provenance, "accepted", folder))
    if provenance.get("cited_source"):
        record.add(activity, DCTERMS.bibliographicCitation, Literal(provenance["cited_source"]))
    return record


def _time(provenance: dict[str, str], column: str, folder: Path) -> Literal:
    try:
        datetime.fromisoformat(provenance[column])
    except ValueError:
        raise RecordError(Origin(str(folder / PROVENANCE_FILE), 2, provenance["submission"], column),
                          f"{provenance[column]!r} is not a date and time like 2026-12-06T00:40:00+00:00") from None
    return Literal(provenance[column], datatype=XSD.dateTime)
