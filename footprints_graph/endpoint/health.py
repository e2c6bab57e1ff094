"""/health and /ready, for load balancers and service managers.

/health says the process answers HTTP and asks the store nothing, so a slow or restarting store never gets a
healthy worker restarted. /ready says this replica can serve: the release is there, its store answers, and
every named graph of the release holds as many triples in the store as the release's summary says (the check
`load` makes after loading, repeated) — a store that lost or gained triples, or a server that holds another
release, is not ready. A store that cannot be reached is the endpoint's usual 503 with Retry-After.
"""

from flask import Blueprint, Response, jsonify

from footprints_graph.endpoint.site import current_site

blueprint = Blueprint("health", __name__)
RETRY_AFTER_SECONDS = 30  # a store that does not match is being loaded, or needs an operator


@blueprint.route("/health")
def health() -> Response:
    return _no_store(jsonify(status="up"))


@blueprint.route("/ready")
def ready() -> Response:
    release = current_site().release()  # none yet: the endpoint's 503
    mismatches = release.count_mismatches()
    if mismatches:
        response = _no_store(jsonify(status="not ready", release=release.build_id, mismatches=mismatches))
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return _no_store(jsonify(status="ready", release=release.build_id, triples=release.summary["triples"]))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # a probe must reach this process, never a cache on the way
    return response
