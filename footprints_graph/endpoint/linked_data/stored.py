"""A person's Turtle answered from the release's records view (releases/views/records.py), before Flask: one keyed
read and the headers the linked-data route sends (routes.respond), where Flask's route would read and decode
some 45 quads from the store, serialise them and pass Flask's machinery. That route cost the workers about
1.5 ms of CPU a lookup, gunicorn's own answer about 0.25 ms (docs/performance.md).

Only the plain case is answered here: a GET of `/id/person/…` without a query string for which negotiation picks
Turtle, on a release whose view holds the person. Everything else goes on to Flask, which answers it as before:
other formats and pages, compact JSON-LD (asked for at any quality), conditional requests (Flask answers 304),
cross-origin requests (flask-cors writes their headers), a release without the view, a person the view lacks
(restricted, unknown: 404). The answer cache (sparql/cache.py) sits behind this, so a record answered here is
never kept there too.
"""

from collections.abc import Callable, Iterable
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import http_date, parse_accept_header

from footprints_graph.endpoint.linked_data.compact import wants_compact
from footprints_graph.endpoint.linked_data.routes import content_type, entity_tag, offered_types, representation_headers
from footprints_graph.endpoint.site import Site
from footprints_graph.endpoint.sparql.evaluation import QueryFailed
from footprints_graph.endpoint.sparql.protocol import best_match
from footprints_graph.errors import FootprintsError

TURTLE = "text/turtle"
# what makes the answer differ from the stored one: conditional requests, ranges, and CORS (Origin)
LEFT_TO_FLASK = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
                 "HTTP_IF_RANGE", "HTTP_RANGE", "HTTP_ORIGIN", "QUERY_STRING")


class StoredRecords:
    """WSGI middleware: a person's Turtle from the records view of the release being served, else the app."""

    def __init__(self, app: Callable, site: Site, exposed_headers: Iterable[str]):
        self.app, self.site = app, site
        self.prefix = site.space.base_path + "person/"
        # what flask-cors, as endpoint.install sets it (any origin), adds to an answer to a request without Origin
        self.cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": ", ".join(sorted(exposed_headers))}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        answer = self._stored(environ)
        if answer is None:
            return self.app(environ, start_response)
        start_response("200 OK", answer[0])
        return [answer[1]]

    def _stored(self, environ: dict) -> tuple[list[tuple[str, str]], bytes] | None:
        path = environ.get("PATH_INFO", "")
        if (environ["REQUEST_METHOD"] != "GET" or not path.startswith(self.prefix) or any(map(environ.get, LEFT_TO_FLASK))
                or chosen_media_type(environ.get("HTTP_ACCEPT")) != TURTLE):
            return None
        try:
            release = self.site.release()
            view = release.views(self.site.config.base).records
        except (FootprintsError, QueryFailed):  # no release (a 503), a store that fails: Flask answers those
            return None
        iri = self.site.space.iri(path)
        body = view.turtle(iri) if view is not None else None
        if body is None:
            return None
        headers = {**representation_headers(iri, path, varies=True), "Content-Type": content_type(TURTLE),
                   "Content-Length": str(len(body)), "ETag": f'"{entity_tag(release.build_id, TURTLE)}"',
                   "Last-Modified": http_date(release.modified), **self.cors}
        return list(headers.items()), body


@lru_cache(maxsize=256)
def chosen_media_type(accept: str | None) -> str | None:
    """What the site answers for this Accept header: None where it asks for compact JSON-LD at any quality (the
    hook in reconcile.py answers that before the route), else what the route's negotiation picks
    (routes._chosen_media_type), None if nothing."""
    accepted = parse_accept_header(accept, MIMEAccept)
    return None if wants_compact({}, accepted) else best_match(accepted, offered_types())
