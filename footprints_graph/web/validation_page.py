"""/validate: check a submission in the browser — pasted, or uploaded as files — with the same engine as
`footprints-graph validate` (validate.validate_submission: the same file reading, the same shapes, the same
comparison with the published records), and see the report grouped by record with the fix for each problem.

Files are read by their names as the CLI reads them (RDF by suffix; record tables named people.csv, … or
*-people.csv; Uwazi entity JSON when the data folder has the Uwazi mapping). Pasted text is saved under the
name its chosen format gives it. `Accept: application/json` gets the report as the CLI's JSON.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request
from rdflib import SH, URIRef
from werkzeug.utils import secure_filename

from footprints_graph.convert.records import PEOPLE, TABLES
from footprints_graph.endpoint.language import chosen_language
from footprints_graph.endpoint.linked_data.documentation import anchor
from footprints_graph.endpoint.site import current_site
from footprints_graph.endpoint.sparql.protocol import best_match
from footprints_graph.endpoint.sparql.query_process import Call, call_in_slot
from footprints_graph.errors import FootprintsError, RecordError
from footprints_graph.records.spreadsheets import TABLE_SUFFIXES
from footprints_graph.resources import shapes_graph
from footprints_graph.validate import RDF_FORMATS, report_json, validate_submission
from footprints_graph.validate.table_words import path_in_columns, table_of

UWAZI_MAPPING = Path("uwazi") / "footprints-victims.toml"  # under the configured data folder
RDF_CHOICES = ((".ttl", "Turtle"), (".nt", "N-Triples"), (".nq", "N-Quads"), (".trig", "TriG"),
               (".jsonld", "JSON-LD"), (".rdf", "RDF/XML"))
TABLE_NAMES = tuple(f"{kind}.csv" for kind in (PEOPLE.kind, *(t.spec.kind for t in TABLES)))

blueprint = Blueprint("validation_page", __name__)


@dataclass(frozen=True)
class Finding:
    """One result as the page shows it: what is wrong, how to fix it, and the rule's reason."""

    severity: str
    focus: str | None  # the node it is about, when not the record itself
    path: str | None
    value: str | None
    fix: str
    why: str | None
    shape: str
    shape_href: str
    columns: str | None = None  # the path in the words of the record tables, for a record from a table


def paste_formats() -> list[tuple[str, str]]:
    """(file name to save pasted text under, label) for the format menu."""
    return [(f"submission{suffix}", label) for suffix, label in RDF_CHOICES] + [(n, n) for n in TABLE_NAMES]


def uwazi_mapping() -> Path | None:
    mapping = current_site().config.data / UWAZI_MAPPING
    return mapping if mapping.is_file() else None


def _saved_files(folder: Path) -> list[Path]:
    """The uploaded files and the pasted text, written into `folder` under names the reader understands."""
    paths = []
    for upload in request.files.getlist("files"):
        if upload.filename:
            paths.append(folder / (secure_filename(upload.filename) or "upload"))
            upload.save(paths[-1])
    text, name = request.form.get("text", ""), request.form.get("format", "submission.ttl")
    if text.strip():
        allowed = {n for n, _ in paste_formats()}
        paths.append(folder / (name if name in allowed else "submission.ttl"))
        paths[-1].write_text(text, encoding="utf-8")
    return paths


def check_submission() -> tuple[dict | None, str | None]:
    """The report (as the CLI's JSON) of what was submitted, or the reason it could not be read. The check runs in
    the query process with the endpoint's deadline: some uploads make a shape's work grow with the square of their
    nodes (40 deaths and 40 abductions of one victim kept a worker for over 30 s), and a stopped check is a 503."""
    site = current_site()
    with tempfile.TemporaryDirectory(prefix="footprints-submission-") as folder:
        paths = _saved_files(Path(folder))
        if not paths:
            return None, "nothing_submitted"
        store = site.release().store  # no release is the server's fault (503), not the submission's
        seconds = site.config.query_timeout
        overrun = (f"Checking the submission took longer than {seconds:g} s, this server's limit, and was stopped. "
                   "Send fewer records at a time, or check them with `footprints-graph validate`.")
        arguments = (folder, paths, site.config.base, uwazi_mapping(), chosen_language(),
                     site.config.max_upload_records)
        return call_in_slot(store, Call(checked_submission, arguments, seconds, overrun), site.config)


def checked_submission(store, folder: str, paths: list[Path], base: str, mapping: Path | None,
                       language: str, max_records: int) -> tuple[dict | None, str | None]:
    """check_submission's work, in the query process: plain data back, the error said in the reader's language
    without the server's folder."""
    try:
        report = validate_submission(paths, store, base, mapping, max_records)
    except FootprintsError as error:
        said = error.text(language) if isinstance(error, RecordError) else str(error)
        return None, said.replace(folder + "/", "")
    return report_json(report), None


def findings(record: dict, language: str) -> list[Finding]:
    table = _table(record)
    return [_finding(r, record["record"], language, table) for r in record["results"]]


def _table(record: dict) -> str | None:
    """The record table a record came from, if it came from one (its origin is file:line, …)."""
    file = (record.get("origin") or "").split(":", 1)[0]
    return table_of(record["record"], current_site().config.base) if Path(file).suffix in TABLE_SUFFIXES else None


def _finding(result: dict, record: str, language: str, table: str | None) -> Finding:
    shape = URIRef(result["source_shape"])
    columns = path_in_columns(result["path"], table) if table and result["path"] else None
    return Finding(result["severity"], result["focus_node"] if result["focus_node"] != record else None,
                   result["path"], result["value"], result["message"].get(language) or result["message"]["en"],
                   _description(shape, language), anchor(str(shape)), f"/shapes#{anchor(str(shape))}", columns)


def _description(shape: URIRef, language: str) -> str | None:
    texts = {d.language: str(d) for d in shapes_graph().objects(shape, SH.description)}
    return texts.get(language) or texts.get("en")


@blueprint.route("/validate", methods=["GET", "POST"])
def validate_page() -> Response | str:
    if request.method == "GET":
        return _page()
    report, problem = check_submission()
    if best_match(request.accept_mimetypes, ["text/html", "application/json"]) == "application/json":
        return jsonify(report) if report else (jsonify({"error": problem}), 400)
    return _page(report, problem), 400 if problem else 200


def _page(report: dict | None = None, problem: str | None = None) -> str:
    language = chosen_language()
    records = [(r, findings(r, language)) for r in report["records"]] if report else []
    return render_template("validate.html", report=report, records=records, problem=problem,
                           formats=paste_formats(), chosen=request.form.get("format", "submission.ttl"),
                           text=request.form.get("text", ""), uwazi=uwazi_mapping() is not None,
                           suffixes=sorted({*RDF_FORMATS, *TABLE_SUFFIXES, *([".json"] if uwazi_mapping() else [])}))
