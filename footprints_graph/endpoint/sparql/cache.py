"""An exact cache of /sparql answers and of records' RDF, one per worker process.

A release never changes once built, so an answer stays right for as long as its release is served. The key
holds everything the answer depends on: the build id, the query text, the dataset the protocol names
(default-graph-uri, named-graph-uri), the base IRI (the URL asked) and the format negotiated for each kind of
result. A new build therefore misses, and two requests share an answer only when they asked the same question
of the same release in the same format. Errors are never cached. The cache holds at most `max_bytes` of bodies
and drops the least recently used first (cachetools' LRUCache, sized by body bytes).

`ResponseCache` keeps whole responses the same way, before Flask sees the request: the RDF of records (/id/…)
and /sparql answers, keyed by build id and the request as sent (path, query string, body, and the headers an
answer depends on). A repeated request then costs about what the WSGI server does (docs/performance.md);
answers to requests that differ but mean the same still meet in the answer cache behind it.
"""

import io
import os
import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from flask import current_app

from footprints_graph.endpoint.site import Site
from footprints_graph.endpoint.sparql.evaluation import Answer, QueryFailed
from footprints_graph.endpoint.sparql.protocol import Negotiated, QueryOperation
from footprints_graph.errors import FootprintsError

EXTENSION = "footprints-answer-cache"


@dataclass(frozen=True)
class CacheKey:
    build_id: str
    text: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    formats: tuple[str, ...]  # the media type negotiated for solutions and for graphs ("" where none fits)
    base: str | None = None  # the URL asked, which the query's relative IRIs resolve against


def cache_key(build_id: str, operation: QueryOperation, choose: Negotiated) -> CacheKey:
    """The key of `operation` on release `build_id`, answered in the formats `choose` negotiated ("" for a kind the
    request accepts none of: a 406 if the query has results of that kind, raised when it is evaluated, never
    cached)."""
    return CacheKey(build_id, operation.text, operation.default_graphs, operation.named_graphs, choose.media_types,
                    operation.base)


class AnswerCache:
    """Answers by key, least recently used first out, at most `max_bytes` of bodies (0: caches nothing)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.hits = 0  # answers given from the cache (the tests read it to see a repeat was not evaluated again)
        self._answers = LRUCache(max_bytes, getsizeof=_body_size)  # of Answers and CachedResponses
        self._lock = threading.Lock()  # gunicorn's sync workers are single-threaded; Flask's own server is not

    @property
    def size(self) -> int:
        """The bytes of the bodies kept."""
        return self._answers.currsize

    def get(self, key: Hashable) -> "Answer | CachedResponse | None":
        with self._lock:
            answer = self._answers.get(key)  # a hit becomes the most recently used
            self.hits += answer is not None
            return answer

    def put(self, key: Hashable, answer: "Answer | CachedResponse") -> None:
        if len(answer.body) > self.max_bytes:  # also when the cache is off: nothing fits in 0 bytes
            return
        with self._lock:
            if key not in self._answers:
                self._answers[key] = answer  # drops the least recently used until it fits

    def answer(self, key: CacheKey, evaluate: Callable[[], Answer]) -> Answer:
        """The cached answer for `key`, or what `evaluate` returns (then kept for next time)."""
        answer = self.get(key)
        if answer is None:
            answer = evaluate()
            self.put(key, answer)
        return answer

    def __len__(self) -> int:
        return len(self._answers)


def _body_size(answer: "Answer | CachedResponse") -> int:
    return len(answer.body)


def answer_cache() -> AnswerCache:
    """The cache of the application handling the current request."""
    return current_app.extensions[EXTENSION]


# ----------------------------------------------------------------------------- whole responses, before Flask

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
SPARQL_PATH = "/sparql"
# what an answer depends on besides its path and the release: the format, CORS, and for POST the body's type
# the host and scheme make the base a query's relative IRIs resolve against when no public_url is set
VARIES_ON = ("QUERY_STRING", "CONTENT_TYPE", "HTTP_ACCEPT", "HTTP_ORIGIN", "HTTP_HOST", "wsgi.url_scheme")
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")  # Flask answers those (304)


@dataclass(frozen=True)
class CachedResponse:
    headers: list[tuple[str, str]]
    body: bytes


class ResponseCache:
    """WSGI middleware: a GET of a record (under /id/), or a GET or POST of /sparql, answered from the cache when
    the same release was sent the same request before. Only a 200 that is not HTML is kept: pages depend on the
    language and on cookies, and are left to Flask; so are errors."""

    def __init__(self, app: WSGIApp, site: Site, cache: AnswerCache):
        self.app, self.site, self.cache = app, site, cache
        self.largest_body = site.config.max_query_bytes + 4096  # larger ones go to Flask, which refuses them

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.cache.max_bytes:  # the cache is off: no key to make, no body to join
            return self.app(environ, start_response)
        key = self._key(environ)
        kept = self.cache.get(key) if key else None
        if kept is not None:
            start_response("200 OK", kept.headers)
            return [kept.body]
        if key is None:
            return self.app(environ, start_response)
        return self._kept(key, environ, start_response)

    def _key(self, environ: dict) -> tuple | None:
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        record = method == "GET" and path.startswith(self.site.space.base_path)
        if not (record or (path == SPARQL_PATH and method in ("GET", "POST"))) or any(map(environ.get, CONDITIONAL)):
            return None
        body = read_body(environ, self.largest_body) if method == "POST" else b""
        try:  # the build id is the name of the release `current` links to (build.py): one system call
            build_id = os.path.basename(self.site.current_link())
        except OSError:  # no release yet: Flask answers that (503)
            return None
        if body is None or not self._store_holds_release():
            return None
        return (build_id, method, path, body, *(environ.get(h, "") for h in VARIES_ON))

    def _store_holds_release(self) -> bool:
        """A SPARQL server's copy is asked (Release.holds_release) until it holds the release being served."""
        if not self.site.releases.check_store:
            return True
        try:
            return self.site.release().holds_release()
        except (FootprintsError, QueryFailed):  # the store failed: Flask answers that (503, 500)
            return False

    def _kept(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        answered: dict[str, Any] = {}

        def remember(status: str, headers: list[tuple[str, str]], exc_info=None):
            answered.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, remember)
        if not _keepable(answered) or _declared_length(answered) > self.cache.max_bytes:
            return chunks  # sent as it comes (a stored answer's file a block at a time), never joined only to be dropped
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        self.cache.put(key, CachedResponse(list(answered["headers"]), body))
        return [body]


def read_body(environ: dict, largest: int) -> bytes | None:
    """A request's body, read and put back for the application; None (left unread) when it is too long to be a key
    or to be what the application reads (longer than `largest`: it refuses it), or of no stated length (chunked:
    the application reads it and enforces its limit)."""
    try:
        length = int(environ["CONTENT_LENGTH"])
    except (KeyError, ValueError):
        return None
    if length > largest or environ.get("HTTP_TRANSFER_ENCODING"):
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _declared_length(answered: dict) -> int:
    """The Content-Length the answer states (0 where it states none: an evaluated answer, held in memory anyway)."""
    length = next((value for name, value in answered["headers"] if name.lower() == "content-length"), "0")
    return int(length) if length.isdigit() else 0


def _keepable(answered: dict) -> bool:
    headers = {name.lower(): value for name, value in answered.get("headers", ())}
    return (answered.get("status", "").startswith("200 ") and "set-cookie" not in headers
            and "no-store" not in headers.get("cache-control", "")
            and not headers.get("content-type", "").startswith("text/html"))
