"""How many of a server's query slots (endpoint/sparql/guard.py: flocks on <home>/.query-slots/slot-N, and long-N
for the queries past their short budget) some process holds, read from /proc/locks: looking does not take one."""

import os
from pathlib import Path


def slots_held(home: Path, lane: str = "slot") -> int:
    """How many `lane`-N files under `home`'s query slots are locked ("slot": running queries, "long": those in the
    long lane)."""
    locks = {fields[5] for fields in map(str.split, Path("/proc/locks").read_text().splitlines())
             if fields[1] == "FLOCK"}
    files = [path.stat() for path in (home / ".query-slots").glob(f"{lane}-*")]
    return sum(f"{os.major(f.st_dev):02x}:{os.minor(f.st_dev):02x}:{f.st_ino}" in locks for f in files)
