"""/curator/: every record, restricted ones included, for curators who hold the token.

Restricted records (kept back for a family's or a witness's safety) never enter the public store: the build
writes them to releases/<id>/restricted/, with a second store of every record, public and restricted, in
restricted/store. These routes serve that store, read-only — the SPARQL protocol at /curator/sparql and the
RDF description of any IRI at /curator/id/… — to a request that carries the token:

    curl -H "Authorization: Bearer $TOKEN" --data-urlencode query@q.rq https://…/curator/sparql

The token comes from the configuration (`curator_token`; best as $FOOTPRINTS_CURATOR_TOKEN, never on a command
line). Without one the routes do not exist: 404, as for any unknown path. A wrong or missing token is a 401
that says nothing about the data. Tokens are compared in constant time, are read only from the Authorization
header (a token in the URL would end up in access logs) and are never logged; answers are `no-store`.
"""

import hmac

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, request

from footprints_graph.endpoint.config import ConfigError, EndpointConfig
from footprints_graph.endpoint.linked_data.routes import describe, exists
from footprints_graph.endpoint.site import current_site
from footprints_graph.endpoint.sparql.evaluation import serialize_triples
from footprints_graph.endpoint.sparql.protocol import (
    FORM,
    GRAPH,
    SparqlProtocolError,
    bad_request,
    negotiate,
    read_request,
)
from footprints_graph.endpoint.sparql.query_process import evaluate_in_slot
from footprints_graph.store.embedded import open_store

MIN_TOKEN_LENGTH = 16
REALM = 'Bearer realm="footprints-graph curators"'

blueprint = Blueprint("curator", __name__, url_prefix="/curator")


def register(app: Flask, config: EndpointConfig) -> None:
    """Add the curator routes if a token is configured; refuse a token too short to resist guessing."""
    if config.curator_token is None:
        return
    if len(config.curator_token) < MIN_TOKEN_LENGTH:
        raise ConfigError(f"curator_token is shorter than {MIN_TOKEN_LENGTH} characters; use a long random one, "
                          "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    app.register_blueprint(blueprint)


def not_authorised() -> SparqlProtocolError:
    return SparqlProtocolError(401, "The curator routes need the curator token: send it as `Authorization: Bearer "
                                    "<token>`.", {"WWW-Authenticate": REALM})


def _presented_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@blueprint.before_request
def authenticate() -> None:
    expected = current_site().config.curator_token or ""
    if not (expected and hmac.compare_digest(_presented_token().encode(), expected.encode())):
        raise not_authorised()


@blueprint.after_request
def keep_private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Authorization")
    return response


def curator_store() -> ox.Store:
    """The store of every record of the release being served, opened once per release and process."""
    release = current_site().release()
    folder = release.path / "restricted" / "store"
    if not folder.is_dir():
        raise SparqlProtocolError(503, f"Release {release.build_id} has no curator store (it was built before "
                                       "curator routes existed). Run `footprints-graph build` again.")
    return release.memo("curator store", lambda: open_store(folder))


@blueprint.route("/sparql", methods=["GET", "POST"])
def curator_sparql() -> Response:
    """The SPARQL protocol over every record, with the public endpoint's limits."""
    site = current_site()
    body = request.get_data(cache=True) if request.mimetype != FORM else b""
    protocol = read_request(request.method, request.mimetype, request.args, request.form, body,
                            site.config.max_query_bytes)
    if protocol.operation is None:
        raise bad_request("Send a query: /curator/sparql answers SPARQL queries over every record, restricted "
                          "ones included.")
    choose = lambda kind: negotiate(request.accept_mimetypes, kind, protocol.format_names)  # noqa: E731
    answer = evaluate_in_slot(curator_store(), protocol.operation, choose, site.config.query_timeout, site.config)
    return Response(answer.body, content_type=answer.format.content_type)


@blueprint.route("/id/<path:key>")
def curator_resource(key: str) -> Response:
    """The description of a minted IRI (what /id/… gives the public) from the store of every record, as RDF."""
    site = current_site()
    iri = site.space.iri(site.space.base_path + key)
    store = curator_store()
    if not _exists(store, iri):
        raise SparqlProtocolError(404, f"No record has the IRI <{iri}>.")
    chosen = negotiate(request.accept_mimetypes, GRAPH)
    return Response(serialize_triples(describe(store, iri).data, chosen), content_type=chosen.content_type)


def _exists(store: ox.Store, iri: str) -> bool:
    try:
        return exists(store, iri)
    except ValueError:  # not an IRI at all
        return False
