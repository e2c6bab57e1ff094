"""scripts/oxigraph-server.sh and scripts/virtuoso.sh keep their ports across restarts (issue 20), so a
running `serve --store URL` finds its server again: the port given in the environment, else the one the
folder remembers. Both scripts, started for real."""

import os
import subprocess

import pytest

from support.servers import SCRIPTS, START_SECONDS, STOP_SECONDS
from support.serving import free_port

pytestmark = pytest.mark.slow


def _script(name: str, *arguments: str, environment: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(SCRIPTS / name), *arguments], capture_output=True, text=True, timeout=START_SECONDS,
                          env={**os.environ, **(environment or {})}, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().split("\n")[-1]


def _stop(name: str, folder) -> None:
    subprocess.run([str(SCRIPTS / name), "stop", str(folder)], timeout=STOP_SECONDS, check=False)


@pytest.mark.parametrize("name", ["oxigraph-server.sh", "virtuoso.sh"])
def test_a_restart_keeps_the_ports(name, tmp_path):
    try:
        first = _script(name, "start", str(tmp_path))
        _script(name, "stop", str(tmp_path))
        assert _script(name, "start", str(tmp_path)) == first
    finally:
        _stop(name, tmp_path)


def test_the_port_given_is_the_port_used(tmp_path):
    port = free_port()
    try:
        assert _script("oxigraph-server.sh", "start", str(tmp_path), environment={"OXIGRAPH_PORT": str(port)}) \
            == f"http={port}"
    finally:
        _stop("oxigraph-server.sh", tmp_path)
