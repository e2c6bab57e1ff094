"""Build: read → convert → validate while the store, the views and the dumps are written → swap atomically.

A build writes a complete new release folder and only then points `current` at it (an atomic rename of
a symlink), so a build that fails or is killed leaves the previous release intact and serving.
Layout under the home folder:

    current -> releases/<build-id>
    releases/<build-id>/store/      Oxigraph on disk (public records only)
    releases/<build-id>/dumps/      N-Quads, TriG, JSON-LD (named graphs); Turtle, N-Triples (merged)
    releases/<build-id>/views/      what pages and services read (releases/views/), computed from the store
    releases/<build-id>/views/      what pages and services need, computed from the public store (releases/views/)
    releases/<build-id>/summary.json
    releases/<build-id>/validation.ttl, validation.json   the SHACL report (warnings and infos; no violations)
    releases/<build-id>/restricted/ restricted records, never served publicly; store/: every record, and the
                                    full validation report, for curators (the public one leaves them out)

A hook for the tests that kill a build at a chosen moment, on a fast machine or a slow one: with
FOOTPRINTS_BUILD_PAUSE_AT=<phase> and FOOTPRINTS_BUILD_PAUSE_FILE=<path>, the build creates `<path>.waiting`
on reaching that phase and waits (at most PAUSE_SECONDS, then a BuildError) until `<path>` exists. The phases:

    read      the records are read, converted and sorted; nothing is written yet
    writing   the store is written into releases/.incomplete-…; the views and all dumps but N-Quads are not
    written   the release is whole in releases/.incomplete-…, not yet renamed
    renamed   the release folder has its name; `current` still points at the previous release

Unset, the hook costs one look-up of the environment per phase.
"""

import gc
import hashlib
import itertools
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rdflib.compare import to_canonical_graph
from tqdm import tqdm

from footprints_graph.collector import collector_paused
from footprints_graph.convert import ConvertedRecord, Quad
from footprints_graph.convert.contributions import CONTRIBUTIONS, contributed_link_sets, convert_contributions
from footprints_graph.convert.linksets import read_link_sets
from footprints_graph.convert.records import convert_tables
from footprints_graph.convert.synth import MARKER as SYNTHETIC_MARKER
from footprints_graph.errors import BuildError
from footprints_graph.iris import DEFAULT_BASE, ONTOLOGY_GRAPH, SYNTHETIC_BASE
from footprints_graph.releases.apart import run_apart
from footprints_graph.releases.description import write_release_description
from footprints_graph.releases.inbox import sync_folder
from footprints_graph.releases.serving import current_release, make_current, sync_tree, writing_releases
from footprints_graph.releases.views import minted_base
from footprints_graph.resources import ontology_graph
from footprints_graph.store.embedded import write_extended_store, write_nquads, write_store
from footprints_graph.terms import line_graph, nquads_lines
from footprints_graph.validate import ValidationFailed, ValidationReport, report_graph, report_json, validate_records

KEEP_RELEASES = 3
LINES_A_BLOCK = 65536  # about 17 MB of N-Quads at 100k victims: 46 blocks
PAUSE_PHASES = ("read", "writing", "written", "renamed")
PAUSE_SECONDS = 300


@dataclass(frozen=True)
class BuildResult:
    build_id: str
    release: Path
    summary: dict
    validation: ValidationReport | None = None


def build(data_dir: Path, home: Path, base: str = DEFAULT_BASE, progress: bool = False,
          switch: bool = True) -> BuildResult:
    """Build the graph from the records in `data_dir` into a new release under `home` and make it current
    (unless `switch` is false: a release served from a SPARQL server is made current by `load` once the server
    holds it). The store is written while the records are validated (Oxigraph's bulk loader runs without
    Python's lock); a release is only made current when they conform."""
    _refuse_mixing(data_dir, base)
    try:
        records, dump, triple_counts, restricted_lines = _converted(data_dir, base, progress)
        restricted = [r for r in records if r.restricted]
        build_id = release_id(dump, restricted_lines)
        pause_at("read")
        with writing_releases(home):  # one build or restore at a time per home
            previous = current_release(home)
            release, report, changed = _write_release(home, build_id, dump, triple_counts, records, restricted,
                                                      restricted_lines, previous)
            write_release_description(release, previous, changed)
            if switch:
                make_current(home, release)
            prune(home, current_release(home) or release)  # never the release being served
    finally:
        gc.unfreeze()  # what _converted froze and is still alive is the collector's again
    return BuildResult(build_id, release, json.loads((release / "summary.json").read_text(encoding="utf-8")), report)


def _converted(data_dir: Path, base: str,
               progress: bool) -> tuple[list[ConvertedRecord], list[bytes], Counter, list[bytes]]:
    """Every record converted; the public N-Quads dump's bytes, a block at a time (`_blocks`); the number of quads
    of each graph in it; the restricted records' sorted N-Quads lines. The records live until the build ends and
    hold no cycles: frozen, Python's cycle collector never walks them again, where its first collection after the
    pause walked every object made meanwhile (4.7M at 100k victims: 1.0 s of CPU before the N-Quads dump was
    written) and each full one after it again (1.6 s each)."""
    with collector_paused():
        records = convert_tables(data_dir, base)
        records += convert_contributions(data_dir / CONTRIBUTIONS, records, base)
        records += read_link_sets(data_dir / "links", records, base,
                                  contributed_link_sets(data_dir / CONTRIBUTIONS, base))
        public = [r for r in records if not r.restricted]
        ontology = _ontology_quads()
        lines, duplicates = _sorted_lines(nquads_lines(itertools.chain(_quads(public, progress), ontology)))
        triple_counts = _triple_counts(public, ontology, duplicates)
        dump = _blocks(lines)
        restricted_lines, _ = _sorted_lines(nquads_lines(_quads([r for r in records if r.restricted], False)))
        gc.freeze()
    return records, dump, triple_counts, restricted_lines


def release_id(public: list[bytes], restricted: list[bytes]) -> str:
    """The release's name: a hash of every record, public and restricted (each part's N-Quads, whole or in pieces),
    so that a curator's edit of a restricted record alone makes a new release (issue 13) rather than finding the old
    one in place and keeping it. The two parts are hashed apart so that no line can move from one to the other and
    keep the id."""
    digest = hashlib.sha256()
    for part in (public, restricted):
        part_digest = hashlib.sha256()
        for piece in part:
            part_digest.update(piece)
        digest.update(part_digest.digest())
    return digest.hexdigest()[:16]


def _sorted_lines(lines: Iterable[bytes]) -> tuple[list[bytes], list[bytes]]:
    """The N-Quads `lines` sorted as bytes, each once, so that every dump is byte-stable; and the copies left out.
    Sorted first and deduplicated next to each other: a record's lines come together, runs the sort takes whole,
    where a set of them gave the sort no order to use and hashed every line (2.4 times the CPU at 10k victims)."""
    ordered = sorted(lines)
    copies = [line for before, line in itertools.pairwise(ordered) if line == before]
    return [line for line, _ in itertools.groupby(ordered)], copies


def _refuse_mixing(data_dir: Path, base: str) -> None:
    """Synthetic records (a folder `synth` wrote, marked by SYNTHETIC.md) never enter the real namespace."""
    if (data_dir / SYNTHETIC_MARKER).exists() and base != SYNTHETIC_BASE:
        raise BuildError(f"{data_dir} holds synthetic records ({SYNTHETIC_MARKER}); "
                         f"build them under their own namespace with --base {SYNTHETIC_BASE}")


def _quads(records: list[ConvertedRecord], progress: bool) -> Iterator[Quad]:
    """The records' triples, each with its record's graph, made as their lines are: a list of them took 1.5 GiB
    at 100k victims as pyoxigraph quads."""
    return ((s, p, o, record.graph)
            for record in tqdm(records, desc="convert", unit="record", disable=not progress)
            for s, p, o in record.triples)


def _triple_counts(public: list[ConvertedRecord], ontology: list[Quad], copies: list[bytes]) -> Counter:
    """{graph IRI: its number of quads in the public N-Quads dump}: each record's triples counted in its graph and
    the ontology's in its own, less the `copies` the dump leaves out (a few thousand at 100k victims), where
    reading the graph off each of the dump's 3M lines took 1.7 s of CPU."""
    counts = Counter()
    for record in public:
        counts[str(record.graph)] += len(record.triples)
    counts[str(ONTOLOGY_GRAPH)] += len(ontology)
    counts.subtract(map(line_graph, copies))
    return +counts  # without a record that has no triples: no graph has 0 quads in the dump


def _blocks(lines: list[bytes]) -> list[bytes]:
    """The sorted `lines` joined a block of LINES_A_BLOCK at a time, emptying `lines` as it goes: the N-Quads
    dump's bytes in a few dozen pieces, hashed and written in as many calls rather than in one a line (3M at 100k
    victims) or joined whole (a 770 MB copy)."""
    blocks = []
    while lines:
        blocks.append(b"".join(lines[-LINES_A_BLOCK:]))
        del lines[-LINES_A_BLOCK:]
    blocks.reverse()
    return blocks


def _record_lines(nquads: Path, restricted_lines: list[bytes]) -> Iterator[bytes]:
    """Every record's N-Quads lines, public and restricted, for validation: read back from the N-Quads dump `nquads`
    a line at a time, then the restricted records' lines, rather than held since they were converted (1.5 GiB as
    quads at 100k victims). The ontology's graph is left out: validation reads the ontology's facts apart."""
    ontology = f" <{ONTOLOGY_GRAPH}> .\n".encode()
    with nquads.open("rb") as dump:
        yield from (line for line in dump if not line.endswith(ontology))
    yield from restricted_lines


def _ontology_quads() -> list[Quad]:
    """The ontology and vocabularies go in their own named graph; blank nodes get canonical labels so
    that every build writes the same bytes."""
    return [(s, p, o, ONTOLOGY_GRAPH) for s, p, o in to_canonical_graph(ontology_graph())]


def _summary(build_id: str, triple_counts: Counter, records: list[ConvertedRecord], report: ValidationReport,
             restricted: list[ConvertedRecord]) -> dict:
    """`triple_counts`: {graph IRI: its number of quads in the public N-Quads dump} (`_triple_counts`)."""
    record_counts = Counter(str(r.graph) for r in records if not r.restricted)
    return {
        "build_id": build_id,
        "records": len(records) - len(restricted),
        "restricted_records": len(restricted),
        "triples": triple_counts.total(),
        "graphs": {g: {"records": record_counts.get(g, 0), "triples": n} for g, n in sorted(triple_counts.items())},
        "validation": public_report(report, restricted).counts(),
    }


def _write_release(home: Path, build_id: str, dump: list[bytes], triple_counts: Counter,
                   records: list[ConvertedRecord], restricted: list[ConvertedRecord], restricted_lines: list[bytes],
                   previous: Path | None) -> tuple[Path, ValidationReport, dict | None]:
    """Validate the records, and tell what changed since `previous`, while the store and the dumps are written
    into a folder of their own; finish the release (restricted records, reports) and give it its name only
    when the records conform. The public N-Quads `dump` (its bytes in blocks) is emptied once written."""
    releases = home / "releases"
    release = releases / build_id
    if release.exists():  # same input, same id, same bytes: nothing to write, but the records are checked
        converted = _record_lines(release / "dumps" / "footprints.nq", restricted_lines)
        return release, _validated(records, converted), None
    work = releases / f".incomplete-{build_id}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        report, changed = _validate_while_writing(work, dump, records, restricted_lines, previous)
        _write_restricted(work / "restricted", restricted_lines, work / "store")
        summary = _summary(build_id, triple_counts, records, report, restricted)
        (work / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _write_report(work, public_report(report, restricted))
        _write_report(work / "restricted", report)  # every result, for curators
        pause_at("written")
        sync_tree(work)  # on disk before it has its name: a release found in place is never written again
        os.rename(work, release)
        sync_folder(releases)
    except OSError as error:  # the disk, not the records: a BuildError says what failed
        raise BuildError(f"writing release {build_id} failed; the current release is unchanged: {error}") from error
    finally:  # after the rename there is nothing left; after anything else (Ctrl-C too) the half-written folder
        shutil.rmtree(work, ignore_errors=True)
    pause_at("renamed")
    return release, report, changed


def _validated(records: list[ConvertedRecord], converted: Iterator[bytes]) -> ValidationReport:
    """The report on every record, public and restricted (`converted`: their N-Quads lines); a violation stops the
    build."""
    report = validate_records(records, converted=converted)
    if not report.conforms:
        raise ValidationFailed(report)
    return report


def _validate_while_writing(work: Path, dump: list[bytes], records: list[ConvertedRecord],
                            restricted_lines: list[bytes], previous: Path | None) -> tuple[ValidationReport, dict]:
    """Validate the records while one thread writes the store and then the views and the other dumps, and another
    tells the change since `previous` (`_write_store_views_and_dumps`). Python's work runs in processes of its own
    (releases/apart.py), where a thread would wait for validation to let go of Python's lock; the store's bulk
    loader and the queries run without it. Every thread and process is waited for before the folder can be
    removed. The `dump`'s blocks are let go of once written: everything after reads the file (0.8 GiB at 100k
    victims)."""
    nquads = write_nquads(work / "dumps", dump)  # first: everything that follows reads it
    dump.clear()
    hidden = sorted(str(r.subject) for r in records if r.restricted)  # never named as removed
    with ThreadPoolExecutor(2) as threads:
        changed = threads.submit(_changes_apart, nquads, previous, hidden)
        written = threads.submit(_write_store_views_and_dumps, work, minted_base(records))
        try:
            report = _validated(records, _record_lines(nquads, restricted_lines))
        finally:
            errors = [future.exception() for future in (written, changed)]
    for error in errors:
        if error is not None:
            raise error
    return report, changed.result()


def _changes_apart(nquads: Path, previous: Path | None, hidden: list[str]) -> dict:
    return run_apart("changes", {"nquads": str(nquads), "previous": str(previous) if previous else None,
                                 "hidden": hidden})


def _write_store_views_and_dumps(work: Path, base: str) -> None:
    """The store, loaded from the N-Quads dump; then, each in a process of its own and all at once, so that both
    cores stay busy to the end: the views from the store, the records view and the other dumps from the N-Quads
    dump. Those two could start with the store, but beside validation's store and the bulk loader at their peak
    they took the build's processes together over 4 GiB at 100k victims (4.21 GiB)."""
    write_store(work / "store", work / "dumps" / "footprints.nq")
    pause_at("writing")
    with ThreadPoolExecutor(2) as threads:
        others = [threads.submit(_record_view_apart, work, base), threads.submit(_dumps_apart, work / "dumps")]
        _views_apart(work, base)
        for other in others:
            other.result()


def _record_view_apart(work: Path, base: str) -> None:
    run_apart("record_view", {"release": str(work), "base": base})


def _dumps_apart(folder: Path) -> None:
    run_apart("dumps", {"folder": str(folder)})


def _views_apart(work: Path, base: str) -> None:
    run_apart("views", {"release": str(work), "base": base})


def pause_at(phase: str) -> None:
    """The test hook of the module docstring: wait at `phase` if FOOTPRINTS_BUILD_PAUSE_AT names it."""
    wanted = os.environ.get("FOOTPRINTS_BUILD_PAUSE_AT")
    if wanted is None:
        return
    if wanted not in PAUSE_PHASES:
        raise BuildError(f"FOOTPRINTS_BUILD_PAUSE_AT={wanted!r} is not a phase of the build; "
                         f"one of {', '.join(PAUSE_PHASES)}")
    if wanted == phase:
        _wait_for_gate(phase, os.environ.get("FOOTPRINTS_BUILD_PAUSE_FILE"))


def _wait_for_gate(phase: str, gate: str | None) -> None:
    if not gate:
        raise BuildError(f"FOOTPRINTS_BUILD_PAUSE_AT={phase} needs FOOTPRINTS_BUILD_PAUSE_FILE, the file to wait for")
    Path(f"{gate}.waiting").touch()
    deadline = time.monotonic() + PAUSE_SECONDS
    while not Path(gate).exists():
        if time.monotonic() > deadline:
            raise BuildError(f"paused at phase {phase!r} for {PAUSE_SECONDS} s and {gate} was never created")
        time.sleep(0.01)  # polled: the build waits for a file another process creates


def public_report(report: ValidationReport, restricted: list[ConvertedRecord]) -> ValidationReport:
    """The report without its results about restricted records (or naming one), which would reveal them."""
    hidden = {r.subject for r in restricted}
    results = [r for r in report.results if not hidden & {r.record, r.focus_node, r.value}]
    return ValidationReport(results, {s: o for s, o in report.origins.items() if s not in hidden})


def _write_report(folder: Path, report: ValidationReport) -> None:
    report_graph(report).serialize(folder / "validation.ttl", format="turtle")
    (folder / "validation.json").write_text(json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n",
                                            encoding="utf-8")


def _write_restricted(folder: Path, lines: list[bytes], public_store: Path) -> None:
    """The restricted records' sorted N-Quads `lines`, and a store of every record for the curators' routes
    (endpoint/curator.py): the public store with the restricted records added."""
    folder.mkdir(mode=0o700)  # other users of the machine cannot read them either
    with (folder / "restricted.nq").open("wb") as dump:
        dump.writelines(lines)
    write_extended_store(folder / "store", public_store, folder / "restricted.nq")


def prune(home: Path, current: Path) -> None:
    """Keep the newest few releases (the one serving and its predecessors); remove leftovers of killed builds."""
    releases = home / "releases"
    for leftover in releases.glob(".incomplete-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    finished = sorted((p for p in releases.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    for old in [p for p in finished if p != current][: max(0, len(finished) - KEEP_RELEASES)]:
        shutil.rmtree(old, ignore_errors=True)
