"""Shared by the hardening and security tests (issue 6): a copy of data/ in which one person is restricted, with
an event and a status that point at them (built once per session by conftest's `restricted_home`); and the real
server (`footprints-graph serve`, gunicorn) on that home with the hardening settings switched on."""

import shutil
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from footprints_graph.releases.serving import current_release
from support import ROOT
from support.serving import LiveServer, serving

RESTRICTED_KEY = "ham-jin-woo"
RESTRICTED_NAME = "Ham Jin-woo"
RESTRICTED_EVENT = "ham-jin-woo-disappearance"  # added: no perpetrator, so the shapes report an Info about it
CURATOR_TOKEN = "curator-token-" + "k3ep-1t-s3cret-" * 2
# an event the shapes report on (no perpetrator named), about the restricted person only
RESTRICTED_EVENT_ROW = (f"{RESTRICTED_EVENT},,arbitrary-detention,{RESTRICTED_KEY},,,2016,,stated,,,,,,,"
                        "mou-detainees-2024-03-27,\n")

def restricted_data(target: Path) -> Path:
    """data/ copied to `target`, with RESTRICTED_KEY marked restricted and one more event about them."""
    shutil.copytree(ROOT / "data", target)
    people = target / "people.csv"
    rows = people.read_text(encoding="utf-8").splitlines(keepends=True)
    people.write_text("".join(r.replace(",false,", ",true,", 1) if r.startswith(f"{RESTRICTED_KEY},") else r
                              for r in rows), encoding="utf-8")
    with (target / "events.csv").open("a", encoding="utf-8") as events:
        events.write(RESTRICTED_EVENT_ROW)
    return target


def restricted_iris(home: Path) -> set[str]:
    """Every IRI the restricted records mint (their subjects), read from the release's restricted N-Quads."""
    text = (current_release(home) / "restricted" / "restricted.nq").read_text(encoding="utf-8")
    return {line.split(" ", 1)[0].strip("<>") for line in text.splitlines() if line.startswith("<")}


@dataclass(frozen=True)
class HardenedServer(LiveServer):
    pid: int  # the gunicorn master's; its children are the workers


@contextmanager
def hardened_server(home: Path, log_folder: Path, workers: int = 3, timeout: float = 2, slots: int = 2,
                    rows: int = 1000):
    """`footprints-graph serve` on `home` with a short query deadline, caps on concurrent queries and result
    rows, and the curator token (settings from the environment, as in production); stopped when the block ends."""
    log = log_folder / "server.log"
    settings = {"FOOTPRINTS_CURATOR_TOKEN": CURATOR_TOKEN, "FOOTPRINTS_MAX_CONCURRENT_QUERIES": str(slots),
                "FOOTPRINTS_MAX_RESULT_ROWS": str(rows)}
    with serving(home, log, ["--workers", str(workers), "--query-timeout", str(timeout)], settings) as (url, process):
        yield HardenedServer(url, home, log, process.pid)


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections made to it (and closes them): the witness that a
    refused SERVICE, FROM, LOAD or @context never reached the network."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.05)
        self.connections = 0
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/sparql"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()
