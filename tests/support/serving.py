"""`footprints-graph serve` (gunicorn) started for a test on a free port of 127.0.0.1 and stopped after it: the
live server of tests/conftest.py, the hardened server of the security tests and the --store server."""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

SERVER_START_SECONDS = 30


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    home: Path
    log: Path

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(f"{url}/sparql", headers={"Accept": "text/turtle"}, timeout=2).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()  # gunicorn's master stops its workers on SIGTERM
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group this fixture started, nothing else
        process.wait()


@contextmanager
def serving(home: Path, log: Path, options: list[str], settings: dict[str, str] | None = None):
    """`footprints-graph serve` on `home` with the command-line `options` and the `settings` (FOOTPRINTS_…
    variables; none is inherited), on a free port of 127.0.0.1: (its URL, its process) once it answers; stopped
    when the block ends."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FOOTPRINTS_")} | (settings or {})
    command = [sys.executable, "-m", "footprints_graph", "serve", "--home", str(home), "--port", str(port), *options]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url, process, log)
        yield url, process
    finally:
        _stop(process)
