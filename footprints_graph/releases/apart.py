"""Work a build hands to a process of its own, so that its Python runs on another core than validation's: telling
what changed since the previous release (from the N-Quads dump on disk) and computing the views (from the store).

The process is `python -m footprints_graph.releases.apart TASK`, its arguments JSON on its standard input and
its answer JSON on its standard output: a fresh interpreter that imports only this module. multiprocessing's
spawn was tried and dropped: it runs the parent's main script again in each child, so a script calling build()
without an `if __name__ == "__main__"` guard started its own build in every child.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from footprints_graph.releases.description import dump_changes
from footprints_graph.releases.views import write_views


def run_apart(task: str, arguments: dict) -> object:
    """Run `task` (a name in TASKS) with `arguments` in a process of its own and return its answer."""
    environment = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # finds this package
    done = subprocess.run([sys.executable, "-m", __name__, task], input=json.dumps(arguments), capture_output=True,
                          text=True, env=environment, check=False)
    if done.returncode:
        raise RuntimeError(f"the build's {task!r} process failed (exit {done.returncode}): {done.stderr[-3000:]}")
    return json.loads(done.stdout)


def changes(nquads: str, previous: str | None, hidden: list[str]) -> dict:
    return dump_changes(Path(nquads), Path(previous) if previous else None, frozenset(hidden))


def views(release: str, base: str) -> None:
    write_views(Path(release), base)


TASKS = {"changes": changes, "views": views}

if __name__ == "__main__":
    print(json.dumps(TASKS[sys.argv[1]](**json.loads(sys.stdin.read()))))
