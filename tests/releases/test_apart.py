"""The build's processes of their own (releases/apart.py): a task that fails on the system's side fails the build
as the disk's fault, and a process the build started dies with it, so a killed build leaves none running on."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from footprints_graph.releases.apart import run_apart

DEATH_SECONDS = 30  # the bound on the child's end once its parent is killed, never a measure of speed

# a build's thread as apart.py starts its children, in a process the test can kill: it starts one child, says its
# id, and waits for it
PARENT = """
import os, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]],
                         env=os.environ | {"FOOTPRINTS_APART_PARENT": str(os.getpid())})
print(child.pid, flush=True)
child.wait()
"""
# a child that asks to die with its parent, says so, and then waits for a signal (it never ends by itself)
CHILD = """
import os, signal
from footprints_graph.releases.apart import _die_with_parent
_die_with_parent(int(os.environ["FOOTPRINTS_APART_PARENT"]))
print("ready", flush=True)
signal.pause()
"""


def test_a_task_that_fails_on_the_disk_raises_its_os_error_in_the_build(tmp_path):
    missing = tmp_path / "no-such-folder"
    with pytest.raises(FileNotFoundError, match="'dumps' process") as raised:
        run_apart("dumps", {"folder": str(missing)})
    assert str(missing) in str(raised.value.filename)


def _ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # dead, not yet reaped by whoever adopted it


def test_a_process_the_build_started_dies_with_the_build():
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    try:
        assert parent.stdout.readline().strip() == "ready"  # its death signal is set
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + DEATH_SECONDS
        while not _ended(child):
            assert time.monotonic() < deadline, "the child outlived its parent"
            time.sleep(0.01)  # polled until the kernel has delivered the signal
    finally:
        if not _ended(child):
            os.kill(child, signal.SIGKILL)
        parent.stdout.close()
