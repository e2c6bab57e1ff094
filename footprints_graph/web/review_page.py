"""/review: the curators' inbox in the browser. The page holds no data: its script (static/review.js) asks
/curator/inbox with the curator token the curator types in (kept in this tab's sessionStorage, sent only as
`Authorization: Bearer`), shows each submission — what it would change, the likely duplicates with their
scores, the report's counts, the contributor's contact — and sends the decision. Without a configured token
the page does not exist, like the routes it calls."""

from flask import Blueprint, Flask, render_template

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.language import chosen_language
from footprints_graph.endpoint.messages import template

blueprint = Blueprint("review_page", __name__)
WORDS = ("review_token", "review_open", "review_received", "review_status", "review_source", "review_contact",
         "review_new", "review_changed", "review_unchanged", "review_duplicates", "review_counts", "review_decide",
         "review_reason", "review_curator", "review_send", "review_empty", "review_refused", "review_accept",
         "review_reject", "review_ask_for_changes",
         "submission_awaiting_review", "submission_accepted", "submission_rejected", "submission_changes_requested")


def register(app: Flask, config: EndpointConfig) -> None:
    if config.curator_token is not None:
        app.register_blueprint(blueprint)


@blueprint.route("/review")
def review_page() -> str:
    language = chosen_language()
    return render_template("review.html", words={key: template(language, key) for key in WORDS})
