"""The views a release carries: what pages and services need that would otherwise be computed on the first
request of every worker — browse's facet index (facets.py), the name index search and reconciliation share
(reconciliation/index.py), the home page's counts and lists (aggregates.py), the query library's answers
(library.py) — computed by the build from the public store and written into `<release>/views/` before the release
has its name.

A view belongs to one build: it lives in the release folder, so a new release brings its own and none outlives
its build. Restricted records never enter one (the public store holds none). A release written before views
existed, or served under another base than it was built with, gets them computed from its store when first
asked for, in memory (the release folder is never written once it has its name).

Files: `views.json` (the format and the base the views were computed under), `browse.sqlite`, `names.pickle`
(the reconciliation Index as pickle: it is sets and dicts of our own frozen dataclasses, which pickle rebuilds
in C several times faster than the names could be parsed again; the file is written by our build into our own
release folder, as trusted as the store beside it, and never read from anywhere else), `home.json`,
`library.json` and `library/` (each library query's answer in every result format, by the hash of its text),
`records.sqlite` (every person's Turtle, records.py; optional: a release without it has it computed per request).
"""

import json
import logging
import pickle
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path

from footprints_graph.iris import DEFAULT_BASE
from footprints_graph.releases.reconciliation.index import Index, build_index
from footprints_graph.releases.views.aggregates import home_aggregates
from footprints_graph.releases.views.facets import FacetIndex, write_facets
from footprints_graph.releases.views.library import library_texts, write_library_answers
from footprints_graph.releases.views.records import RECORDS_FILE, RecordView, write_records
from footprints_graph.store.embedded import open_store

FOLDER = "views"
FORMAT = 2  # raised whenever what a view holds changes: a release with another is computed on open
log = logging.getLogger(__name__)


def write_views(release: Path, base: str) -> None:
    """The views of the release being written at `release` (its public store is complete) but the records view
    (`write_record_view`, which the build writes beside), under the base its records were minted with
    (`minted_base`). Each view is computed on a thread of its own: the engine evaluates and writes answers without
    Python's lock, so the Python of one view (the browse view's and the name index's, reading the engine's answers
    as text) runs while the engine works for another — the home page's queries, the query library's answers
    (library.py), the patterns of the browse view and the name index."""
    store = open_store(release / "store")
    folder = release / FOLDER
    folder.mkdir(exist_ok=True)  # the records view's process may have made it
    try:
        with ThreadPoolExecutor(max_workers=3) as views:
            library = views.submit(write_library_answers, store, folder, library_texts(base))
            home = views.submit(home_aggregates, store)
            names = views.submit(_write_names, store, base, folder / "names.pickle")
            write_facets(store, base, folder / "browse.sqlite")
            names.result()
            _write_home(home.result(), folder / "home.json")
            library.result()
        (folder / "views.json").write_text(json.dumps({"format": FORMAT, "base": base}) + "\n", encoding="utf-8")
    finally:
        del store


def write_record_view(release: Path, base: str) -> None:
    """The records view of the release being written at `release`, read off its N-Quads dump alone (records.py):
    the build writes it in a process of its own beside the views read off the store."""
    folder = release / FOLDER
    folder.mkdir(exist_ok=True)  # the other views' process may have made it
    write_records(release / "dumps" / "footprints.nq", base, folder / RECORDS_FILE)


def minted_base(records: Iterable) -> str:
    """The base the records were minted under: every record lives in a named graph `<base>graph/<name>`
    (iris.graph_iri). Without records there is nothing the base would name: the default serves."""
    graph = next((str(r.graph) for r in records), None)
    return graph[: graph.rindex("graph/")] if graph else DEFAULT_BASE


def _write_names(store, base: str, path: Path) -> None:
    index = build_index(store, base)
    with open(path, "wb") as file:
        pickle.dump(index, file, protocol=pickle.HIGHEST_PROTOCOL)


def _write_home(home: dict[str, list], path: Path) -> None:
    path.write_text(json.dumps(home, ensure_ascii=False), encoding="utf-8")


class ReleaseViews:
    """The views of one release as served under `base`, each opened when first asked for: from the release's
    views folder when it holds views of this format and base (and `carried` allows), else computed from `store`
    (the browse view into a temporary folder, removed with these views)."""

    def __init__(self, release: Path, store, base: str, carried: bool = True):
        self.store, self.base = store, base
        self.folder = release / FOLDER
        self.carried = carried and _carried(self.folder, base)
        self._computed: tempfile.TemporaryDirectory | None = None
        if carried and not self.carried:
            log.warning("release %s carries no views for base %s: computing them from its store", release.name, base)

    def read(self) -> None:
        """Read every view now (each is otherwise read when first asked for)."""
        _ = self.facets, self.names, self.home, self.records  # each a cached property: asking reads it

    @cached_property
    def facets(self) -> FacetIndex:
        if self.carried:
            return FacetIndex(self.folder / "browse.sqlite")
        self._computed = tempfile.TemporaryDirectory(prefix="footprints-views-")  # removed with these views
        path = Path(self._computed.name) / "browse.sqlite"
        write_facets(self.store, self.base, path)
        return FacetIndex(path)

    @cached_property
    def names(self) -> Index:
        if not self.carried:
            return build_index(self.store, self.base)
        with open(self.folder / "names.pickle", "rb") as file:
            return pickle.load(file)

    @cached_property
    def records(self) -> RecordView | None:
        """Persons' Turtle as the build wrote it; None where the release carries none (a release written before
        the view existed): their RDF is then computed from the store, as every other resource's."""
        path = self.folder / RECORDS_FILE
        return RecordView(path) if self.carried and path.is_file() else None

    @cached_property
    def home(self) -> dict[str, list]:
        if not self.carried:
            return home_aggregates(self.store)
        return json.loads((self.folder / "home.json").read_text(encoding="utf-8"))


def _carried(folder: Path, base: str) -> bool:
    """Whether `folder` holds views of this format computed under `base`."""
    try:
        written = json.loads((folder / "views.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    return written == {"format": FORMAT, "base": base}


__all__ = ["FOLDER", "ReleaseViews", "minted_base", "write_record_view", "write_views"]
