"""Work a build hands to a process of its own, so that its Python runs on another core than validation's: telling
what changed since the previous release (from the N-Quads dump on disk), writing the other dumps and the records
view (from the N-Quads dump too), and computing the other views (from the store).

The process is `python -m footprints_graph.releases.apart TASK`, its arguments JSON on its standard input and
its answer JSON on its standard output: a fresh interpreter that imports only this module. multiprocessing's
spawn was tried and dropped: it runs the parent's main script again in each child, so a script calling build()
without an `if __name__ == "__main__"` guard started its own build in every child. A child is killed when the
thread that started it ends (Linux's parent-death signal), so a build killed outright leaves none running on.
"""

import ctypes
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from footprints_graph.releases.description import dump_changes
from footprints_graph.releases.views import write_record_view, write_views
from footprints_graph.store.embedded import write_dumps

PR_SET_PDEATHSIG = 1  # linux/prctl.h
OS_ERROR_EXIT = 3  # the task failed on the system's side (a full disk): its OSError is raised again in the build


def run_apart(task: str, arguments: dict) -> object:
    """Run `task` (a name in TASKS) with `arguments` in a process of its own and return its answer."""
    environment = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p),  # finds this package
                                "FOOTPRINTS_APART_PARENT": str(os.getpid())}
    done = subprocess.run([sys.executable, "-m", __name__, task], input=json.dumps(arguments), capture_output=True,
                          text=True, env=environment, check=False)
    if done.returncode == OS_ERROR_EXIT:
        number, message, filename = json.loads(done.stdout)["oserror"]
        raise OSError(number, f"the build's {task!r} process: {message}", filename)
    if done.returncode:
        raise RuntimeError(f"the build's {task!r} process failed (exit {done.returncode}): {done.stderr[-3000:]}")
    return json.loads(done.stdout)


def changes(nquads: str, previous: str | None, hidden: list[str]) -> dict:
    return dump_changes(Path(nquads), Path(previous) if previous else None, frozenset(hidden))


def views(release: str, base: str) -> None:
    write_views(Path(release), base)


def record_view(release: str, base: str) -> None:
    write_record_view(Path(release), base)


def dumps(folder: str) -> None:
    write_dumps(Path(folder))


def _die_with_parent(parent: int) -> None:
    """Be killed when the build's thread that started this process ends, however it ends (a SIGKILL too)."""
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        sys.exit(1)


TASKS = {"changes": changes, "views": views, "record_view": record_view, "dumps": dumps}

if __name__ == "__main__":
    _die_with_parent(int(os.environ["FOOTPRINTS_APART_PARENT"]))
    try:
        answer = TASKS[sys.argv[1]](**json.loads(sys.stdin.read()))
    except OSError as error:  # the build says the disk failed (a BuildError), not that it has a bug
        print(json.dumps({"oserror": [error.errno, error.strerror or str(error), error.filename]}))
        sys.exit(OS_ERROR_EXIT)
    print(json.dumps(answer))
