"""The HTTP face of the graph: the SPARQL 1.1 Protocol at /sparql, linked-data pages for every minted IRI,
the ontology and shapes documentation, VoID, dumps and the validation report.

    app = Flask(__name__); install(app, EndpointConfig(home=Path("var")))

The site (web.create_app) installs it beside the pages for people; `footprints-graph serve` runs the site
under gunicorn (footprints_graph/server.py)."""

import re
from contextlib import suppress

from flask import Flask, Response, render_template, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from footprints_graph.endpoint import curator, health, language, reconcile, submissions
from footprints_graph.endpoint.config import EndpointConfig, load_config
from footprints_graph.endpoint.linked_data import documentation
from footprints_graph.endpoint.linked_data import routes as linked_data
from footprints_graph.endpoint.site import Site
from footprints_graph.endpoint.sparql import cache
from footprints_graph.endpoint.sparql import routes as sparql
from footprints_graph.endpoint.sparql.evaluation import QueryFailed, server_fault
from footprints_graph.endpoint.sparql.protocol import SparqlProtocolError, plain_error, wants_html
from footprints_graph.endpoint.stored import StoredAnswers
from footprints_graph.releases.serving import NoRelease

__all__ = ["EndpointConfig", "install", "load_config"]
EXPOSED_HEADERS = ["Link", "ETag", "Last-Modified", "Vary", "Content-Type"]


def install(app: Flask, config: EndpointConfig) -> None:
    """The endpoint's routes on `app`, serving the release under `config.home`: SPARQL, linked data, the
    documentation, reconciliation and the curators' routes, with their error pages, CORS and the answer cache.
    The store is opened on first use in each process (after gunicorn forks its workers), read-only. HTML
    answers use the templates of the application (web/templates)."""
    site = Site(config)
    app.extensions["footprints"] = site
    app.extensions[cache.EXTENSION] = cache.AnswerCache(config.cache_bytes)  # per worker: made after the fork
    if config.in_memory:  # copy the release into memory when the worker starts, not during a first request
        with suppress(NoRelease):
            site.release()
    app.config["MAX_CONTENT_LENGTH"] = config.max_query_bytes + 4096  # a form's other fields and encoding
    for module in (sparql, linked_data, documentation, language, health):
        app.register_blueprint(module.blueprint)
    app.register_blueprint(reconcile.reconcile_blueprint(site.release, config.base))
    curator.register(app, config)  # only with a curator token: restricted records, authenticated
    submissions.register(app, config)  # contributors submit; curators review (with the token)
    app.add_template_filter(lambda iri: site.space.local(iri) or iri, "local")
    _register_errors(app)
    CORS(app, expose_headers=EXPOSED_HEADERS)  # every route, reconciliation's too (API 0.2, 'Cross-Origin Access')
    # persons' Turtle, library answers, the engine's answers to plain queries
    app.wsgi_app = StoredAnswers(app.wsgi_app, site, app.extensions[cache.EXTENSION], EXPOSED_HEADERS)
    # outermost: a repeated answer is sent from memory, the release's stored ones too (in process, a library
    # answer from its file 59 us of CPU a request, from the cache 7.5 us)
    app.wsgi_app = cache.ResponseCache(app.wsgi_app, site, app.extensions[cache.EXTENSION])


def _register_errors(app: Flask) -> None:
    app.register_error_handler(SparqlProtocolError, _protocol_error)
    app.register_error_handler(NoRelease, lambda e: error_response(503, str(e)))
    app.register_error_handler(QueryFailed, lambda e: _protocol_error(server_fault(e)))
    app.register_error_handler(HTTPException, lambda e: error_response(e.code or 500, e.description or e.name))


def _protocol_error(error: SparqlProtocolError) -> Response:
    return error_response(error.status, error.message, error.headers)  # Retry-After with a 503 when slots are full


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error as plain text (what SPARQL clients show their users; before Flask too, sparql/stored.py) or as an
    HTML page for a browser."""
    if not wants_html(request.headers.get("Accept")):
        return plain_error(status, message, headers)
    template = "not_found.html" if status == 404 else "error.html"
    hint = " ".join(re.findall(r"[A-Za-z0-9]+", request.path.rstrip("/").rsplit("/", 1)[-1]))  # search words
    response = Response(render_template(template, status=status, message=message, hint=hint, path=request.path),
                        status=status, content_type="text/html; charset=utf-8")
    response.headers.update(headers or {})
    return response
