"""Publishing an accepted submission: its tables (as CSV in UTF-8), its RDF (as Turtle), its Uwazi exports and
their mapping (as sent), or its link set under links/ (as sent), go into data/contributions/<id>/ with their
provenance row (convert/contributions.py reads them back at the next build).

An acceptance is refused (409), and nothing written, when the submission would describe again a record that
`data/` or an earlier accepted contribution describes (the same document, event, listing, … key): a curator
accepted a conflicting submission meanwhile, or the archive added the record itself. A person may be named
again: that adds a listing by another source to the same person. A link set is checked again as `footprints-graph
link` checks it, against the records the next build reads, and refused (409) if it makes a link set of the name
of one published already. The folder is written whole into `.incoming-<id>`, checked there as the build will read
it, synced, then renamed, so a server killed while publishing leaves no half contribution.
"""

import csv
import io
import re
import shutil
from pathlib import Path

from rdflib import RDF
from rdflib.term import Node

from footprints_graph.convert import ConvertedRecord
from footprints_graph.convert.contributions import (
    CONTRIBUTIONS,
    LINKS,
    PROVENANCE,
    PROVENANCE_FILE,
    TURTLE,
    UWAZI_EXPORT,
    UWAZI_MAPPING,
    contributed_link_sets,
    convert_contributions,
    convert_submitted,
    record_keys,
)
from footprints_graph.convert.linksets import check_subjects, link_set_files, public_subjects, read_link_set
from footprints_graph.convert.records import convert_tables
from footprints_graph.errors import Origin, RecordError
from footprints_graph.iris import PREFIXES
from footprints_graph.records.spreadsheets import read_rows
from footprints_graph.releases.inbox import INCOMING, LINK_SET, InboxError, sync_folder, write_durably
from footprints_graph.validate import RDF_FORMATS
from footprints_graph.validate.submission import read_submission
from footprints_graph.vocab import FP

FORMULA = re.compile(r"^(?:[=+@\t\r]|-(?!\d))")


def publish(record: dict, files: list[Path], data_dir: Path, base: str) -> Path:
    """Write an accepted submission's tables (or link set) and provenance into data/contributions/<id>; return the
    folder."""
    folder = data_dir / CONTRIBUTIONS / record["id"]
    if folder.is_dir():  # published before the decision could be recorded (a server killed in between)
        return folder
    records = record.get("kind") != LINK_SET
    if records:
        contents = {_published_name(path): _as_published(path, base) for path in files}
    else:
        contents = {Path(LINKS) / _checked_link_set(record["id"], files, data_dir, base): files[0].read_bytes()}
    incoming = folder.with_name(f"{INCOMING}{record['id']}")
    shutil.rmtree(incoming, ignore_errors=True)
    for name, content in {**contents, Path(PROVENANCE_FILE): provenance_row(record)}.items():
        (incoming / name).parent.mkdir(parents=True, exist_ok=True)
        write_durably(incoming / name, content)
    sync_folder(incoming)  # links/, made in it
    try:  # what the build will read, checked as it will read it
        if records:
            _refuse_conflicts(record["id"], [incoming / name for name in contents], data_dir, base)
    except InboxError:
        shutil.rmtree(incoming)
        if not any(folder.parent.iterdir()):  # the first contribution: leave data/ as it was
            folder.parent.rmdir()
        raise
    incoming.rename(folder)
    sync_folder(folder.parent)
    return folder


def _checked_link_set(submission: str, files: list[Path], data_dir: Path, base: str) -> str:
    """The name an accepted link set is kept under, once checked as `footprints-graph link` checks it against the
    records the next build reads; a 409 with every problem if it no longer fits them."""
    link_set = read_link_set(files[0])
    check_subjects(link_set, _public_subjects(data_dir, base), base)
    taken = [*link_set_files(data_dir / "links"), *contributed_link_sets(data_dir / CONTRIBUTIONS, base)]
    if any(read_link_set(path).name == link_set.name for path in taken):
        link_set.problem(None, f"a published link set is named {link_set.name!r} already")
    if link_set.problems:
        problems = "; ".join(p.replace(f"{files[0].parent}/", "") for p in link_set.problems[:10])
        raise InboxError(409, f"Submission {submission} no longer fits the records: {problems}; ask for changes.")
    return link_set.file_name


def _public_subjects(data_dir: Path, base: str) -> set[str]:
    try:
        return public_subjects(data_dir, base)
    except RecordError as error:  # the archive's own records: theirs to fix before anything is added
        raise InboxError(409, _UNCONVERTED.format(data=data_dir, error=error)) from None


_UNCONVERTED = ("The records in {data} do not convert, so nothing can be added to them: {error}. Fix them "
                "(footprints-graph build says the same), then accept.")


def _published_name(path: Path) -> Path:
    """Tables as CSV, RDF as Turtle, an Uwazi export and its mapping as sent."""
    if path.suffix in (UWAZI_EXPORT, UWAZI_MAPPING):
        return Path(path.name)
    return Path(f"{path.stem}{TURTLE if path.suffix in RDF_FORMATS else '.csv'}")


def _as_published(path: Path, base: str) -> bytes:
    if path.suffix in (UWAZI_EXPORT, UWAZI_MAPPING):
        return path.read_bytes()
    return as_turtle(path, base) if path.suffix in RDF_FORMATS else as_csv(path)


def as_turtle(path: Path, base: str) -> bytes:
    """RDF in any format `validate` reads, as Turtle with our prefixes (named graphs merged, as the check read
    them)."""
    graph = read_submission([path], {}, base).graph
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph.serialize(format="turtle").encode()


def as_csv(path: Path) -> bytes:
    """A record table as data/ keeps them, whatever it was sent as (CSV in UTF-8 or CP949, a workbook): CSV in
    UTF-8, the header and each row's cells as read (a workbook's values, never its formulas)."""
    header, rows = read_rows(path)
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([row.get(column) or "" for column in header] for _line, row in rows)
    return output.getvalue().encode()


def refuse_formulas(path: Path) -> None:
    """Refuse a cell a spreadsheet would run as a formula when a curator opens the published table (CSV
    injection: =, +, @, a tab or a return first, or - before anything but a digit)."""
    header, rows = read_rows(path)
    for line, row in [(1, {column: column for column in header}), *rows]:
        for column, text in _cells(row):
            if FORMULA.match(text):
                raise RecordError(Origin(str(path), line, field=column), f"the cell {text[:40]!r} would run as a "
                                  "formula in a spreadsheet: start it with another character")


def _cells(row: dict) -> list[tuple[str | None, str]]:
    """(column, text) of every cell, the surplus ones beyond the header (under None) included."""
    return [(column, text) for column, cell in row.items()
            for text in (cell if isinstance(cell, list) else [cell or ""])]


def provenance_row(record: dict) -> bytes:
    """contribution.csv: which submission, when it was received and accepted, the source the contributor cited."""
    accepted = record["decisions"][-1]["at"]
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow([PROVENANCE.key, *PROVENANCE.required, *PROVENANCE.optional])
    writer.writerow([record["id"], record["received"], accepted, record.get("cited_source", "")])
    return output.getvalue().encode()


def _refuse_conflicts(submission: str, files: list[Path], data_dir: Path, base: str) -> None:
    try:
        existing = convert_tables(data_dir, base)
        existing += convert_contributions(data_dir / CONTRIBUTIONS, existing, base)
    except RecordError as error:  # the archive's own records: theirs to fix before anything is added
        raise InboxError(409, _UNCONVERTED.format(data=data_dir, error=error)) from None
    try:
        submitted = convert_submitted(files, record_keys(existing, base), base)
    except RecordError as error:
        place = Origin(Path(error.origin.file).name, error.origin.line, error.origin.record, error.origin.field)
        raise InboxError(409, f"Submission {submission} no longer fits the records: {error.problem} "
                              f"({place}); ask for changes.") from None
    clashes = sorted(str(s) for s in _described(submitted) & _described(existing))
    if clashes:
        raise InboxError(409, f"Submission {submission} describes records that data/ or an accepted submission "
                              f"describes already: {', '.join(clashes[:10])}; ask the contributor for changes.")


def _described(records: list[ConvertedRecord]) -> set[Node]:
    """The typed resources the records describe, persons left out (a new listing may name a known person)."""
    return {s for r in records for s, p, o in r.triples if p == RDF.type and o != FP.Victim} - \
        {s for r in records for s, p, o in r.triples if p == RDF.type and o == FP.Victim}
