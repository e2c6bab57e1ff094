"""The one place a release is opened and followed: `<home>/current` points at the release that serves (a
build or a restore moves it with `make_current`), and its store is opened read-only in this process. A worker
opens the store on its first request (after gunicorn forked it) and reopens when `current` moves, so a new
release is served without a restart. `serve`'s master reads the views before it forks (`read_views_ahead`), so that
its workers share one copy of them."""

import fcntl
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from footprints_graph.errors import FootprintsError
from footprints_graph.releases.inbox import sync_folder
from footprints_graph.releases.views import FOLDER as VIEWS
from footprints_graph.releases.views import ReleaseViews
from footprints_graph.releases.views.library import LibraryAnswers
from footprints_graph.store.embedded import open_store
from footprints_graph.store.remote import triple_count_query

log = logging.getLogger(__name__)
# The views read by this process for the processes it forks (`read_views_ahead`), by release folder and base
_read_ahead: dict[tuple[Path, str], ReleaseViews] = {}


class NoRelease(FootprintsError):
    """No release has been built under the home folder yet: the server's fault, not the request's (HTTP 503)."""


def current_release(home: Path) -> Path | None:
    """The release that is serving now, or None before the first build."""
    link = home / "current"
    return link.resolve() if link.exists() else None


def release_store(release: Path) -> ox.Store:
    """The public store of the release at `release`, opened read-only."""
    return open_store(release / "store")


def make_current(home: Path, release: Path) -> None:
    """Point `current` at `release` with one atomic rename of a fresh symlink, on disk when this returns."""
    link, temporary = home / "current", home / f".current-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(release.relative_to(home))
    os.replace(temporary, link)
    sync_folder(home)


def sync_tree(folder: Path) -> None:
    """Every file and folder under `folder` (and it) on disk: a release is renamed into place only once its
    bytes are, so that power lost after the rename never leaves a release whose name promises what its files
    lost (a build that finds its id in place does not write it again)."""
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if not path.is_symlink() and (path.is_file() or path.is_dir()):
            sync_folder(path)  # an fsync of what it opens: a file's bytes, a folder's entries
    sync_folder(folder)


class HomeBusy(FootprintsError):
    """Another build or restore is writing releases into the same home."""


@contextmanager
def writing_releases(home: Path) -> Iterator[None]:
    """Hold the home's lock while a build or a restore writes releases and moves `current`: two at once would
    remove each other's unfinished folder and race for `current`. The kernel frees the lock of a killed holder."""
    home.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(home / ".releases.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HomeBusy(f"another build or restore is writing into {home}; run this one when it has finished") \
                from None
        yield
    finally:
        os.close(descriptor)


@dataclass
class Release:
    path: Path
    store: ox.Store
    pid: int = field(default_factory=os.getpid)
    cache: dict = field(default_factory=dict)  # per-release memo (statistics, documentation models)
    # whether the store is known to hold this release: true of its own store; a SPARQL server's copy is checked
    # (`holds_release`) before anything computed from it is kept, since `build` makes a release current before
    # `load` has put it on the server
    store_checked: bool = True

    @classmethod
    def open(cls, path: Path, opener: Callable[[Path], ox.Store] | None = None, check_store: bool = False) -> "Release":
        """The release at `path` with its store, opened by `opener` (backends.py; default: the store on disk);
        with `check_store`, a store that may not hold it yet (a server being loaded)."""
        return cls(path, (opener or release_store)(path), store_checked=not check_store)

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
        """What `compute` returns, kept for the life of the release once its store is known to hold it."""
        if key in self.cache:
            return self.cache[key]
        value = compute()
        if self.holds_release():
            self.cache[key] = value
        return value

    def library_answers(self) -> LibraryAnswers:
        """The answers to the query library the release carries (views/library.py), read once."""
        return self.memo("library answers", lambda: LibraryAnswers(self.path / VIEWS))

    def views(self, base: str) -> ReleaseViews:
        """The views the release carries (views/__init__.py), as served under `base`: opened once per process, each
        view when first asked for. A SPARQL server that does not hold the release yet (being loaded) is answered
        for as it is: views computed from it, kept by no one, as every other answer (`memo`)."""
        key = f"views {base}"
        if key in self.cache:
            return self.cache[key]
        if not self.holds_release():
            return ReleaseViews(self.path, self.store, base, carried=False)
        read_ahead = _read_ahead.get((self.path, base))
        return self.cache.setdefault(key, read_ahead or ReleaseViews(self.path, self.store, base))

    def holds_release(self) -> bool:
        """Whether the store holds this release, graph by graph: asked until it does, then known (a release never
        changes, and a server being loaded only gets there)."""
        if not self.store_checked:
            self.store_checked = not self.count_mismatches()
        return self.store_checked

    def count_mismatches(self) -> list[str]:
        """Each named graph whose number of triples in the store differs from the summary's."""
        expected = {graph: figures["triples"] for graph, figures in self.summary["graphs"].items()}
        rows = self.store.query(triple_count_query(sorted(expected)))
        found = {row["g"].value: int(row["n"].value) for row in rows}
        return [f"{graph}: {found.get(graph, 0)} in the store, {n} in release {self.build_id}"
                for graph, n in sorted(expected.items()) if found.get(graph, 0) != n]


def read_views_ahead(home: Path, base: str) -> None:
    """Read the views of the release serving now (under `base`) in this process, for the processes it forks next
    (gunicorn's master, before it forks a worker): a worker then starts with them, in memory it shares with the
    master and the other workers (copy on write), where each worker read its own copy (the name index of 100,000
    victims: 290 MB a worker) and took its first second or more doing so. The views of a release no longer
    current are let go; a release that carries no views (an older one) is left to each worker, as before."""
    path = current_release(home)
    if path is None or (path, base) in _read_ahead:
        return
    _read_ahead.clear()
    views = ReleaseViews(path, None, base)  # no store: read-ahead views are the carried ones, read from files
    if views.carried:
        views.read()
        views.names.pool(())  # the candidates of a search (and an untyped /reconcile): 95 ms at 100k, made once
        _read_ahead[(path, base)] = views


class Releases:
    """Follows `<home>/current`."""

    def __init__(self, home: Path, opener: Callable[[Path], ox.Store] | None = None, check_store: bool = False):
        self.home = home
        self.opener = opener
        self.check_store = check_store  # see Release.store_checked
        self._release: Release | None = None
        self._opening = threading.Lock()  # one Release per release and process, whichever thread asks first

    def current(self) -> Release:
        path = current_release(self.home)
        if path is None:
            raise NoRelease(f"no release under {self.home}: run `footprints-graph build --home {self.home}`")
        with self._opening:
            if self._release is None or self._release.path != path or self._release.pid != os.getpid():
                self._release = Release.open(path, self.opener, self.check_store)
            return self._release

    def warm(self, base: str) -> threading.Thread:
        """Open the current release and read its views in a thread of their own, started now: a worker just
        started has them by its first request, instead of that request reading them (about a second for the
        name index of 100,000 victims). A request that needs a view still being read waits for it."""
        thread = threading.Thread(target=self._read_views, args=(base,), name="views", daemon=True)
        thread.start()
        return thread

    def _read_views(self, base: str) -> None:
        try:
            release = self.current()
            release.views(base).read()
            release.library_answers()  # their small answers' bytes: a few milliseconds of the first library query
        except (FootprintsError, OSError) as error:  # no release yet, or a broken one: requests will say so
            log.warning("views not read ahead: %s", error)
