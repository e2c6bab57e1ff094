"""The one client of SPARQL 1.1 servers (loading.py loads a release into one with it).

Every request to a SPARQL server goes through `RemoteStore`: `load`'s writes and checks, `serve --store`'s
queries (endpoint/sparql/backends.py) and the `query` command's (query.py). Queries without credentials (what
`serve --store` and `query` send) go straight to a pool of kept connections (urllib3's, under requests): requests'
own work per request (preparing, hooks, cookies) and a new connection per query — Virtuoso answers a request that
accepts gzip with `Connection: close` — cost a trivial ASK about 1 ms more than asking the server itself on
loopback (docs/scaling.md has the figures). Requests with credentials (load's writes and checks, Digest for
Virtuoso) go through a requests session, which keeps its connection too. Queries and updates go over the SPARQL
1.1 Protocol as form POSTs (never a direct `application/sparql-query` POST, which Virtuoso 7 leaves hanging).
Writes go by the SPARQL 1.1 Graph Store HTTP Protocol when the server has one: Virtuoso takes a posted N-Triples
document about fifty times faster than the same triples in INSERT DATA, whose compiled SQL also caps a request
near a thousand triples. Without a graph store, writes are SPARQL Update INSERT DATA.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

import pyoxigraph as ox
import requests
import urllib3
from rdflib import Graph
from rdflib.term import Node
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from footprints_graph.errors import FootprintsError
from footprints_graph.terms import rdflib_graph, to_rdflib

UPDATE_BATCH = 500  # triples per INSERT DATA: Virtuoso refuses ~2,000 ("generated SQL text has exceeded 10000 lines")
GRAPH_STORE_BATCH = 10_000  # triples per graph store request
N_TRIPLES = "application/n-triples"
SPARQL_JSON = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"
VIRTUOSO_BLANK_NODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
AUTH_SCHEMES = {"digest": HTTPDigestAuth, "basic": HTTPBasicAuth}  # Virtuoso's /sparql-auth asks for digest
KEPT_CONNECTIONS = 16  # per store: one for each thread of a gthread worker asking at once (more are opened, not kept)
# identity: Virtuoso closes the connection after a gzip answer, and on loopback compressing costs more than it saves
QUERY_HEADERS = {"Content-Type": FORM, "Accept-Encoding": "identity"}


class RemoteStoreError(FootprintsError):
    """A SPARQL server could not be reached, refused a request or failed while answering it."""


class ServerRefused(RemoteStoreError):
    """The server answered an HTTP error status; the message carries its reason."""

    def __init__(self, message: str, status: int, reason: str):
        super().__init__(message)
        self.status, self.reason = status, reason


class QueryRefused(ServerRefused):
    """The server called the query malformed (HTTP 400)."""


class ServerTimeout(RemoteStoreError):
    """The server did not answer within the client's timeout."""


class ServerUnreachable(RemoteStoreError):
    """No connection to the server (refused, reset, unknown host): it is down or restarting."""


class TruncatedResults(RemoteStoreError):
    """The server cut a result short at its row limit (Virtuoso's ResultSetMaxRows) and said so in a header."""

    def __init__(self, message: str, limit: str):
        super().__init__(message)
        self.limit = limit



@dataclass(frozen=True)
class Reply:
    """An HTTP answer, read whole, from either way of asking."""

    status: int
    reason: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


@dataclass(frozen=True)
class RemoteAnswer:
    """A server's answer to a query as it sent it."""

    media_type: str
    body: bytes


class RemoteStore:
    """A dataset on a SPARQL 1.1 server: query, update and (optionally) graph store endpoints."""

    def __init__(self, query_url: str, update_url: str | None = None, user: str | None = None,
                 password: str | None = None, *, graph_store_url: str | None = None, auth: str = "digest",
                 timeout: float | None = 600):
        if auth not in AUTH_SCHEMES:
            raise ValueError(f"auth must be one of {', '.join(AUTH_SCHEMES)}, not {auth!r}")
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self.timeout = timeout  # seconds; None waits as long as the server takes
        self.auth = AUTH_SCHEMES[auth](user, password or "") if user else None
        self.session = self._new_session()
        self._query_path = urllib3.util.parse_url(query_url).request_uri
        self._queries = self._new_pool()
        self._parents_connections: list[requests.Session | urllib3.HTTPConnectionPool] = []

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        # no proxy or .netrc from the environment: reading it on every request doubled the client's time per
        # query, and the server is named by its URL alone
        session.trust_env = False
        session.auth = self.auth
        session.headers["Accept-Encoding"] = QUERY_HEADERS["Accept-Encoding"]
        return session

    def _new_pool(self) -> urllib3.HTTPConnectionPool:
        """Kept connections to the query endpoint, for queries without credentials; certificates checked against
        the same bundle as requests'."""
        timeout = urllib3.Timeout(connect=self.timeout, read=self.timeout)
        tls = {"ca_certs": requests.certs.where()} if self.query_url.startswith("https:") else {}
        return urllib3.connection_from_url(self.query_url, maxsize=KEPT_CONNECTIONS, block=False, retries=False,
                                           timeout=timeout, **tls)

    def forget_connections(self) -> None:
        """In a forked child: ask over connections of its own. The kept ones are the parent's sockets, which the
        child may have closed; the old session and pool are kept, never closed, since closing them could close
        descriptors the child has since reused."""
        self._parents_connections += [self.session, self._queries]
        self.session, self._queries = self._new_session(), self._new_pool()

    @property
    def write_target(self) -> str:
        """Where writes go, as one string: it names the target in a load's progress file."""
        return f"graph-store {self.graph_store_url}" if self.graph_store_url else f"update {self.update_url}"

    def answer(self, query: str, accept: str, default_graphs: Iterable[str] = (),
               named_graphs: Iterable[str] = ()) -> RemoteAnswer:
        """The server's answer to `query` in a format `accept` allows, over the dataset the graphs name (the
        server's default dataset when they name none)."""
        dataset = _encoded_dataset(tuple(default_graphs), tuple(named_graphs))
        form = f"{urlencode([('query', query)])}{'&' if dataset else ''}{dataset}"
        reply = self._ask(form, accept) if self.auth is None else self._send(
            "POST", self.query_url, data=form, headers={"Accept": accept, "Content-Type": FORM})
        limit = reply.headers.get("x-sparql-maxrows")
        if limit is not None:
            raise TruncatedResults(
                f"{self.query_url} returned its maximum of {limit} rows (X-SPARQL-MaxRows), so the answer may be "
                "cut short: add LIMIT/OFFSET paging to the query, or raise ResultSetMaxRows in the [SPARQL] "
                "section of the server's virtuoso.ini", limit)
        media_type = reply.headers.get("content-type", "").split(";")[0].strip().lower()
        return RemoteAnswer(media_type, reply.body)

    def select(self, query: str) -> list[dict[str, Node]]:
        """The rows of a SELECT query, each a dict from variable name to rdflib term (unbound names absent)."""
        solutions = read_solutions(self.answer(query, SPARQL_JSON).body)
        names = [variable.value for variable in solutions.variables]
        return [{name: to_rdflib(row[name]) for name in names if row[name] is not None} for row in solutions]

    def ask(self, query: str) -> bool:
        return bool(read_solutions(self.answer(query, SPARQL_JSON).body))

    def construct(self, query: str) -> Graph:
        """The graph of a CONSTRUCT or DESCRIBE query."""
        answer = self.answer(query, N_TRIPLES)
        syntax = ox.RdfFormat.from_media_type(answer.media_type)
        if syntax is None:
            raise RemoteStoreError(f"{self.query_url} answered a graph in {answer.media_type!r}, not in RDF")
        return rdflib_graph(ox.parse(answer.body, format=syntax))

    def update(self, update: str) -> None:
        self._send("POST", self.update_url, data=[("update", update)])

    def add(self, graph: str, ntriples: list[str], replace: bool = False) -> None:
        """Add N-Triples lines to `graph`; with `replace`, the graph holds only these afterwards."""
        if self.graph_store_url:
            self._graph_store("PUT" if replace else "POST", graph, "".join(ntriples).encode("utf-8"))
        elif replace:  # a template, not INSERT DATA: Virtuoso refuses blank nodes in a "constant clause"
            self.update(f"DROP SILENT GRAPH <{graph}> ;\nINSERT {{ GRAPH <{graph}> {{\n{''.join(ntriples)}}} }} WHERE {{}}")
        else:
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{''.join(ntriples)}}} }}")

    def drop(self, graph: str) -> None:
        """Remove `graph` and its triples; a graph that is not there is no error."""
        if self.graph_store_url:
            self._graph_store("DELETE", graph, None, missing_ok=True)
        else:
            self.update(f"DROP SILENT GRAPH <{graph}>")

    def triple_counts(self, graphs: list[str]) -> dict[str, int]:
        """Triples in each of `graphs` (0 for a graph the server does not have)."""
        counts = {str(row["g"]): int(row["n"]) for row in self.select(triple_count_query(graphs))}
        return {g: counts.get(g, 0) for g in graphs}

    def _graph_store(self, method: str, graph: str, body: bytes | None, missing_ok: bool = False) -> None:
        try:
            self._send(method, self.graph_store_url, data=body, headers={"Content-Type": N_TRIPLES},
                       graph=graph)
        except ServerRefused as error:
            if not (missing_ok and error.status == 404):
                raise

    def _ask(self, form: str, accept: str) -> Reply:
        """A query as a form POST over a kept connection of the pool: the answer, read whole, or what went wrong
        as our error (the same errors as `_send`'s)."""
        url = self.query_url
        try:
            response = self._queries.urlopen("POST", self._query_path, body=form,
                                             headers={**QUERY_HEADERS, "Accept": accept})
        except urllib3.exceptions.NewConnectionError as error:  # a ConnectTimeoutError too, but no timeout
            raise ServerUnreachable(f"cannot reach {url}: {error}") from None
        except urllib3.exceptions.TimeoutError:
            raise ServerTimeout(f"{url} did not answer within {self.timeout:g} s") from None
        except urllib3.exceptions.ProtocolError as error:  # reset or closed while asking: down or restarting
            raise ServerUnreachable(f"cannot reach {url}: {error}") from None
        except urllib3.exceptions.HTTPError as error:
            raise RemoteStoreError(f"cannot reach {url}: {error}") from None
        reply = Reply(response.status, response.reason or "", {k.lower(): v for k, v in response.headers.items()},
                      response.data)
        if reply.status >= 400:
            raise _refusal(url, reply)
        return reply

    def _send(self, method: str, url: str, data: list[tuple[str, str]] | str | bytes | None,
              headers: dict[str, str] | None = None, graph: str | None = None) -> Reply:
        """One request through the session (credentials, a kept connection), a form POST when `data` is fields or a form (a
        graph store request names its `graph`): the answer, read whole, or what went wrong as our error."""
        params = {"graph": graph} if graph else None
        try:
            response = self.session.request(method, url, params=params, data=data, headers=headers,
                                            timeout=self.timeout)
        except requests.Timeout:
            raise ServerTimeout(f"{url} did not answer within {self.timeout:g} s") from None
        except requests.ConnectionError as error:
            raise ServerUnreachable(f"cannot reach {url}: {_cause(error)}") from None
        except requests.RequestException as error:
            raise RemoteStoreError(f"cannot reach {url}: {_cause(error)}") from None
        reply = Reply(response.status_code, response.reason or "", {k.lower(): v for k, v in response.headers.items()},
                      response.content)
        if reply.status >= 400:
            raise _refusal(f"{method} {response.url}" if graph else url, reply)
        return reply


@lru_cache(maxsize=64)
def _encoded_dataset(default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]) -> str:
    """The dataset of a query as form fields, encoded once: `serve --store` sends the same graphs with each query."""
    return urlencode([*(("default-graph-uri", g) for g in default_graphs), *(("named-graph-uri", g) for g in named_graphs)])


def read_solutions(body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    """SPARQL JSON results as pyoxigraph reads them. Virtuoso names a blank node "nodeID://b10001", which is not
    a blank node label; it becomes "b10001" (every one loses the same prefix, so labels stay distinct)."""
    return ox.parse_query_results(VIRTUOSO_BLANK_NODE.sub(rb"\1", body), ox.QueryResultsFormat.JSON)


def triple_count_query(graphs: Iterable[str]) -> str:
    """A SELECT of ?g and its number of triples ?n for each of `graphs` that holds any."""
    values = " ".join(f"<{g}>" for g in graphs)
    return f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"


def _cause(error: requests.RequestException) -> object:
    """What failed, without requests' wrapping ("Max retries exceeded … Caused by …")."""
    wrapped = error.args[0] if error.args else error
    return getattr(wrapped, "reason", wrapped)


def _refusal(label: str, reply: Reply) -> ServerRefused:
    """The server's refusal as our error: a 400 says the query is malformed, anything else is a fault."""
    kind = QueryRefused if reply.status == 400 else ServerRefused
    reason = _shorten(reply.body.decode("utf-8", "replace") or reply.reason)
    return kind(f"{label} answered HTTP {reply.status}: {reason}", reply.status, reason)


def _shorten(message: str, limit: int = 500) -> str:
    """Servers echo the whole request in their errors; a batch of triples is too long to print."""
    message = " ".join(message.split())
    return message if len(message) <= limit else message[:limit] + " …"
