"""Outside SPARQL servers for the tests: a private Virtuoso 7 and a writable Oxigraph server, started by the
project's own scripts (which install them when missing: nothing is assumed on the machine), listening on
127.0.0.1 only, and stopped when the test session ends. A server that cannot be installed or started makes
its tests fail, never skip.

tests/conftest.py registers the fixtures (`pytest_plugins`): a test names `oxigraph` or `virtuoso` to get one.
"""

import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from footprints_graph.store.remote import RemoteStore
from support import ROOT

SCRIPTS = ROOT / "scripts"
START_SECONDS = 900  # a fresh machine installs the package first (apt or pip) before the server starts
STOP_SECONDS = 60
# Small enough that a test can pass it (truncation: the release has 3,513 triples), larger than any answer
# compared and than the largest a page asks for itself (/ontology reads the ontology graph's 2,080 triples)
VIRTUOSO_MAX_ROWS = 3000


@dataclass(frozen=True)
class Server:
    """A running server's endpoints and the credentials its writes need."""

    name: str
    query_url: str
    update_url: str
    graph_store_url: str
    user: str | None = None
    password: str | None = None

    def store(self, graph_store: bool = False) -> RemoteStore:
        return RemoteStore(self.query_url, self.update_url, self.user, self.password,
                           graph_store_url=self.graph_store_url if graph_store else None)

    def load_arguments(self, graph_store: bool) -> list[str]:
        """`footprints-graph load` flags that reach this server by Update or by the Graph Store Protocol."""
        arguments = ["--to", self.query_url, "--update-url", self.update_url]
        if graph_store:
            arguments += ["--graph-store-url", self.graph_store_url]
        if self.user:
            arguments += ["--user", self.user, "--password", self.password]
        return arguments


def _script(name: str, *arguments: str, timeout: int) -> str:
    """Run one of scripts/*.sh; its standard output. A failure raises with the script's own explanation."""
    command = [str(SCRIPTS / name), *arguments]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    return done.stdout


@contextmanager
def _running(script: str, folder: Path, *arguments: str) -> Iterator[dict[str, int]]:
    """The ports of a server started in `folder`, for as long as the block lasts."""
    last_line = _script(script, "start", str(folder), *arguments, timeout=START_SECONDS).split("\n")[-2]
    try:
        yield {name: int(port) for name, port in (pair.split("=") for pair in last_line.split())}
    finally:
        _script(script, "stop", str(folder), timeout=STOP_SECONDS)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory) -> Iterator[Server]:
    """Virtuoso 7 with a small ResultSetMaxRows; writes through /sparql-auth (digest, dba/dba)."""
    with _running("virtuoso.sh", tmp_path_factory.mktemp("virtuoso"), str(VIRTUOSO_MAX_ROWS)) as ports:
        base = f"http://127.0.0.1:{ports['http']}"
        yield Server("virtuoso", f"{base}/sparql-auth", f"{base}/sparql-auth", f"{base}/sparql-graph-crud-auth",
                     "dba", "dba")


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory) -> Iterator[Server]:
    """The Oxigraph server, read-write, without authentication."""
    with _running("oxigraph-server.sh", tmp_path_factory.mktemp("oxigraph")) as ports:
        yield _oxigraph_at(ports["http"])


@contextmanager
def running_oxigraph(folder: Path) -> Iterator[tuple[Server, Callable[[], None]]]:
    """An Oxigraph server of the caller's own, kept in `folder`, and a function that stops it before the block
    ends (for a test of a server going away)."""
    with _running("oxigraph-server.sh", folder) as ports:
        yield _oxigraph_at(ports["http"]), lambda: _script("oxigraph-server.sh", "stop", str(folder),
                                                           timeout=STOP_SECONDS)


def _oxigraph_at(port: int) -> Server:
    base = f"http://127.0.0.1:{port}"
    return Server("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store")
