"""A person's Turtle answered from the release's records view (releases/views/records.py), before Flask
(endpoint/stored.py): one keyed read and the headers the linked-data route sends (routes.respond), where Flask's
route would read and decode some 45 quads from the store, serialise them and pass Flask's machinery. That route
cost the workers about 1.5 ms of CPU a lookup, gunicorn's own answer about 0.25 ms (docs/performance.md).

Only the plain case is answered here: a GET of `/id/person/…` without a query string for which negotiation picks
Turtle, on a release whose view holds the person. Everything else goes on to Flask, which answers it as before:
other formats and pages, compact JSON-LD (asked for at any quality), conditional requests (Flask answers 304),
cross-origin requests (flask-cors writes their headers), a release without the view, a person the view lacks
(restricted, unknown: 404). The answer cache (sparql/cache.py) sits in front of this
(endpoint/stored.py), so a repeated record is sent from memory.
"""

from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import http_date, parse_accept_header

from footprints_graph.endpoint.linked_data.compact import wants_compact
from footprints_graph.endpoint.linked_data.routes import content_type, entity_tag, offered_types, representation_headers
from footprints_graph.endpoint.site import Site
from footprints_graph.endpoint.sparql.protocol import best_match
from footprints_graph.endpoint.sparql.stored import Answer

TURTLE = "text/turtle"


def record_answer(environ: dict, site: Site) -> Answer | None:
    """The route's answer to a request in the plain case (see the module), read from the records view; None
    otherwise."""
    path = environ.get("PATH_INFO", "")
    if (environ["REQUEST_METHOD"] != "GET" or environ.get("QUERY_STRING")
            or chosen_media_type(environ.get("HTTP_ACCEPT")) != TURTLE):
        return None
    release = site.release()
    view = release.views(site.config.base).records
    iri = site.space.iri(path)
    body = view.turtle(iri) if view is not None else None
    if body is None:
        return None
    headers = {**representation_headers(iri, path, varies=True), "Content-Type": content_type(TURTLE),
               "Content-Length": str(len(body)), "ETag": f'"{entity_tag(release.build_id, TURTLE)}"',
               "Last-Modified": http_date(release.modified)}
    return list(headers.items()), [body]


@lru_cache(maxsize=256)
def chosen_media_type(accept: str | None) -> str | None:
    """What the site answers for this Accept header: None where it asks for compact JSON-LD at any quality (the
    hook in reconcile.py answers that before the route), else what the route's negotiation picks
    (routes._chosen_media_type), None if nothing."""
    accepted = parse_accept_header(accept, MIMEAccept)
    return None if wants_compact({}, accepted) else best_match(accepted, offered_types())
