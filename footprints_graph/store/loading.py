"""Loading a release into a SPARQL 1.1 server through the one client (remote.py), and unloading it.

A load sends the release's sorted N-Quads dump in numbered batches and records each acknowledged batch in a
progress file, so a load that fails continues where it stopped; re-sending a batch changes nothing, since a
store holds a set of triples. Blank nodes are the exception: each request mints fresh ones, so a graph's
blank-node triples travel together, first, in a request that replaces the graph.
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
    replaces: str | None = None  # the release loaded into the target before this one, whose stale graphs go

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
    counts: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)  # graphs of the release loaded before that this one lacks
    replaced: list[str] = field(default_factory=list)  # graphs sent again whole: they held an earlier release's triples


def load_release(release: Path, store: RemoteStore, progress_file: Path, batch_size: int | None = None,
                 replace: bool = False) -> LoadReport:
    """Push `release`'s dump into `store` batch by batch, continuing an unfinished load of the same release;
    then check that every named graph holds as many triples as the release says, and drop the graphs of the
    release loaded into `store` before (a table since removed from the records) that this one lacks. With
    `replace`, a load that starts afresh first drops the release's graphs on the server (left-overs of another
    release go too)."""
    summary = json.loads((release / "summary.json").read_text(encoding="utf-8"))
    expected = {graph: figures["triples"] for graph, figures in summary["graphs"].items()}
    size = batch_size or (GRAPH_STORE_BATCH if store.graph_store_url else UPDATE_BATCH)
    progress = Progress.resume_or_start(progress_file, store.write_target, summary["build_id"], size)
    report = LoadReport(store.write_target, summary["build_id"], batches_sent=0,
                        batches_resumed_after=progress.acknowledged, triples_sent=0, seconds=0.0)
    started = time.monotonic()
    if replace and progress.acknowledged == 0:
        for graph in expected:
            store.drop(graph)
    for batch in plan_batches(release / DUMP, size):
        if batch.number >= progress.acknowledged:
            _send_batch(store, batch, progress)
            report.batches_sent, report.triples_sent = report.batches_sent + 1, report.triples_sent + batch.triples
    progress.finish()  # every batch sent: a later run starts afresh, even if the check below fails
    report.replaced = _replace_graphs(store, release / DUMP, _mismatched(store, expected), size)
    report.counts = _verify(store, expected)
    if progress.replaces and progress.replaces != summary["build_id"]:
        report.dropped = _drop_stale_graphs(store, release.parent / progress.replaces, expected)
    report.seconds = round(time.monotonic() - started, 2)
    return report


def unload_release(release: Path, store: RemoteStore) -> list[str]:
    """Drop every named graph of `release` from `store`, then check that none holds a triple: the graphs dropped.
    A graph another dataset shares under the same name goes too (load each dataset under its own graph names)."""
    summary = json.loads((release / "summary.json").read_text(encoding="utf-8"))
    graphs = sorted(summary["graphs"])
    for graph in graphs:
        store.drop(graph)
    left = [f"{graph}: {n} triples" for graph, n in store.triple_counts(graphs).items() if n]
    if left:
        raise RemoteStoreError(f"{store.write_target} still holds these graphs after dropping them: {'; '.join(left)}")
    return graphs


def _drop_stale_graphs(store: RemoteStore, previous: Path, expected: dict[str, int]) -> list[str]:
    """Drop the graphs of the `previous` release that are not in `expected`; none when that release's folder is
    gone (pruned), since then nothing says which graphs it had."""
    try:
        graphs = json.loads((previous / "summary.json").read_text(encoding="utf-8"))["graphs"]
    except OSError:
        return []
    stale = sorted(set(graphs) - set(expected))
    for graph in stale:
        store.drop(graph)
    return stale


def _send_batch(store: RemoteStore, batch: Batch, progress: Progress) -> None:
    try:
        for graph, lines in batch.lines.items():
            store.add(graph, lines, replace=batch.replace)
    except RemoteStoreError as error:
        raise RemoteStoreError(f"batch {batch.number} ({batch.triples} triples) failed: {error}. {progress.acknowledged} "
                               f"batches are recorded in {progress.path}; run the same load again to continue") from None
    progress.acknowledge(batch.number + 1)


def _mismatched(store: RemoteStore, expected: dict[str, int]) -> list[str]:
    counts = store.triple_counts(sorted(expected))
    return [graph for graph, n in sorted(expected.items()) if counts[graph] != n]


def _replace_graphs(store: RemoteStore, dump: Path, graphs: list[str], size: int) -> list[str]:
    """Send `graphs` again whole, replacing what the server holds in them: the triples an earlier release left
    there (a value since changed, a record since restricted), which adding cannot remove. Blank-node triples go
    in the first, replacing request, as in a load."""
    for graph in graphs:
        quads = [quad for quad in _quads(dump) if quad.graph_name.value == graph]
        ground = [_line(quad) for quad in quads if not _has_blank_node(quad)]
        batches = [[_line(quad) for quad in quads if _has_blank_node(quad)],
                     *(ground[start:start + size] for start in range(0, len(ground), size))]
        first, *rest = [lines for lines in batches if lines] or [[]]
        store.add(graph, first, replace=True)
        for lines in rest:
            store.add(graph, lines)
    return graphs


def _verify(store: RemoteStore, expected: dict[str, int]) -> dict[str, int]:
    counts = store.triple_counts(sorted(expected))
    wrong = [f"{graph}: {counts[graph]} on the server, {n} in the release" for graph, n in sorted(expected.items())
             if counts[graph] != n]
    if wrong:
        raise LoadError("the server's graphs do not match the release (load again with --replace to start clean): "
                        + "; ".join(wrong))
    return counts

