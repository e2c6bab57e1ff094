"""Answers sent before Flask: a person's Turtle from the records view (linked_data/stored.py) and a plain query's
answer (sparql/stored.py: a library query's from the files the build wrote, else the engine's, or the route's error),
each with the bytes and headers Flask's route sends, without Flask's machinery (routing, request and response
objects, after-request hooks), which cost a worker more CPU than reading a stored answer did (docs/performance.md).

Only plain requests are answered here; each kind says which. Whatever makes an answer differ from the route's
plain one goes on to Flask, which answers it as before: conditional requests (a record's 304), ranges, cross-origin
requests (flask-cors writes their headers), no release (503), a store that fails before a query is evaluated. The
response cache (sparql/cache.py) sits in front of this: a repeated answer is sent from memory, the file or the
records view read once.
"""

from collections.abc import Callable, Iterable

from footprints_graph.endpoint.linked_data.stored import record_answer
from footprints_graph.endpoint.site import Site
from footprints_graph.endpoint.sparql.cache import SPARQL_PATH, AnswerCache
from footprints_graph.endpoint.sparql.evaluation import QueryFailed
from footprints_graph.endpoint.sparql.stored import OK, WsgiAnswer, plain_answer
from footprints_graph.errors import FootprintsError

LEFT_TO_FLASK = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
                 "HTTP_IF_RANGE", "HTTP_RANGE", "HTTP_ORIGIN")


class StoredAnswers:
    """WSGI middleware: a person's Turtle from the release being served, or the answer to a plain query, else the
    app."""

    def __init__(self, app: Callable, site: Site, cache: AnswerCache, exposed_headers: Iterable[str]):
        self.app, self.site, self.cache = app, site, cache
        self.persons = site.space.base_path + "person/"
        # what flask-cors, as endpoint.install sets it (any origin), adds to an answer to a request without Origin
        self.cors = [("Access-Control-Allow-Origin", "*"),
                     ("Access-Control-Expose-Headers", ", ".join(sorted(exposed_headers)))]

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        answer = self._answer(environ)
        if answer is None:
            return self.app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers + self.cors)
        return body

    def _answer(self, environ: dict) -> WsgiAnswer | None:
        path = environ.get("PATH_INFO", "")
        if not (path == SPARQL_PATH or path.startswith(self.persons)) or any(map(environ.get, LEFT_TO_FLASK)):
            return None
        try:
            if path == SPARQL_PATH:
                return plain_answer(environ, self.site, self.cache)
            record = record_answer(environ, self.site)
        except (FootprintsError, QueryFailed):  # no release (a 503), a store that fails: Flask answers those
            return None
        except OSError:  # the query slots' files, a pipe: Flask meets the same and answers its 500, and logs why
            return None
        return None if record is None else (OK, *record)
