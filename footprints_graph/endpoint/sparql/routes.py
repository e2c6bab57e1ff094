"""/sparql: the SPARQL 1.1 Protocol endpoint. A query is answered in the format the client negotiates; a
bare GET is answered with the Service Description (RDF) or, for a browser, the query form."""

from functools import partial

from flask import Blueprint, Response, request
from werkzeug.wsgi import wrap_file

from footprints_graph.endpoint.linked_data.void import DESCRIPTION_PREFIXES, service_description_triples
from footprints_graph.endpoint.site import current_site
from footprints_graph.endpoint.sparql import editor
from footprints_graph.endpoint.sparql.backends import ReadableStore
from footprints_graph.endpoint.sparql.cache import answer_cache, cache_key
from footprints_graph.endpoint.sparql.evaluation import Answer, Chooser, serialize_triples
from footprints_graph.endpoint.sparql.protocol import (
    GRAPH,
    SOLUTIONS,
    Negotiated,
    ProtocolRequest,
    QueryOperation,
    ResultFormat,
    formats_for,
    negotiate,
    negotiated,
    read_request,
)
from footprints_graph.endpoint.sparql.query_process import evaluate_in_slot
from footprints_graph.releases.serving import Release
from footprints_graph.releases.views import FOLDER as VIEWS
from footprints_graph.releases.views.library import LibraryAnswers, StoredAnswer

blueprint = Blueprint("sparql", __name__)
HTML = "text/html"


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    site = current_site()
    body = request.get_data(cache=True) if request.mimetype != "application/x-www-form-urlencoded" else b""
    protocol = read_request(request.method, request.mimetype, request.args, request.form, body,
                            site.config.max_query_bytes, request.mimetype_params.get("charset"),
                            base=site.root() + request.path)  # relative IRIs resolve against the URL asked
    if protocol.operation is None:
        return service_description(protocol)
    as_page = editor.wants_page(protocol)  # a browser's query: the editor, with the results as a table
    # negotiated once, for the answer, its cache key and the query process alike
    choose = (Negotiated(editor.page_format) if as_page
              else negotiated(request.headers.get("Accept"), protocol.format_names))
    release = site.release()  # once: the answer and its cache key must be of the same release
    stored = _stored_answer(release, protocol.operation)
    if stored is not None:
        return _send_stored(stored, choose(SOLUTIONS), as_page)
    evaluate = partial(_evaluate, release.store, protocol.operation, choose)
    # kept only once the store holds the release: a server being loaded answers for what it holds so far
    answer = (answer_cache().answer(cache_key(release.build_id, protocol.operation, choose), evaluate)
              if release.holds_release() else evaluate())
    if as_page:
        return editor.results_page(answer)
    response = Response(answer.body, content_type=answer.format.content_type)
    response.vary.add("Accept")
    return response


def _stored_answer(release: Release, operation: QueryOperation) -> StoredAnswer | None:
    """The answer the release carries for a library query (releases/views/library.py) when the engine would give
    the same: the exact text, the dataset the build ran it on (no dataset parameters, no FROM), a store that holds
    the release (a server being loaded answers for what it holds so far). Before the cache and without a query
    slot. Sent whole, whatever its rows: `max_result_rows` bounds what the engine evaluates and holds for a request,
    and a stored answer is a file the build wrote, sent a block at a time (docs/security.md)."""
    if operation.default_graphs or operation.named_graphs or not release.holds_release():
        return None
    stored = release.memo("library answers", lambda: LibraryAnswers(release.path / VIEWS)).find(operation.text)
    return None if "FROM" in operation.keywords else stored


def _send_stored(stored: StoredAnswer, chosen: ResultFormat, as_page: bool) -> Response:
    if as_page:
        return editor.stored_results_page(stored)
    file = stored.file(chosen.syntax)
    response = Response(wrap_file(request.environ, file.open("rb")), content_type=chosen.content_type,
                        direct_passthrough=True)
    response.content_length = file.stat().st_size
    response.vary.add("Accept")
    return response


def _evaluate(store: ReadableStore, operation: QueryOperation, choose: Chooser) -> Answer:
    config = current_site().config
    return evaluate_in_slot(store, operation, choose, config.query_timeout, config)


def service_description(protocol: ProtocolRequest) -> Response:
    """The Service Description in the negotiated RDF format, or the HTML query form for a browser."""
    site = current_site()
    if not protocol.format_names and _prefers_html():
        return editor.editor_page()
    chosen = negotiate(request.accept_mimetypes, GRAPH, protocol.format_names)
    triples = service_description_triples(site.release(), site.root(), site.config.base,
                                          bool(site.config.federation))
    return Response(serialize_triples(triples, chosen, DESCRIPTION_PREFIXES), content_type=chosen.content_type,
                    headers={"Vary": "Accept"})


def _prefers_html() -> bool:
    accept = request.accept_mimetypes
    return bool(accept) and accept.best_match([*(f.media_type for f in formats_for(GRAPH)), HTML]) == HTML
