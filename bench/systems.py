"""The SPARQL servers the benchmark compares, each started on 127.0.0.1 and stopped when its block ends:
footprints-graph's own endpoint (`footprints-graph serve`, as deployed: gunicorn), the Oxigraph server (same
engine, Rust HTTP), Virtuoso 7 (scripts/virtuoso.sh, loaded with its bulk loader) and rdflib-endpoint (the
Python peer, from its own virtual environment)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from measure import descendants

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
STOP_SECONDS = 30


@dataclass(frozen=True)
class System:
    name: str
    sparql: str  # its SPARQL query endpoint
    pid: int  # the process whose memory (with its children's) is the system's
    records: str | None = None  # where records are served (/id/…), for footprints-graph


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait(url: str, process: subprocess.Popen, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}; see {log}")
        if _answers(url + "?query=ASK%7B%7D"):
            return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s; see {log}")


def _stop(process: subprocess.Popen) -> None:
    """TERM the process (gunicorn's master stops its workers), then KILL its session if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the session this module started, nothing else
        process.wait()


@contextmanager
def _running(command: list[str], url: str, log: Path, wait_seconds: float,
             environment: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment,
                                   start_new_session=True)
    try:
        _wait(url, process, wait_seconds, log)
        yield process
    finally:
        _stop(process)


@contextmanager
def footprints(home: Path, base: str, log: Path, *, cache: bool, in_memory: bool = False,
               store_url: str | None = None, timeout: float = 30, workers: int = 2) -> Iterator[System]:
    """`footprints-graph serve` as deployed, with no cap on result rows (the library at 100k victims returns
    up to 100k rows; the cap is a policy, not a cost) and the answer cache on or off."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FOOTPRINTS_")}
    environment |= {"FOOTPRINTS_MAX_RESULT_ROWS": "0", "FOOTPRINTS_CACHE_BYTES": str(64 << 20 if cache else 0),
                    "FOOTPRINTS_IN_MEMORY": str(in_memory).lower()}
    command = [sys.executable, "-m", "footprints_graph", "serve", "--home", str(home), "--base", base, "--port",
               str(port), "--workers", str(workers), "--query-timeout", str(timeout)]
    command += ["--store", store_url] if store_url else []
    url = f"http://127.0.0.1:{port}"
    with _running(command, f"{url}/sparql", log, 900, environment) as process:
        yield System(log.stem, f"{url}/sparql", process.pid, f"{url}/id/")


@contextmanager
def oxigraph_server(store: Path, log: Path, timeout: float) -> Iterator[System]:
    """The Oxigraph server reading the release's own store, its default graph the union of the named graphs."""
    port = free_port()
    command = ["oxigraph", "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}",
               "--union-default-graph", "--timeout-s", str(int(timeout))]
    with _running(command, f"http://127.0.0.1:{port}/query", log, 120) as process:
        yield System("oxigraph-server", f"http://127.0.0.1:{port}/query", process.pid)


@contextmanager
def virtuoso(folder: Path, nquads: Path, max_rows: int) -> Iterator[System]:
    """A private Virtuoso 7 (scripts/virtuoso.sh), the release's N-Quads loaded with its bulk loader."""
    folder.mkdir(parents=True, exist_ok=True)
    ports = _script("virtuoso.sh", "start", str(folder), str(max_rows)).split()[-2:]
    sql, http = (int(p.split("=")[1]) for p in ports)
    try:
        _bulk_load(folder, nquads, sql)
        yield System("virtuoso", f"http://127.0.0.1:{http}/sparql", int((folder / "virtuoso.pid").read_text()))
    finally:
        _script("virtuoso.sh", "stop", str(folder))


def _bulk_load(folder: Path, nquads: Path, sql_port: int) -> None:
    """ld_dir + rdf_loader_run (the loader reads only folders in DirsAllowed: the database's own)."""
    copy = folder / "load" / nquads.name
    copy.parent.mkdir(exist_ok=True)
    copy.unlink(missing_ok=True)
    os.link(nquads, copy) if nquads.stat().st_dev == folder.stat().st_dev else copy.write_bytes(nquads.read_bytes())
    script = f"ld_dir('{copy.parent}', '{copy.name}', 'urn:footprints:unused'); rdf_loader_run(); checkpoint;"
    subprocess.run(["isql-vt", str(sql_port), "dba", "dba", f"exec={script}"], check=True, capture_output=True,
                   timeout=3600)


def _script(name: str, *arguments: str) -> str:
    done = subprocess.run([str(SCRIPTS / name), *arguments], capture_output=True, text=True, timeout=900)
    if done.returncode:
        raise RuntimeError(f"scripts/{name} {' '.join(arguments)} failed:\n{done.stderr}")
    return done.stdout


@contextmanager
def rdflib_endpoint(venv: Path, nquads: Path, log: Path) -> Iterator[System]:
    """rdflib-endpoint (FastAPI + rdflib's own SPARQL engine) serving the N-Quads, union default graph, from a
    loaded process that forks the server anew when `interrupt` kills it (bench/rdflib_server.py)."""
    port = free_port()
    command = [str(venv / "bin" / "python"), str(ROOT / "bench" / "rdflib_server.py"), "--port", str(port),
               str(nquads)]
    with _running(command, f"http://127.0.0.1:{port}/", log, 3600) as process:
        yield System("rdflib-endpoint", f"http://127.0.0.1:{port}/", process.pid)


def interrupt(system: System, seconds: float = 60) -> None:
    """Stop the query an rdflib-endpoint is still evaluating past the client's deadline: kill its serving
    process, and wait until the one forked in its place answers."""
    busy = descendants(system.pid)
    for pid in busy:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + seconds
    while set(busy) & set(descendants(system.pid)) or not _answers(system.sparql + "?query=ASK%7B%7D"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{system.name} did not answer within {seconds:.0f} s of its restart")
        time.sleep(0.1)


def install_rdflib_endpoint(venv: Path, version: str) -> Path:
    """rdflib-endpoint in its own virtual environment (its pins stay out of the project's dependencies)."""
    if not (venv / "bin" / "rdflib-endpoint").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"rdflib-endpoint[cli]=={version}"],
                       check=True, timeout=1800)
    return venv
