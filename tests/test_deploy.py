"""deploy/ (issue 20): the systemd unit of `serve` is one systemd accepts, and its command with its environment
file's settings starts a site that is healthy and ready; the production Virtuoso settings of deploy/virtuoso.md,
applied to the packaged virtuoso.ini with the note's own commands, match serve's limits; Debian's Virtuoso
service, installed and started by deploy/virtuoso-service.sh, takes a load and serves a site."""

import configparser
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from requests.auth import HTTPDigestAuth

from footprints_graph.cli import main
from footprints_graph.endpoint.config import EndpointConfig
from support import ROOT
from support.serving import free_port, serving, wait_until_answering

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


SERVICE_SCRIPT = DEPLOY / "virtuoso-service.sh"
SERVICE_FILES = (PACKAGED_INI, "/etc/default/virtuoso-opensource-7")  # what the script changes, put back after
SERVICE_DATABASE = Path("/var/lib/virtuoso-opensource-7/db")


@pytest.fixture
def virtuoso_service(tmp_path):
    """Debian's Virtuoso service as deploy/virtuoso-service.sh installs and starts it, on free loopback ports with a
    dba password of this test's; stopped at the end, the machine's configuration put back and, if it had none, the
    database the service created removed (scripts/virtuoso.sh copies the packaged virtuoso.ini for its instances)."""
    saved = {name: Path(name).read_bytes() for name in SERVICE_FILES if Path(name).exists()}
    database_was_empty = not any(SERVICE_DATABASE.glob("*")) if SERVICE_DATABASE.is_dir() else True
    # a digit first, on which the package postinst's unquoted SET PASSWORD fails
    environment = {**os.environ, "FOOTPRINTS_REMOTE_PASSWORD": "7" + secrets.token_hex(16),
                   "VIRTUOSO_SQL_PORT": str(free_port()), "VIRTUOSO_HTTP_PORT": str(free_port())}
    try:
        done = subprocess.run([str(SERVICE_SCRIPT), "start"], env=environment, capture_output=True, text=True,
                              timeout=900, check=False)
        assert done.returncode == 0, done.stderr + done.stdout
        yield environment, dict(pair.split("=") for pair in done.stdout.split())
    finally:
        subprocess.run([str(SERVICE_SCRIPT), "stop"], env=environment, capture_output=True, timeout=120, check=False)
        for name, content in saved.items():
            Path(name).write_bytes(content)
        if database_was_empty:
            for path in SERVICE_DATABASE.glob("*"):
                path.unlink()


@pytest.mark.slow
def test_debians_virtuoso_service_started_by_the_script_serves_a_release(virtuoso_service, built_home, tmp_path,
                                                                          monkeypatch):
    """deploy/virtuoso-service.sh (issue 20): the package's service with our settings and password, then `load` with
    the password from the environment only, and `serve --store` ready on it."""
    environment, ports = virtuoso_service
    server = f"http://127.0.0.1:{ports['http']}"
    settings = configparser.ConfigParser(strict=False, interpolation=None, inline_comment_prefixes=(";",))
    settings.read(PACKAGED_INI, encoding="utf-8")
    assert settings["SPARQL"]["ResultSetMaxRows"] == str(EndpointConfig().max_result_rows + 1)
    assert settings["HTTPServer"]["ServerPort"] == f"127.0.0.1:{ports['http']}"
    assert requests.get(f"{server}/sparql-auth", auth=HTTPDigestAuth("dba", "dba"), timeout=30).status_code == 401
    home = shutil.copytree(built_home, tmp_path / "home", symlinks=True)
    monkeypatch.setenv("FOOTPRINTS_REMOTE_PASSWORD", environment["FOOTPRINTS_REMOTE_PASSWORD"])
    write = ["--to", f"{server}/sparql-auth", "--graph-store-url", f"{server}/sparql-graph-crud-auth", "--user", "dba"]
    assert main(["load", "--home", str(home), *write]) == 0
    with serving(home, tmp_path / "serve.log", ["--store", f"{server}/sparql", "--workers", "1"]) as (url, _):
        assert requests.get(f"{url}/ready", timeout=60).json()["status"] == "ready"
    assert main(["unload", "--home", str(home), "--from", f"{server}/sparql-auth",
                 "--graph-store-url", f"{server}/sparql-graph-crud-auth", "--user", "dba"]) == 0
