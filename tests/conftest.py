"""Fixtures shared by the test files: a release built once from data/, its store, the Flask app on it, and the
real server (`footprints-graph serve`, gunicorn) on a free port of 127.0.0.1; a copy of data/ a test may spoil;
the release with a restricted person that the security tests share."""

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from footprints_graph.convert.synth import write_synthetic
from footprints_graph.iris import SYNTHETIC_BASE
from footprints_graph.releases.build import build
from footprints_graph.releases.serving import current_release
from footprints_graph.store.embedded import open_store
from footprints_graph.web import EndpointConfig, create_app
from support import ROOT
from support.security import restricted_data
from support.serving import LiveServer, serving

# The outside SPARQL servers' fixtures (virtuoso, oxigraph), for every test file that names them.
pytest_plugins = ["support.servers", "support.browser"]

# Fixtures that start a server, a browser or a build in a process of its own, or hand a test its own copy of the
# records to change and build again: a test using one is marked `slow`, as is a property-based test (hypothesis:
# a build or a request per example), so that `pytest -m "not slow"` runs without them (pyproject.toml registers
# the marker). A few whole-release cross-checks carry the mark themselves.
SLOW_FIXTURES = frozenset({
    "live_server",  # footprints-graph serve (gunicorn)
    "server",  # a server of the test module's own: the hardened gunicorn, Virtuoso or the Oxigraph server
    "virtuoso",  # Virtuoso 7 (scripts/virtuoso.sh)
    "oxigraph",  # the Oxigraph server (scripts/oxigraph-server.sh)
    "comunica",  # comunica-sparql from npm (scripts/comunica.sh)
    "chromium",  # Debian's Chromium (scripts/install-browser.sh)
    "build_subprocess",  # footprints-graph build in processes killed at each phase (releases/test_kill_build.py)
    "copy_data",  # a copy of data/ that the test changes and builds again (a release of its own)
    "data",  # the same, for one test
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(item.fixturenames) or getattr(item.function, "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def built_home(tmp_path_factory) -> Path:
    """A home folder with one release built from data/ (read-only for tests: spoil a copy instead)."""
    home = tmp_path_factory.mktemp("home")
    build(ROOT / "data", home)
    return home


@pytest.fixture(scope="session")
def copy_data() -> Callable[[Path], Path]:
    """Copies data/ into `folder`/data, for a test (or a module's fixture) to change and build. The Uwazi exports
    and example submissions are left out: the build reads neither."""
    def copy(folder: Path) -> Path:
        return Path(shutil.copytree(ROOT / "data", folder / "data", ignore=shutil.ignore_patterns("examples", "uwazi")))
    return copy


@pytest.fixture
def data(tmp_path, copy_data) -> Path:
    """A private copy of data/ (tmp_path/data) that a test may spoil."""
    return copy_data(tmp_path)


@pytest.fixture(scope="session")
def restricted_home(tmp_path_factory) -> Path:
    """A home with one release built from data/ in which one person is restricted (support.security), built once
    per session; read-only for tests."""
    folder = tmp_path_factory.mktemp("restricted")
    build(restricted_data(folder / "data"), folder / "home")
    return folder / "home"


@pytest.fixture(scope="session")
def built_release(built_home) -> Path:
    return current_release(built_home)


@pytest.fixture(scope="session")
def synthetic_release(tmp_path_factory) -> Path:
    """A release of 400 synthetic victims (convert/synth.py, seed 1), built once: a few of them restricted."""
    folder = tmp_path_factory.mktemp("synthetic")
    write_synthetic(folder / "data", 400, 1)
    build(folder / "data", folder / "home", SYNTHETIC_BASE)
    return current_release(folder / "home")


@pytest.fixture
def home(tmp_path, built_release) -> Path:
    """A home of the test's own whose current release is the session's (its inbox, backups… start empty)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "current").symlink_to(built_release)
    return home


@pytest.fixture(scope="session")
def store(built_release):
    """The built store, opened read-only."""
    return open_store(built_release / "store")


@pytest.fixture(scope="session")
def app(built_home):
    return create_app(EndpointConfig(home=built_home, query_timeout=5))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(built_home, tmp_path_factory):
    """`footprints-graph serve` (gunicorn, 2 workers) on the built home, stopped at the end of the session."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with serving(built_home, log, ["--workers", "2", "--query-timeout", "3"]) as (url, _process):
        yield LiveServer(url, built_home, log)


@pytest.fixture(scope="session")
def comunica() -> Path:
    """comunica-sparql 4.5 from the npm registry, installed (once, then cached under var/tools/) by
    scripts/comunica.sh. A Comunica that cannot be installed makes its tests fail, never skip."""
    done = subprocess.run([str(ROOT / "scripts" / "comunica.sh"), "install"], capture_output=True, text=True,
                          timeout=900, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"scripts/comunica.sh install failed ({done.returncode}):\n{done.stderr}")
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def linked_client(tmp_path_factory, copy_data):
    """The site on a build of data/ with the test link sets of tests/data/links added (partner links on pages,
    in VoID and in data extension), built once for the session."""
    data = copy_data(tmp_path_factory.mktemp("linked"))
    shutil.copytree(ROOT / "tests" / "data" / "links", data / "links", dirs_exist_ok=True)
    home = tmp_path_factory.mktemp("home")
    build(data, home)
    return create_app(EndpointConfig(home=home)).test_client()
