"""/sparql: the SPARQL 1.1 Protocol endpoint. A query is answered in the format the client negotiates; a
bare GET is answered with the Service Description (RDF) or, for a browser, the query form."""

from flask import Blueprint, Response, request

from footprints_graph.endpoint.linked_data.void import DESCRIPTION_PREFIXES, service_description_triples
from footprints_graph.endpoint.site import current_site
from footprints_graph.endpoint.sparql import editor
from footprints_graph.endpoint.sparql.cache import answer_cache
from footprints_graph.endpoint.sparql.evaluation import serialize_triples
from footprints_graph.endpoint.sparql.protocol import (
    GRAPH,
    SOLUTIONS,
    Negotiated,
    ProtocolRequest,
    ResultFormat,
    formats_for,
    negotiate,
    negotiated,
    read_request,
)
from footprints_graph.endpoint.sparql.stored import answered_headers, evaluated, stored_answer, stored_body
from footprints_graph.releases.views.library import StoredAnswer

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
    stored = stored_answer(release, protocol.operation)
    if stored is not None:
        return _send_stored(stored, choose(SOLUTIONS), as_page)
    answer = evaluated(site, release, protocol.operation, choose, answer_cache())  # as before Flask (stored.py)
    if as_page:
        return editor.results_page(answer)
    return Response(answer.body, headers=answered_headers(answer.format, len(answer.body)))


def _send_stored(stored: StoredAnswer, chosen: ResultFormat, as_page: bool) -> Response:
    if as_page:
        return editor.stored_results_page(stored)
    body, size = stored_body(request.environ, stored, chosen)
    return Response(body, headers=answered_headers(chosen, size), direct_passthrough=True)


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
