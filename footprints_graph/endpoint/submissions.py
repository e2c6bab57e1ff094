"""Submissions (issue 17): contributors hand records to the archive, curators review them.

    POST /submissions                  files (record tables, RDF, Uwazi exports with their mapping, or one
                                       partner's link set), cited_source, contact (restricted), note
        201 a receipt: the submission's id, the report, where to see its status
        422 the report, when the shapes found violations, or every problem of a link set with its line:
            nothing is kept
        400 a file that cannot be read; 409 the same files submitted already; 413 too large; 429 too many
            submissions from one client awaiting review
    GET  /submissions/<id>             the status: awaiting review, accepted, rejected, changes requested, and
                                       the reason of the last decision; nothing else
    GET  /curator/inbox                every submission, with the contributor's contact (curator token)
    GET  /curator/inbox/<id>           what it would change against the current release: new and changed
                                       records, warnings, likely duplicates with their scores
    POST /curator/inbox/<id>/decision  decision=accept|reject|ask-for-changes, reason, curator (who decides)

A submission is checked exactly as `footprints-graph validate` checks it, together with the current release; a
link set (a *.sssom.tsv file, or a CSV with the columns subject, predicate, object, author, date) exactly as
`footprints-graph link` checks it, its subjects against the release's records. Accepting one writes its tables,
or its link set, into data/contributions/<id>/ (releases/contributions.py): the next build publishes them with
their provenance. Contact details are read only by the curators' routes, which answer
`no-store`; they are never logged.
"""

import tempfile
from pathlib import Path

from flask import Blueprint, Flask, Response, jsonify, render_template, request
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from footprints_graph.convert.contributions import UWAZI_EXPORT, UWAZI_MAPPING, uwazi_mapping_of
from footprints_graph.convert.linksets import LinkSet, check_subjects, is_link_set, read_link_set
from footprints_graph.endpoint import curator
from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.review import likely_duplicates, review, review_link_set
from footprints_graph.endpoint.site import current_site
from footprints_graph.endpoint.sparql.protocol import best_match
from footprints_graph.errors import FootprintsError
from footprints_graph.records.spreadsheets import TABLE_SUFFIXES
from footprints_graph.releases.contributions import publish, refuse_formulas
from footprints_graph.releases.inbox import LINK_SET, Inbox, InboxError, Upload, client_key, public_status
from footprints_graph.releases.serving import NoRelease
from footprints_graph.validate import RDF_FORMATS, ValidationReport, validate_submission
from footprints_graph.validate.render import report_json
from footprints_graph.validate.submission import existing_keys

MAX_FILES = 20
MAX_FIELD = 2000  # characters of a cited source, a contact or a note
LINKING_DOCS = "docs/linking.md, Link sets"

blueprint = Blueprint("submissions", __name__)
curators = Blueprint("curator_inbox", __name__, url_prefix="/curator/inbox")
curators.before_request(curator.authenticate)
curators.after_request(curator.keep_private)


def register(app: Flask, config: EndpointConfig) -> None:
    """The contributors' routes, and the curators' when a curator token is configured."""
    app.register_blueprint(blueprint)
    app.register_error_handler(InboxError, lambda e: _refusal(e.status, str(e), submission=e.submission))
    if config.curator_token is not None:
        app.register_blueprint(curators)


def inbox() -> Inbox:
    return Inbox(current_site().config.home)


def _refusal(status: int, message: str, **details) -> tuple[Response, int]:
    return jsonify({"error": message, **{k: v for k, v in details.items() if v is not None}}), status


@blueprint.route("/submissions", methods=["POST"])
def submit() -> tuple[Response, int]:
    status, answer = receive()
    return jsonify(answer), status


def receive() -> tuple[int, dict]:
    """Check the request's submission and keep it if it conforms: (201, the receipt) or (422, the report and
    why it was refused). Other refusals raise InboxError. The web page (web/submission_page.py) answers the
    same way in HTML."""
    uploads = _uploads()
    details = {"cited_source": _field("cited_source", CITED_SOURCE_NEEDED), "note": _field("note")}
    contact = {"contact": _field("contact")}
    if any(is_link_set(u.name, u.content) for u in uploads):
        return _receive_link_set(uploads, details, contact)
    report, duplicates = _checked(uploads)
    if not report.conforms:
        return 422, {"error": "The submission breaks the shapes: fix the violations and submit again; nothing was "
                              "kept.", "report": report_json(report)}
    record = inbox().add(uploads, {**details, "report": report.counts()}, contact,
                         client_key(request.remote_addr or ""))
    return 201, {"id": record["id"], "status": record["status"], "status_url": status_url(record["id"]),
                 "report": report_json(report), "duplicates": duplicates}


def _receive_link_set(uploads: list[Upload], details: dict, contact: dict) -> tuple[int, dict]:
    """A partner's link set: (201, the receipt) or (422, every problem with its line)."""
    if len(uploads) != 1:
        raise InboxError(400, "A link set is submitted on its own: send its one file (*.sssom.tsv or a CSV of "
                              "links) in a submission of its own, and the record tables in another.")
    link_set, problems = _checked_link_set(uploads[0])
    if problems:
        return 422, {"error": f"The link set breaks the rules of link sets ({LINKING_DOCS}): fix every problem and "
                              "submit again; nothing was kept.", "problems": problems}
    summary = {"name": link_set.name, "graph": str(link_set.graph(current_site().config.base)),
               "mappings": len(link_set.mappings)}
    passed = ValidationReport([])  # a link set's rules are not shapes: it is kept only when every row keeps them
    record = inbox().add(uploads, {**details, "kind": LINK_SET, "link_set": summary, "report": passed.counts()},
                         contact, client_key(request.remote_addr or ""))
    return 201, {"id": record["id"], "status": record["status"], "status_url": status_url(record["id"]),
                 "report": report_json(passed), "link_set": summary, "duplicates": []}


def _checked_link_set(upload: Upload) -> tuple[LinkSet, list[str]]:
    """The link set read and checked as `footprints-graph link` checks it, its subjects against the records of
    the current release; its problems name the file and line, never the server's temporary folder."""
    base, store = current_site().config.base, _store()
    records = existing_keys(store, base) if store is not None else {}
    with tempfile.TemporaryDirectory(prefix="footprints-submission-") as folder:
        path = _saved(Path(folder), upload)
        if path.suffix.lower() == ".csv":  # kept as sent, opened by curators in a spreadsheet
            try:
                refuse_formulas(path)
            except FootprintsError as error:
                raise InboxError(400, str(error).replace(folder + "/", "")) from None
        link_set = read_link_set(path)
        check_subjects(link_set, {f"{base}{kind}/{key}" for kind, keys in records.items() for key in keys}, base)
        return link_set, [p.replace(folder + "/", "") for p in link_set.problems]


def status_url(submission: str) -> str:
    return f"{current_site().root()}/submissions/{submission}"


def _uploads() -> list[Upload]:
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        raise InboxError(400, "Send the submission's files as multipart/form-data fields named `files`.")
    if len(files) > MAX_FILES:
        raise InboxError(400, f"{len(files)} files: a submission holds at most {MAX_FILES}.")
    uploads = [_upload(f) for f in files]
    names = [Path(u.name).stem for u in uploads]  # published as <name>.csv
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise InboxError(400, f"two files have the same name (apart from .csv or .xlsx): {', '.join(twice)}")
    return uploads


def _upload(file: FileStorage) -> Upload:
    name = secure_filename(file.filename or "")
    if not name.lower().endswith((*TABLE_SUFFIXES, *RDF_FORMATS, UWAZI_EXPORT, UWAZI_MAPPING, ".sssom.tsv")):
        raise InboxError(400, f"{file.filename}: submit record tables (.csv or .xlsx, named people.csv, events.csv, "
                              f"… or ending -people.csv, …), RDF ({', '.join(RDF_FORMATS)}), an Uwazi export (.json) "
                              "with its mapping (.toml), or a link set (*.sssom.tsv, or a CSV of links)")
    return Upload(name, file.read())


CITED_SOURCE_NEEDED = ("The field `cited_source` is required: say where the records come from (a document, a list, "
                       "a testimony: its title, publisher and date, or a web address).")
CURATOR_NEEDED = "Say who decides: the field `curator` holds your name; it is kept with the decision."


def _field(name: str, needed: str | None = None) -> str:
    """A text field of the form, bounded in length; `needed` is the refusal when a required one is empty."""
    value = request.form.get(name, "").strip()
    if needed and not value:
        raise InboxError(400, needed)
    if len(value) > MAX_FIELD:
        raise InboxError(400, f"The field `{name}` is longer than {MAX_FIELD} characters.")
    return value


def _checked(uploads: list[Upload]) -> tuple[ValidationReport, list[dict]]:
    """The report of the uploads, checked with the current release, and the published victims the matcher finds
    alike; files that cannot be read are a 400 that names the file, never the server's temporary folder."""
    base, store = current_site().config.base, _store()
    with tempfile.TemporaryDirectory(prefix="footprints-submission-") as folder:
        paths = [_saved(Path(folder), u) for u in uploads]
        try:
            for path in (p for p in paths if p.suffix.lower() in TABLE_SUFFIXES):
                refuse_formulas(path)
            files, mapping = uwazi_mapping_of(paths)
            report = validate_submission(files, store, base, mapping)
            return report, likely_duplicates(paths, store, base) if report.conforms else []
        except FootprintsError as error:
            raise InboxError(400, str(error).replace(folder + "/", "")) from None


def _saved(folder: Path, upload: Upload) -> Path:
    path = folder / upload.name
    path.write_bytes(upload.content)
    return path


def _store():
    try:
        return current_site().release().store
    except NoRelease:
        return None


@blueprint.route("/submissions/<submission>")
def status(submission: str) -> Response:
    """What a contributor may see: the state and the reason of the last decision; a page for a browser."""
    shown = public_status(inbox().record(submission))
    if best_match(request.accept_mimetypes, ["application/json", "text/html"]) == "text/html":
        response = Response(render_template("submission_status.html", status=shown))
    else:
        response = jsonify(shown)
    response.headers["Cache-Control"] = "no-store"  # a decision changes it
    return response


@curators.route("")
def list_inbox() -> Response:
    box = inbox()
    return jsonify({"submissions": [{**r, **box.contact(r["id"])} for r in box.records()]})


@curators.route("/<submission>")
def open_submission(submission: str) -> Response:
    box = inbox()
    record = box.record(submission)
    reviewer = review_link_set if record.get("kind") == LINK_SET else review
    try:
        changes = reviewer(box.files(submission), _store(), current_site().config.base)
    except FootprintsError as error:  # a record it names was removed from the release since it was kept
        raise InboxError(409, f"Submission {submission} no longer reads against the current release: "
                              f"{str(error).replace(str(box.folder) + '/', '')}; ask for changes.") from None
    return jsonify({**record, **box.contact(submission), **changes})


@curators.route("/<submission>/decision", methods=["POST"])
def decide(submission: str) -> Response:
    decision, curator_name = request.form.get("decision", ""), _field("curator", CURATOR_NEEDED)
    box = inbox()
    config = current_site().config
    on_accept = lambda record: publish(record, box.files(submission), config.data, config.base)  # noqa: E731
    record = box.decide(submission, decision, request.form.get("reason", ""), curator_name, on_accept)
    return jsonify(record)
