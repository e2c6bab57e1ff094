"""Loading a release into a SPARQL 1.1 server through the one client (remote.py), and unloading it.

A load sends the release's sorted N-Quads dump in numbered batches and records each acknowledged batch in a
progress file, so a load that fails continues where it stopped; re-sending a batch changes nothing, since a
store holds a set of triples. Blank nodes are the exception: each request mints fresh ones, so a graph's
blank-node triples travel together, first, in a request that replaces the graph.

Each graph of a release goes into a server graph of that release alone (iris.release_graph): a load never touches
the graphs of the release being served, nor another dataset's, so the switch is the move of `current` once the
counts match, and the previous release's graphs are dropped only after it (`retire_previous`).
"""

import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from footprints_graph.errors import FootprintsError
from footprints_graph.iris import release_graph
from footprints_graph.store.remote import GRAPH_STORE_BATCH, UPDATE_BATCH, RemoteStore, RemoteStoreError

DUMP = Path("dumps") / "footprints.nq"


class LoadError(FootprintsError):
    """A load finished but the server does not hold what the release holds."""


# Loading a release


@dataclass(frozen=True)
class Batch:
    """N-Triples lines by named graph, sent together; a `replace` batch empties its graph first."""

    number: int
    lines: dict[str, list[str]]
    replace: bool = False

    @property
    def triples(self) -> int:
        return sum(len(lines) for lines in self.lines.values())


def plan_batches(dump: Path, size: int) -> Iterator[Batch]:
    """The dump as numbered batches: first each graph's blank-node triples (one batch per graph), then the
    other triples in dump order, `size` at a time. The same dump and size always give the same batches."""
    blank = _blank_node_lines(dump)
    for number, graph in enumerate(sorted(blank)):
        yield Batch(number, {graph: blank[graph]}, replace=True)
    number, lines = len(blank), {}
    for count, (graph, line) in enumerate(_ground_lines(dump), start=1):
        lines.setdefault(graph, []).append(line)
        if count % size == 0:
            yield Batch(number, lines)
            number, lines = number + 1, {}
    if lines:
        yield Batch(number, lines)


def _quads(dump: Path) -> Iterator[ox.Quad]:
    return ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS)  # streamed, never the whole file in memory


def _has_blank_node(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _line(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} .\n"


def _blank_node_lines(dump: Path) -> dict[str, list[str]]:
    lines: dict[str, list[str]] = {}
    for quad in _quads(dump):
        if _has_blank_node(quad):
            lines.setdefault(quad.graph_name.value, []).append(_line(quad))
    return lines


def _ground_lines(dump: Path) -> Iterator[tuple[str, str]]:
    return ((quad.graph_name.value, _line(quad)) for quad in _quads(dump) if not _has_blank_node(quad))


@dataclass
class Progress:
    """How far a load of one release into one target got: batches acknowledged, in order."""

    path: Path
    target: str
    build_id: str
    batch_size: int
    acknowledged: int = 0
    complete: bool = False
    replaces: str | None = None  # the release loaded into the target before this one, whose graphs go after the switch

    @classmethod
    def resume_or_start(cls, path: Path, target: str, build_id: str, batch_size: int) -> "Progress":
        """The unfinished load of the same release, target and batch size recorded at `path`, or a new one."""
        fresh = cls(path, target, build_id, batch_size)
        try:
            recorded = cls(path, **json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):  # no record, or one this version cannot read: start over (safe)
            return fresh
        same = (recorded.target, recorded.build_id, recorded.batch_size) == (target, build_id, batch_size)
        if same and not recorded.complete:
            return recorded
        # the release the target held before: the one loaded last, or the one the load recorded was replacing
        loaded_before = recorded.complete and recorded.build_id != build_id
        fresh.replaces = recorded.build_id if loaded_before else recorded.replaces
        return fresh

    def acknowledge(self, batches: int) -> None:
        self.acknowledged = batches
        self._save()

    def finish(self) -> None:
        self.complete = True
        self._save()

    def _save(self) -> None:
        """Write atomically: a load killed mid-write leaves the previous record, never half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {k: v for k, v in asdict(self).items() if k != "path"}
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, self.path)


def progress_path(home: Path, store: RemoteStore) -> Path:
    """The progress file of loads into `store`'s write target, under the home folder."""
    return home / "loads" / f"{hashlib.sha256(store.write_target.encode()).hexdigest()[:16]}.json"


@dataclass
class LoadReport:
    target: str
    build_id: str
    batches_sent: int
    batches_resumed_after: int
    triples_sent: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)  # by the release's (public) graph names
    previous: str | None = None  # the release loaded into the target before this one: its graphs go after the switch
    dropped: list[str] = field(default_factory=list)  # the server's graphs of `previous`, dropped after the switch


def store_graphs(summary: dict) -> dict[str, str]:
    """Each named graph of the release `summary` describes, by the graph a server keeps it in."""
    return {graph: release_graph(summary["build_id"], graph) for graph in summary["graphs"]}


def load_release(release: Path, store: RemoteStore, progress_file: Path, batch_size: int | None = None,
                 replace: bool = False) -> LoadReport:
    """Push `release`'s dump into `store` batch by batch, each graph into the server graph of this release
    (iris.release_graph), continuing an unfinished load of the same release; then check that every graph holds as
    many triples as the release says. The release served meanwhile keeps graphs of its own, untouched: making this
    one current, then `retire_previous`, is the caller's switch. With `replace`, a load that starts afresh first
    drops this release's graphs on the server (left-overs of an earlier try)."""
    summary = json.loads((release / "summary.json").read_text(encoding="utf-8"))
    names = store_graphs(summary)
    size = batch_size or (GRAPH_STORE_BATCH if store.graph_store_url else UPDATE_BATCH)
    progress = Progress.resume_or_start(progress_file, store.write_target, summary["build_id"], size)
    report = LoadReport(store.write_target, summary["build_id"], batches_sent=0,
                        batches_resumed_after=progress.acknowledged, triples_sent=0, seconds=0.0)
    started = time.monotonic()
    if replace and progress.acknowledged == 0:
        for graph in names.values():
            store.drop(graph)
    for batch in plan_batches(release / DUMP, size):
        if batch.number >= progress.acknowledged:
            _send_batch(store, batch, progress, names)
            report.batches_sent, report.triples_sent = report.batches_sent + 1, report.triples_sent + batch.triples
    progress.finish()  # every batch sent: a later run starts afresh, even if the check below fails
    report.counts = _verify(store, names, {graph: figures["triples"] for graph, figures in summary["graphs"].items()})
    if progress.replaces != summary["build_id"]:
        report.previous = progress.replaces
    report.seconds = round(time.monotonic() - started, 2)
    return report


def write_server_nquads(release: Path, out: Path) -> None:
    """The release's N-Quads with each graph named as a server keeps it (`store_graphs`), into `out`: for a server's
    own bulk loader (Virtuoso's ld_dir, `oxigraph load`), whose copy `serve --store` then finds."""
    names = {graph: ox.NamedNode(stored) for graph, stored in
             store_graphs(json.loads((release / "summary.json").read_text(encoding="utf-8"))).items()}
    renamed = (ox.Quad(q.subject, q.predicate, q.object, names[q.graph_name.value]) for q in _quads(release / DUMP))
    ox.serialize(renamed, output=str(out), format=ox.RdfFormat.N_QUADS)


def retire_previous(store: RemoteStore, releases: Path, build_id: str) -> list[str]:
    """After the switch: drop the server's graphs of release `build_id` (the one served before), found by its
    summary under `releases`, or on the server by their names when the release has been pruned."""
    summary = releases / build_id / "summary.json"
    if summary.is_file():
        graphs = sorted(store_graphs(json.loads(summary.read_text(encoding="utf-8"))).values())
    else:
        graphs = graphs_on_server(store, build_id)
    return _drop_all(store, graphs)


def graphs_on_server(store: RemoteStore, build_id: str) -> list[str]:
    """The graphs `store` holds for release `build_id`, by their names (a scan of the server's graphs)."""
    prefix = release_graph(build_id, "")
    rows = store.select(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}')
    return sorted(str(row["g"]) for row in rows)


def unload_release(release: Path, store: RemoteStore) -> list[str]:
    """Drop the server's graphs of `release`, then check that none holds a triple: the graphs dropped. Another
    release, or another dataset, on the same server keeps its own."""
    summary = json.loads((release / "summary.json").read_text(encoding="utf-8"))
    return _drop_all(store, sorted(store_graphs(summary).values()))


def _drop_all(store: RemoteStore, graphs: list[str]) -> list[str]:
    for graph in graphs:
        store.drop(graph)
    left = [f"{graph}: {n} triples" for graph, n in store.triple_counts(graphs).items() if n]
    if left:
        raise RemoteStoreError(f"{store.write_target} still holds these graphs after dropping them: {'; '.join(left)}")
    return graphs


def _send_batch(store: RemoteStore, batch: Batch, progress: Progress, names: dict[str, str]) -> None:
    try:
        for graph, lines in batch.lines.items():
            store.add(names[graph], lines, replace=batch.replace)
    except RemoteStoreError as error:
        raise RemoteStoreError(f"batch {batch.number} ({batch.triples} triples) failed: {error}. {progress.acknowledged} "
                               f"batches are recorded in {progress.path}; run the same load again to continue") from None
    progress.acknowledge(batch.number + 1)


def _verify(store: RemoteStore, names: dict[str, str], expected: dict[str, int]) -> dict[str, int]:
    """The server's count of each graph, by public name; a LoadError unless each is the release's."""
    on_server = store.triple_counts(sorted(names.values()))
    counts = {graph: on_server[names[graph]] for graph in sorted(expected)}
    wrong = [f"{names[graph]}: {counts[graph]} on the server, {n} in the release" for graph, n in sorted(expected.items())
             if counts[graph] != n]
    if wrong:
        raise LoadError("the server's graphs do not match the release (load again with --replace to start clean): "
                        + "; ".join(wrong))
    return counts
