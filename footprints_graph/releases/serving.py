"""The release the endpoint serves: the one `<home>/current` points at, with its store opened read-only
in this process. A worker opens the store on its first request (after gunicorn forked it) and reopens
when a build moves `current`, so a new release is served without a restart."""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from footprints_graph.releases.build import current_release
from footprints_graph.store.embedded import open_store


class NoRelease(Exception):
    """No release has been built under the home folder yet."""


@dataclass
class Release:
    path: Path
    store: ox.Store
    pid: int = field(default_factory=os.getpid)
    cache: dict = field(default_factory=dict)  # per-release memo (statistics, documentation models)

    @classmethod
    def open(cls, path: Path, opener: Callable[[Path], ox.Store] | None = None) -> "Release":
        """The release at `path` with its store, opened by `opener` (backends.py; default: the store on disk)."""
        return cls(path, opener(path) if opener else open_store(path / "store"))

    @property
    def build_id(self) -> str:
        return self.path.name

    @cached_property
    def summary(self) -> dict:
        return json.loads((self.path / "summary.json").read_text(encoding="utf-8"))

    @cached_property
    def modified(self) -> datetime:
        """When the release was written (its summary file's time), to the second, for Last-Modified."""
        stamp = (self.path / "summary.json").stat().st_mtime
        return datetime.fromtimestamp(int(stamp), tz=UTC)

    def memo(self, key: str, compute):
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


class Releases:
    """Follows `<home>/current`."""

    def __init__(self, home: Path, opener: Callable[[Path], ox.Store] | None = None):
        self.home = home
        self.opener = opener
        self._release: Release | None = None

    def current(self) -> Release:
        path = current_release(self.home)
        if path is None:
            raise NoRelease(f"no release under {self.home}: run `footprints-graph build --home {self.home}`")
        if self._release is None or self._release.path != path or self._release.pid != os.getpid():
            self._release = Release.open(path, self.opener)
        return self._release
