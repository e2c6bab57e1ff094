"""Answers the release carries, sent before Flask: a person's Turtle from the records view
(linked_data/stored.py) and a library query's answer from the files the build wrote (sparql/stored.py), each with
the bytes and headers Flask's route sends, without Flask's machinery (routing, request and response objects,
after-request hooks), which cost a worker more CPU than reading the answer did (docs/performance.md).

Only plain requests are answered here; each kind says which. Whatever makes an answer differ from the stored one
goes on to Flask, which answers it as before: conditional requests (a record's 304), ranges, cross-origin requests
(flask-cors writes their headers), no release (503) or a store that fails. The answer cache (sparql/cache.py) sits
in front of this: a repeated answer is sent from memory, the file or the records view read once.
"""

from collections.abc import Callable, Iterable

from footprints_graph.endpoint.linked_data.stored import record_answer
from footprints_graph.endpoint.site import Site
from footprints_graph.endpoint.sparql.cache import SPARQL_PATH
from footprints_graph.endpoint.sparql.evaluation import QueryFailed
from footprints_graph.endpoint.sparql.stored import Answer, library_answer
from footprints_graph.errors import FootprintsError

LEFT_TO_FLASK = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
                 "HTTP_IF_RANGE", "HTTP_RANGE", "HTTP_ORIGIN")


class StoredAnswers:
    """WSGI middleware: a person's Turtle or a library query's answer from the release being served, else the app."""

    def __init__(self, app: Callable, site: Site, exposed_headers: Iterable[str]):
        self.app, self.site = app, site
        self.persons = site.space.base_path + "person/"
        # what flask-cors, as endpoint.install sets it (any origin), adds to an answer to a request without Origin
        self.cors = [("Access-Control-Allow-Origin", "*"),
                     ("Access-Control-Expose-Headers", ", ".join(sorted(exposed_headers)))]

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        answer = self._stored(environ)
        if answer is None:
            return self.app(environ, start_response)
        headers, body = answer
        start_response("200 OK", headers + self.cors)
        return body

    def _stored(self, environ: dict) -> Answer | None:
        path = environ.get("PATH_INFO", "")
        if path == SPARQL_PATH:
            answer = library_answer
        elif path.startswith(self.persons):
            answer = record_answer
        else:
            return None
        if any(map(environ.get, LEFT_TO_FLASK)):
            return None
        try:
            return answer(environ, self.site)
        except (FootprintsError, QueryFailed):  # no release (a 503), a store that fails: Flask answers those
            return None
