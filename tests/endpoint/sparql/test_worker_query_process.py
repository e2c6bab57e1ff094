"""Issue 15: a worker forks its first query process as it starts (server.start_query_process), where its first query
forked it and waited for it (10-50 ms at 1,000 victims on a busy machine, 70 ms for a 100,000-victim store in
memory)."""

import urllib.request
from pathlib import Path

import pytest

from support.serving import serving


def _children(pid: int) -> list[int]:
    """The processes `pid` forked, from any of its threads."""
    return sorted(int(child) for children in Path(f"/proc/{pid}/task").glob("*/children")
                  for child in children.read_text().split())


@pytest.mark.slow
def test_a_worker_has_its_query_process_before_its_first_query(built_home, tmp_path):
    with serving(built_home, tmp_path / "serve.log", ["--workers", "1"], {"FOOTPRINTS_QUERY_TIMEOUT": "30",
                                                                         "FOOTPRINTS_CACHE_BYTES": "0"}) as (url, process):
        [worker] = _children(process.pid)
        started = _children(worker)
        assert len(started) == 1
        with urllib.request.urlopen(f"{url}/sparql?query=ASK%20%7B%7D%20%23%20first", timeout=20) as answer:
            assert answer.status == 200
        assert _children(worker) == started  # the query went to it: no fork
