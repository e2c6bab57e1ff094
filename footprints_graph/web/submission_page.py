"""/submit: hand a submission to the archive from the browser — the record tables, the source they come from
and, if the contributor likes, a contact for the curators — with the same check and the same inbox as
`POST /submissions` (endpoint/submissions.py). The answer is the receipt with its status link, or the report
of what to fix (a link set's problems, each with its line), or why nothing could be kept."""

from flask import Blueprint, render_template, request

from footprints_graph.endpoint.language import chosen_language
from footprints_graph.endpoint.submissions import receive
from footprints_graph.releases.inbox import InboxError
from footprints_graph.web.validation_page import findings

blueprint = Blueprint("submission_page", __name__)


@blueprint.route("/submit", methods=["GET", "POST"])
def submit_page() -> tuple[str, int]:
    if request.method == "GET":
        return _page(), 200
    try:
        status, answer = receive()
    except InboxError as refusal:
        return _page(problem=str(refusal)), refusal.status
    return _page(answer=answer), status


def _page(answer: dict | None = None, problem: str | None = None) -> str:
    report = answer.get("report") if answer else None
    language = chosen_language()
    records = [(r, findings(r, language)) for r in report["records"]] if report else []
    return render_template("submit.html", answer=answer, report=report, records=records, problem=problem,
                           cited_source=request.form.get("cited_source", ""), note=request.form.get("note", ""))
