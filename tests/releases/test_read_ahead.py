"""Issue 15: `serve`'s master reads the current release's views before it forks its workers (serving.read_views_ahead,
called by server.share_before_fork), so that every worker starts with them in memory it shares with the others,
instead of each reading its own copy on its first seconds."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from footprints_graph.iris import DEFAULT_BASE
from footprints_graph.releases import serving
from footprints_graph.releases.serving import Release, Releases, make_current, read_views_ahead
from footprints_graph.releases.views import FOLDER


@pytest.fixture(autouse=True)
def no_views_read_ahead(monkeypatch):
    """Each test starts with nothing read ahead and leaves nothing behind for other tests in this process."""
    monkeypatch.setattr(serving, "_read_ahead", {})


def _served_views(home: Path):
    """The views a new process-wide Releases serves (as a worker's Site makes one)."""
    return Releases(home).current().views(DEFAULT_BASE)


def _copied_home(home: Path, tmp_path: Path, **copy) -> Path:
    copied = tmp_path / "home"
    shutil.copytree(home, copied, symlinks=True, **copy)
    return copied


def test_views_read_ahead_are_the_ones_every_release_object_serves(built_home):
    read_views_ahead(built_home, DEFAULT_BASE)
    views = _served_views(built_home)
    assert {"facets", "names", "home"} <= set(vars(views))  # read already, not when first asked for
    assert () in vars(views.names)["_pools"]  # a search's candidates (Index.pool keeps them there) made already
    assert _served_views(built_home) is views  # one copy, whichever Release asks
    assert Releases(built_home).current().views("https://example.org/other/") is not views  # another base


def test_without_read_ahead_each_release_object_reads_its_own(built_home):
    assert _served_views(built_home) is not _served_views(built_home)


def test_a_new_current_release_is_read_ahead_in_place_of_the_old(built_home, tmp_path):
    home = _copied_home(built_home, tmp_path)
    old = (home / "current").resolve()
    read_views_ahead(home, DEFAULT_BASE)
    new = Path(shutil.copytree(old, old.with_name("second-release")))
    make_current(home, new)
    read_views_ahead(home, DEFAULT_BASE)
    assert _served_views(home) is _served_views(home)
    assert _served_views(home).folder == new / FOLDER
    assert Release.open(old).views(DEFAULT_BASE) is not Release.open(old).views(DEFAULT_BASE)  # let go


def test_a_release_without_views_is_left_to_each_process(built_home, tmp_path):
    home = _copied_home(built_home, tmp_path, ignore=shutil.ignore_patterns(FOLDER))
    read_views_ahead(home, DEFAULT_BASE)
    views = _served_views(home)
    assert not views.carried and views is not _served_views(home)


def test_a_home_without_a_release_reads_nothing_ahead(tmp_path):
    read_views_ahead(tmp_path, DEFAULT_BASE)
    assert serving._read_ahead == {}


# gunicorn's master calls the hook, then forks a worker; the worker serves the views the master read, and its
# app loads the templates the master compiled
FORKED = """
import gc, json, os, sys
from pathlib import Path
from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.releases.serving import Releases
from footprints_graph.server import compile_templates, share_before_fork

config = EndpointConfig(home=Path(sys.argv[1]))
share_before_fork(config)(None, None)
reading, writing = os.pipe()
if os.fork() == 0:
    views = Releases(config.home).current().views(config.base)
    found = {"read": sorted(set(vars(views)) & {"facets", "names", "home"}), "frozen": gc.get_freeze_count(),
             "site imported": "footprints_graph.web" in sys.modules}
    from footprints_graph.web import create_app
    app = create_app(config)
    app.jinja_env.compile = None  # the worker's app compiles nothing: the master compiled every template
    compile_templates(app)
    os.write(writing, json.dumps(found).encode())
    os._exit(0)
os.close(writing)
print(os.read(reading, 4096).decode())
"""


def test_a_forked_worker_starts_with_the_views_its_master_read(built_home):
    done = subprocess.run([sys.executable, "-c", FORKED, str(built_home)], capture_output=True, text=True,
                          timeout=120, check=True)
    found = json.loads(done.stdout)
    assert found["read"] == ["facets", "home", "names"]
    assert found["frozen"] > 0 and found["site imported"]
