"""/sparql: the SPARQL 1.1 Protocol endpoint. A query is answered in the format the client negotiates; a
bare GET is answered with the Service Description (RDF) or, for a browser, the query form."""

from flask import Blueprint, Response, request

from . import editor
from .evaluation import evaluate_with_deadline, serialize_triples
from .protocol import GRAPH, ProtocolRequest, formats_for, negotiate, outbound_service_refused, read_request
from .site import current_site
from .void import DESCRIPTION_PREFIXES, service_description_triples

blueprint = Blueprint("sparql", __name__)
HTML = "text/html"



@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    site = current_site()
    body = request.get_data(cache=True) if request.mimetype != "application/x-www-form-urlencoded" else b""
    protocol = read_request(request.method, request.mimetype, request.args, request.form, body,
                            site.config.max_query_bytes)
    if protocol.operation is None:
        return service_description(protocol)
    if "SERVICE" in protocol.operation.keywords and not site.config.federation:
        raise outbound_service_refused()
    as_page = editor.wants_page(protocol)  # a browser's query: the editor, with the results as a table
    choose = editor.page_format if as_page else (
        lambda kind: negotiate(request.accept_mimetypes, kind, protocol.format_names))
    answer = evaluate_with_deadline(site.release().store, protocol.operation, choose, site.config.query_timeout)
    if as_page:
        return editor.results_page(answer)
    response = Response(answer.body, content_type=answer.format.content_type)
    response.vary.add("Accept")
    return response


def service_description(protocol: ProtocolRequest) -> Response:
    """The Service Description in the negotiated RDF format, or the HTML query form for a browser."""
    site = current_site()
    if not protocol.format_names and _prefers_html():
        return editor.editor_page()
    chosen = negotiate(request.accept_mimetypes, GRAPH, protocol.format_names)
    triples = service_description_triples(site.release(), site.root(), site.config.federation)
    return Response(serialize_triples(triples, chosen, DESCRIPTION_PREFIXES), content_type=chosen.content_type,
                    headers={"Vary": "Accept"})


def _prefers_html() -> bool:
    accept = request.accept_mimetypes
    return bool(accept) and accept.best_match([*(f.media_type for f in formats_for(GRAPH)), HTML]) == HTML
