"""deploy/ (issue 20): the systemd unit of `serve` is one systemd accepts, and its command with its environment
file's settings starts a site that is healthy and ready; the production Virtuoso settings of deploy/virtuoso.md,
applied to the packaged virtuoso.ini with the note's own commands, match serve's limits."""

import configparser
import os
import re
import shutil
import subprocess
import sys

import pytest
import requests

from footprints_graph.endpoint.config import EndpointConfig
from support import ROOT
from support.serving import free_port, wait_until_answering

DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "footprints-graph-serve.service"
PACKAGED_INI = "/etc/virtuoso-opensource-7/virtuoso.ini"  # scripts/virtuoso.sh installs the package


def _unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None, inline_comment_prefixes=None)
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read(UNIT, encoding="utf-8")
    return unit


def _settings() -> dict[str, str]:
    lines = (DEPLOY / "serve.env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_systemd_accepts_the_unit(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: install systemd to check the unit")
    # the command the unit names, pointed at the one installed here (the unit says /usr/local/bin)
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text(encoding="utf-8").replace("/usr/local/bin/footprints-graph",
                                                             shutil.which("footprints-graph")), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and UNIT.name not in done.stderr, done.stderr


def test_the_environment_file_holds_only_settings_serve_reads():
    names = {f"FOOTPRINTS_{name.upper()}" for name in EndpointConfig.__dataclass_fields__}
    assert set(_settings()) <= names, set(_settings()) - names
    assert _unit()["Service"]["EnvironmentFile"] == "/etc/footprints-graph/serve.env"


@pytest.mark.slow
def test_the_units_command_with_its_settings_serves_a_ready_site(built_home, tmp_path):
    """ExecStart as systemd would run it, with serve.env's settings but this test's home, port and store."""
    command = _unit()["Service"]["ExecStart"].split()
    assert command[0] == "/usr/local/bin/footprints-graph" and command[1:] == ["serve"]
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FOOTPRINTS_")} | _settings() | {
        "FOOTPRINTS_HOME": str(built_home), "FOOTPRINTS_PORT": str(port), "FOOTPRINTS_WORKERS": "1"}
    environment.pop("FOOTPRINTS_STORE_URL")  # no Virtuoso on 8890 here: the release's own store
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "footprints_graph", *command[1:]], env=environment,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_answering(url, process, tmp_path / "serve.log")
        assert requests.get(f"{url}/health", timeout=10).json() == {"status": "up"}
        assert requests.get(f"{url}/ready", timeout=30).json()["status"] == "ready"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_virtuoso_settings_match_serves_limits(tmp_path):
    """The note's sed commands, run on a copy of the packaged virtuoso.ini."""
    note = (DEPLOY / "virtuoso.md").read_text(encoding="utf-8")
    commands = re.search(r"```sh\nINI=\S+\n(sed .*?\"\$INI\")\n", note, re.DOTALL).group(1)
    ini = tmp_path / "virtuoso.ini"
    shutil.copy(PACKAGED_INI, ini)
    subprocess.run(["bash", "-c", commands], env={**os.environ, "INI": str(ini)}, check=True)
    settings = configparser.ConfigParser(strict=False, interpolation=None, inline_comment_prefixes=(";",))
    settings.read(ini, encoding="utf-8")
    defaults = EndpointConfig()
    assert settings["SPARQL"]["ResultSetMaxRows"] == str(defaults.max_result_rows + 1)
    assert settings["SPARQL"]["MaxQueryExecutionTime"] == f"{defaults.query_timeout:g}"
    assert settings["Parameters"]["ServerPort"] == "127.0.0.1:1111"
    assert settings["HTTPServer"]["ServerPort"] == "127.0.0.1:8890"
