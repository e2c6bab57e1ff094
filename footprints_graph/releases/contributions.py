"""Publishing an accepted submission: its tables go into data/contributions/<id>/ with their provenance row
(convert/contributions.py reads them back at the next build).

An acceptance is refused (409), and nothing written, when the submission would describe again a record that
`data/` or an earlier accepted contribution describes (the same document, event, listing, … key): a curator
accepted a conflicting submission meanwhile, or the archive added the record itself. A person may be named
again: that adds a listing by another source to the same person. The folder is written whole into
`.incoming-<id>`, synced, then renamed, so a server killed while publishing leaves no half contribution.
"""

import csv
import io
import shutil
from pathlib import Path

from rdflib import RDF
from rdflib.term import Node

from footprints_graph.convert import ConvertedRecord
from footprints_graph.convert.contributions import (
    CONTRIBUTIONS,
    PROVENANCE,
    PROVENANCE_FILE,
    convert_contributions,
    record_keys,
)
from footprints_graph.convert.records import convert_files, convert_tables
from footprints_graph.errors import RecordError
from footprints_graph.releases.inbox import INCOMING, InboxError, sync_folder, write_durably
from footprints_graph.vocab import FP


def publish(record: dict, files: list[Path], data_dir: Path, base: str) -> Path:
    """Write an accepted submission's tables and provenance into data/contributions/<id>; return the folder."""
    folder = data_dir / CONTRIBUTIONS / record["id"]
    if folder.is_dir():  # published before the decision could be recorded (a server killed in between)
        return folder
    _refuse_conflicts(record["id"], files, data_dir, base)
    incoming = folder.with_name(f"{INCOMING}{record['id']}")
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir(parents=True)
    for path in files:
        write_durably(incoming / path.name, path.read_bytes())
    write_durably(incoming / PROVENANCE_FILE, provenance_row(record))
    incoming.rename(folder)
    sync_folder(folder.parent)
    return folder


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
        raise InboxError(409, f"The records in {data_dir} do not convert, so nothing can be added to them: "
                              f"{error}. Fix them (footprints-graph build says the same), then accept.") from None
    try:
        submitted = convert_files(files, record_keys(existing, base), base)
    except RecordError as error:
        raise InboxError(409, f"Submission {submission} no longer fits the records: {error.problem} "
                              f"({Path(error.origin.file).name}, line {error.origin.line}); ask for changes.") from None
    clashes = sorted(str(s) for s in _described(submitted) & _described(existing))
    if clashes:
        raise InboxError(409, f"Submission {submission} describes records that data/ or an accepted submission "
                              f"describes already: {', '.join(clashes[:10])}; ask the contributor for changes.")


def _described(records: list[ConvertedRecord]) -> set[Node]:
    """The typed resources the records describe, persons left out (a new listing may name a known person)."""
    return {s for r in records for s, p, o in r.triples if p == RDF.type and o != FP.Victim} - \
        {s for r in records for s, p, o in r.triples if p == RDF.type and o == FP.Victim}
