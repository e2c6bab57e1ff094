"""The reconciliation service (W3C Entity Reconciliation CG, Reconciliation Service API 0.2, the version
OpenRefine speaks) at /reconcile, the JSON-LD context at /context.jsonld and compact JSON-LD for records.

    app.register_blueprint(reconcile_blueprint(site.release, config.base))

`release` is called per request and returns the release being served (anything with `.store`, an open
pyoxigraph store, and `.views(base)`, whose `names` is the release's name index). Routes:

    GET  /reconcile                          the service manifest (JSONP with ?callback=)
    GET|POST /reconcile   queries=<batch>    reconciliation; extend=<query> data extension
    GET  /reconcile/preview?id=<id>          an HTML summary for OpenRefine's iframe
    GET  /reconcile/view?id=<id>             redirect to the entity's page
    GET  /reconcile/suggest/{entity,type,property}?prefix=&cursor=
    GET  /reconcile/extend/propose?type=<type>[&limit=]
    GET  /context.jsonld                     the JSON-LD context of compact records
    any minted IRI's page with ?format=compact or a compacted/framed JSON-LD Accept (see compact.py)

The logic is in releases/reconciliation/; this module parses requests and shapes responses.
"""

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

from footprints_graph import __version__
from footprints_graph.endpoint.linked_data import compact
from footprints_graph.endpoint.linked_data.presentation import IriSpace
from footprints_graph.endpoint.linked_data.routes import describe
from footprints_graph.iris import ONTOLOGY
from footprints_graph.releases.reconciliation import (
    GENERIC_TYPES,
    Index,
    ReconciliationError,
    extend,
    preview,
    propose_properties,
    reconcile,
    suggest_entities,
    suggest_properties,
    suggest_types,
)
from footprints_graph.resources import resource

SERVICE_NAME = "footprints-graph: South Korean victims of North Korea"
BATCH_SIZE = 50
# The longest query of a batch, as JSON: a name, a type and a few properties fit many times over; 50 queries of
# 100 KB kept a worker matching for 8.5 s (issue 13). A suggest prefix or an id is shorter still.
MAX_QUERY_CHARS = 2000
MAX_PARAMETER_CHARS = 500
PREVIEW_SIZE = {"width": 430, "height": 300}
CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,63}$")  # a JSONP callback name, nothing that could carry script
JSON = "application/json"


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        self.status, self.message = status, message
        super().__init__(message)


class ReconciliationService:
    """The routes, answering from the release `release()` returns, whose minted IRIs start with `base`."""

    def __init__(self, release: Callable[[], Any], base: str):
        self.release, self.base, self.space = release, base, IriSpace(base)

    def served(self) -> tuple[Any, Index]:
        current = self.release()  # the name index is a view the release carries (releases/views)
        return current.store, current.views(self.base).names

    def service(self) -> Response:
        """The manifest on a bare request; a query batch with `queries=`; data extension with `extend=`."""
        parameters = request.values
        if "queries" in parameters:
            return _json(reconcile(*self.served(), _queries(parameters["queries"])))
        if "extend" in parameters:
            return _json(extend(*self.served(), _extension(parameters["extend"])))
        return _json(_manifest(self.served()[1]))

    def preview(self) -> Response:
        summary = preview(*self.served(), _required("id"))
        if summary is None:
            raise BadRequest(404, f"no entity with id {request.args['id']!r}")
        return Response(render_template("reconcile_preview.html", preview=summary),
                        content_type="text/html; charset=utf-8")

    def view(self) -> Response:
        entity = self.served()[1].entities.get(_required("id"))
        if entity is None:
            raise BadRequest(404, f"no entity with id {request.args['id']!r}")
        return redirect(request.script_root + self.space.local(entity.iri), code=303)

    def suggest(self, kind: str) -> Response:
        prefix, cursor = _parameter("prefix"), _integer("cursor", 0)
        kinds = {"entity": lambda: suggest_entities(self.served()[1], prefix, cursor),
                 "type": lambda: suggest_types(self.served()[1], prefix, cursor),
                 "property": lambda: suggest_properties(prefix, cursor)}
        if kind not in kinds:
            raise BadRequest(404, f"no suggest service for {kind!r}; there are: {', '.join(kinds)}")
        return _json({"result": kinds[kind]()})

    def propose(self) -> Response:
        return _json(propose_properties(self.served()[1], _required("type"), _integer("limit", 0) or None))

    def context_document(self) -> Response:
        return _json(compact.context_document(), content_type="application/ld+json")

    def compact_record(self) -> Response | None:
        """A minted IRI's page in compact JSON-LD when asked for; anything else goes on to the linked-data
        pages."""
        if not request.path.startswith(self.space.base_path):
            return None
        if not compact.wants_compact(request.args, request.accept_mimetypes):
            return None
        return _compact_response(self.served()[0], self.space.iri(request.path))


ROUTES = (  # rule, method of ReconciliationService (also the endpoint name), HTTP methods
    ("/reconcile", "service", ("GET", "POST")),
    ("/reconcile/preview", "preview", ("GET",)),
    ("/reconcile/view", "view", ("GET",)),
    ("/reconcile/suggest/<kind>", "suggest", ("GET",)),
    ("/reconcile/extend/propose", "propose", ("GET",)),
    ("/context.jsonld", "context_document", ("GET",)),
)


def reconcile_blueprint(release: Callable[[], Any], base: str) -> Blueprint:
    """The blueprint, serving the release `release()` returns, whose minted IRIs start with `base`."""
    service = ReconciliationService(release, base)
    blueprint = Blueprint("reconcile", __name__)
    for rule, name, methods in ROUTES:
        blueprint.add_url_rule(rule, name, getattr(service, name), methods=list(methods))
    blueprint.before_app_request(service.compact_record)
    blueprint.register_error_handler(BadRequest, lambda e: _error(e.status, e.message))
    blueprint.register_error_handler(ReconciliationError, lambda e: _error(400, str(e)))
    return blueprint


# ---------------------------------------------------------------- the manifest


def _manifest(index: Index) -> dict:
    host = request.host_url.rstrip("/")
    root = host + request.script_root
    return {
        "versions": ["0.2"],
        "name": SERVICE_NAME,
        "identifierSpace": index.base,
        "schemaSpace": ONTOLOGY,
        "serviceVersion": __version__,
        "defaultTypes": [index.types[t].as_json(index.types) for t in GENERIC_TYPES if t in index.types],
        "view": {"url": f"{root}/reconcile/view?id={{{{id}}}}"},
        "preview": {"url": f"{root}/reconcile/preview?id={{{{id}}}}", **PREVIEW_SIZE},
        "suggest": {kind: {"service_url": host, "service_path": url_for("reconcile.suggest", kind=kind)}
                    for kind in ("entity", "type", "property")},
        "extend": {"propose_properties": {"service_url": host, "service_path": url_for("reconcile.propose")},
                   "property_settings": []},
        "batchSize": BATCH_SIZE,
    }


# ---------------------------------------------------------------- requests


def _parsed(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise BadRequest(400, f"the {name} parameter is not JSON: {error}") from None


def _queries(text: str) -> dict[str, dict]:
    """A reconciliation query batch, checked against our schema of the API's query batch."""
    if len(text) > BATCH_SIZE * MAX_QUERY_CHARS:  # refused before it is parsed: too long whatever it holds
        raise BadRequest(413, f"a batch may be at most {BATCH_SIZE * MAX_QUERY_CHARS} characters "
                              f"({BATCH_SIZE} queries of at most {MAX_QUERY_CHARS}); this one has {len(text)}")
    batch = _parsed("queries", text)
    if isinstance(batch, dict) and len(batch) > BATCH_SIZE:
        raise BadRequest(413, f"a batch holds at most {BATCH_SIZE} queries (the manifest's batchSize), "
                              f"this one {len(batch)}")
    _check("queries", batch, "reconciliation-query-batch")
    for key, query in batch.items():
        if (size := len(json.dumps(query, ensure_ascii=False))) > MAX_QUERY_CHARS:
            raise BadRequest(413, f"query {key!r} of the batch is {size} characters long as JSON; each may be at "
                                  f"most {MAX_QUERY_CHARS} (a name, a type and a few properties)")
    return batch


def _extension(text: str) -> dict:
    """A data extension query, checked against our schema of the API's data extension query."""
    query = _parsed("extend", text)
    _check("extend", query, "data-extension-query")
    return query


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    """The validator of one of our request schemas (endpoint/schemas), read once per process."""
    schema = json.loads(resource("endpoint/schemas", f"{schema_name}.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _check(parameter: str, request_value: Any, schema_name: str) -> None:
    """400 naming where in the parameter the value breaks the schema, what is wrong, and what is expected."""
    error = best_match(_validator(schema_name).iter_errors(request_value))
    if error is None:
        return
    expected = _expected(error)
    raise BadRequest(400, f"the {parameter} parameter, at {error.json_path}: {error.message}"
                          + (f"; expected {expected}" if expected else ""))


def _expected(error: ValidationError) -> str | None:
    """The description of the nearest schema around the error (our schemas describe what they accept)."""
    while error is not None:
        if "description" in error.schema:
            return error.schema["description"]
        error = error.parent
    return None


def _required(name: str) -> str:
    if not request.args.get(name):
        raise BadRequest(400, f"the {name} parameter is required")
    return _parameter(name)


def _parameter(name: str) -> str:
    """The parameter `name` ("" if absent); 413 past MAX_PARAMETER_CHARS."""
    value = request.args.get(name, "")
    if len(value) > MAX_PARAMETER_CHARS:
        raise BadRequest(413, f"the {name} parameter may be at most {MAX_PARAMETER_CHARS} characters")
    return value


def _integer(name: str, default: int) -> int:
    text = request.args.get(name, "")
    if not text:
        return default
    if not text.isdigit():
        raise BadRequest(400, f"{name} must be a non-negative whole number, not {text!r}")
    return int(text)


# ---------------------------------------------------------------- responses


def _json(data: Any, content_type: str = JSON) -> Response:
    """JSON, or JSONP when the request names a callback (OpenRefine's older clients use it)."""
    body = json.dumps(data, ensure_ascii=False)
    callback = request.args.get("callback")
    if callback is None:
        return Response(body, content_type=f"{content_type}; charset=utf-8")
    if not CALLBACK.match(callback):
        raise BadRequest(400, "callback must be a JavaScript identifier such as jsonp123")
    return Response(f"{callback}({body});", content_type="application/javascript; charset=utf-8")


def _compact_response(store, iri: str) -> Response | None:
    description = describe(store, iri)
    if not description.triples or description.members:  # unknown, or a named graph: the pages answer
        return None
    document = compact.compact_record(description.triples, iri, url_for("reconcile.context_document", _external=True))
    context_link = f'<{document["@context"]}>; rel="http://www.w3.org/ns/json-ld#context"'
    return Response(json.dumps(document, ensure_ascii=False, indent=1), content_type=compact.CONTENT_TYPE,
                    headers={"Link": context_link, "Vary": "Accept"})


def _error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")

