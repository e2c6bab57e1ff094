"""docs/scaling.md's walk to a site served from a SPARQL server (issue 20), run as written: each command of its
Virtuoso and Oxigraph blocks in order, in one environment (the exports carry over), with only what a test must
change — its own folder, free ports instead of the documented ones, this Python for `footprints-graph`, and a
copy of the built home — and the site must end ready on the server's copy of the release."""

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
import requests

from support import ROOT
from support.servers import START_SECONDS, STOP_SECONDS
from support.serving import free_port, wait_until_answering

pytestmark = pytest.mark.slow
SCALING = ROOT / "docs" / "scaling.md"
BLOCKS = {"virtuoso": ("**Virtuoso 7**", "/var/lib/virtuoso-trial", "virtuoso.sh", ("8890", "1111")),
          "oxigraph": ("**The Oxigraph server:**", "/var/lib/oxigraph", "oxigraph-server.sh", ("7878",))}


def _commands(heading: str) -> list[str]:
    """The commands of the first sh block after `heading`, continuation lines joined, comments dropped."""
    text = SCALING.read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text[text.index(heading):], re.DOTALL).group(1)
    return [line.split("  #")[0].strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]


@pytest.mark.parametrize("server", sorted(BLOCKS))
def test_the_walk_ends_with_a_ready_site(server, built_home, tmp_path):
    heading, folder, script, documented_ports = BLOCKS[server]
    ports = {port: str(free_port()) for port in documented_ports}
    home, site_port = tmp_path / "home", free_port()
    shutil.copytree(built_home, home, symlinks=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FOOTPRINTS_")} | {
        "FOOTPRINTS_HOME": str(home)}

    def adapted(command: str) -> str:
        for documented, port in ports.items():
            command = command.replace(documented, port)
        command = command.replace(folder, str(tmp_path / "server")).replace("scripts/", f"{ROOT}/scripts/")
        return command.replace("footprints-graph ", f"{sys.executable} -m footprints_graph ")

    serve = None
    try:
        for command in map(adapted, _commands(heading)):
            if command.startswith("export "):
                environment.update(pair.split("=", 1) for pair in shlex.split(command)[1:])
            elif " serve " in command:
                with (tmp_path / "serve.log").open("wb") as log:
                    serve = subprocess.Popen([*shlex.split(command), "--port", str(site_port)], env=environment,
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            else:
                done = subprocess.run(command, shell=True, env=environment, capture_output=True, text=True,
                                      timeout=START_SECONDS, check=False)
                assert done.returncode == 0, f"{command}\n{done.stderr}"
        assert serve is not None, "the block has no serve command"
        url = f"http://127.0.0.1:{site_port}"
        wait_until_answering(url, serve, tmp_path / "serve.log")
        ready = requests.get(f"{url}/ready", timeout=30)
        assert ready.status_code == 200 and ready.json()["status"] == "ready", ready.text
    finally:
        if serve is not None:
            serve.terminate()
            serve.wait(timeout=30)
        subprocess.run([str(ROOT / "scripts" / script), "stop", str(tmp_path / "server")], timeout=STOP_SECONDS,
                       check=False)

