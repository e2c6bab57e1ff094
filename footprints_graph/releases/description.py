"""Each release as a version of a dataset: `release.json` next to the dumps says which version it is, which
version it follows, what changed between them (records added, removed and changed, per named graph) and the
size and SHA-256 checksum of each dump, as a DCAT description in JSON-LD.

The dumps themselves stay byte-identical for the same records: the time of the release is written only here.
A record, for the change summary, is a subject of a named graph together with its claim nodes (a person's
listings belong to the person; a link set, a graph that describes itself, is one record), so the counts
agree with the build's `summary.json`.
"""

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from footprints_graph import __version__
from footprints_graph.iris import ONTOLOGY

DESCRIPTION_FILE = "release.json"
FINGERPRINT_MODULUS = 1 << 128  # a record's fingerprint: the sum of its triples' 128-bit hashes, modulo this
MAX_LISTED = 100  # record IRIs listed per graph and kind of change; the counts are always complete
LISTING_OF = f"<{ONTOLOGY}listingOf>"  # as the dump writes it
BLOCK = 1 << 20  # bytes read at a time
CONTRIBUTION = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/prov#Activity> "
MEDIA_TYPES = {".nq": "application/n-quads", ".trig": "application/trig", ".jsonld": "application/ld+json",
               ".ttl": "text/turtle", ".nt": "application/n-triples"}
IANA = "https://www.iana.org/assignments/media-types/"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "id": "@id", "type": "@type",
    "title": "dct:title", "version": "dcat:version",
    "issued": {"@id": "dct:issued", "@type": "xsd:dateTime"},
    "previousVersion": {"@id": "dcat:previousVersion", "@type": "@id"},
    "distributions": {"@id": "dcat:distribution", "@container": "@set"},
    "downloadURL": {"@id": "dcat:downloadURL", "@type": "@id"},
    "mediaType": {"@id": "dcat:mediaType", "@type": "@id"},
    "byteSize": {"@id": "dcat:byteSize", "@type": "xsd:nonNegativeInteger"},
    "checksum": "spdx:checksum",
    "algorithm": {"@id": "spdx:algorithm", "@type": "@id"},
    "checksumValue": {"@id": "spdx:checksumValue", "@type": "xsd:hexBinary"},
}
SHA256 = "spdx:checksumAlgorithm_sha256"


def release_iri(build_id: str) -> str:
    return f"urn:footprints-graph:release:{build_id}"


def describe_release(release: Path, previous: Path | None, issued: datetime | None = None,
                     changed: dict | None = None) -> dict:
    """The release folder `release` as a dataset version following `previous` (None for the first); `changed`
    is `release_changes` of its lines if the build has it (else it is read from the dumps)."""
    summary = json.loads((release / "summary.json").read_text(encoding="utf-8"))
    description = {
        "@context": CONTEXT, "id": release_iri(release.name), "type": "dcat:Dataset",
        "title": f"footprints-graph release {release.name}", "version": release.name,
        "issued": (issued or datetime.now(UTC)).isoformat(timespec="seconds"),
        "software": f"footprints-graph {__version__}",
        "records": summary["records"], "triples": summary["triples"], "contributions": contributions(release),
        "distributions": _distributions(release / "dumps"),
        "changes": changed if changed is not None else release_changes(_dump_lines(release), previous,
                                                                      restricted_records(release)),
    }
    if previous:
        description["previousVersion"] = release_iri(previous.name)
    return description


def contributions(release: Path) -> int:
    """How many accepted submissions the release publishes: each is one prov:Activity (convert/contributions.py),
    whose type is one line of the N-Quads dump. Counted in the dump's bytes a block at a time, each block searched
    with the end of the one before (too short to hold a whole match twice): reading its lines as text took 1.2-1.5 s
    at 100,000 victims, at the very end of the build."""
    needle = CONTRIBUTION.encode()
    count, carried = 0, b""
    with (release / "dumps" / "footprints.nq").open("rb") as dump:
        for block in iter(lambda: dump.read(BLOCK), b""):
            text = carried + block
            count += text.count(needle)
            carried = text[-(len(needle) - 1):]
    return count


def write_release_description(release: Path, previous: Path | None, changed: dict | None = None) -> Path:
    """Write `release.json` once, when the release is new; a rebuild of the same records keeps the first."""
    target = release / DESCRIPTION_FILE
    if target.exists() or (previous is not None and previous.resolve() == release.resolve()):
        return target
    temporary = release / f".{DESCRIPTION_FILE}.{os.getpid()}"
    description = describe_release(release, previous, changed=changed)
    temporary.write_text(json.dumps(description, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, target)
    return target


def _distributions(dumps: Path) -> list[dict]:
    """Every dump as a distribution, hashed on two threads (hashlib lets go of Python's lock on large blocks): one
    after another they took 1.5 s at 100,000 victims, on two threads 0.8 s."""
    with ThreadPoolExecutor(2) as threads:
        return list(threads.map(distribution, sorted(dumps.iterdir())))


def distribution(path: Path) -> dict:
    """A dump as a dcat:Distribution: where, what media type, how many bytes, which SHA-256."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return {"type": "dcat:Distribution", "downloadURL": f"dumps/{path.name}",
            "mediaType": IANA + MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
            "byteSize": path.stat().st_size,
            "checksum": {"type": "spdx:Checksum", "algorithm": SHA256, "checksumValue": digest.hexdigest()}}


# ---------------------------------------------------------------- what changed


def release_changes(lines: Iterable[str], previous: Path | None, hidden: frozenset[str] = frozenset()) -> dict:
    """What changed from the release `previous` to the one whose N-Quads dump has `lines`. The `hidden` records
    (restricted now) are left out of `previous` too: a person restricted since would be listed as removed, and
    the public description would name them (issue 13)."""
    before = _records(_dump_lines(previous)) if previous else {}
    return changes(_records(lines, fingerprinted=previous is not None),
                   {g: {r: f for r, f in records.items() if r not in hidden} for g, records in before.items()})


def dump_changes(nquads: Path, previous: Path | None, hidden: frozenset[str] = frozenset()) -> dict:
    """`release_changes` of the N-Quads dump at `nquads` (a build tells them in a process of its own)."""
    with nquads.open(encoding="utf-8") as dump:
        return release_changes(dump, previous, hidden)


def restricted_records(release: Path) -> frozenset[str]:
    """The IRIs of the records the release keeps back (the subjects of its restricted N-Quads)."""
    with (release / "restricted" / "restricted.nq").open(encoding="utf-8") as quads:
        return frozenset(_record_of(_terms(line)[0]) for line in quads if line.startswith("<"))


def _dump_lines(release: Path) -> Iterator[str]:
    with (release / "dumps" / "footprints.nq").open(encoding="utf-8") as dump:
        yield from dump


def _records(lines: Iterable[str], fingerprinted: bool = True) -> dict[str, dict[str, str]]:
    """{graph: {record: fingerprint of its triples}} from the lines of an N-Quads dump, read as text in one pass:
    the dump writes each quad as its terms the way str() writes them, then the graph and a dot, so a line's
    text before the graph is its triple's. A fingerprint is the sum of its triples' hashes, so each subject's
    sum is kept as the lines go by and added to its record's at the end, once every owner is known: no line is
    kept (holding every quad as text took 19 s and over a GiB at 100k victims). Not `fingerprinted`, every
    fingerprint is 0: a first release has nothing to compare them with (hashing took a third of the pass)."""
    sums: dict[tuple[str, str], int] = defaultdict(int)
    owners = _Owners()
    for line in lines:
        subject, predicate, obj, graph = quad = _terms(line)
        sums[(graph, subject)] += _fingerprint(line) if fingerprinted else 0
        owners.see(quad)
    records: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (graph, subject), total in sums.items():
        records[graph][owners.of(graph, subject)] += total
    return {graph: {record: f"{total % FINGERPRINT_MODULUS:032x}" for record, total in by_record.items()}
            for graph, by_record in records.items()}


def _fingerprint(line: str) -> int:
    """The hash of a dump line's triple (its text before the graph)."""
    return int.from_bytes(hashlib.blake2b(line.rsplit(" ", 2)[0].encode(), digest_size=16).digest())


def _terms(line: str) -> tuple[str, str, str, str]:
    """A dump line's subject, predicate and object as written, and its graph IRI (graph names have no spaces,
    and neither do subjects and predicates)."""
    triple, graph, _dot = line.rsplit(" ", 2)
    subject, predicate, obj = triple.split(" ", 2)
    return subject, predicate, obj, graph[1:-1]


class _Owners:
    """Nodes that belong to another record, learnt line by line: a blank node to what points at it, a listing
    to its person, and everything in a graph that describes itself (a link set) to that graph, in that order
    of precedence."""

    def __init__(self):
        self.described: set[str] = set()
        self.listings: dict[tuple[str, str], str] = {}
        self.blanks: dict[tuple[str, str], str] = {}

    def see(self, quad: tuple[str, str, str, str]) -> None:
        subject, predicate, obj, graph = quad
        if subject == f"<{graph}>":
            self.described.add(graph)
        if predicate == LISTING_OF:
            self.listings[(graph, subject)] = obj[1:-1]
        if obj.startswith("_:") and not subject.startswith("_:"):
            self.blanks[(graph, obj)] = _record_of(subject)

    def of(self, graph: str, subject: str) -> str:
        key = (graph, subject)
        if key in self.blanks:
            return self.blanks[key]
        if key in self.listings:
            return self.listings[key]
        return graph if graph in self.described else _record_of(subject)


def _record_of(term: str) -> str:
    """A term's record: an IRI without its fragment (a link set's mapping nodes belong to the link set)."""
    return term[1:-1].split("#", 1)[0] if term.startswith("<") else term


def changes(current: dict[str, dict[str, str]], previous: dict[str, dict[str, str]]) -> dict:
    """Per named graph: the records added, removed and changed, with counts and the first IRIs of each."""
    graphs = {g: _graph_changes(current.get(g, {}), previous.get(g, {})) for g in sorted(set(current) | set(previous))}
    totals = {kind: sum(g[kind]["count"] for g in graphs.values()) for kind in ("added", "removed", "changed")}
    return {"totals": totals, "graphs": {g: c for g, c in graphs.items() if any(c[k]["count"] for k in totals)}}


def _graph_changes(current: dict[str, str], previous: dict[str, str]) -> dict:
    kinds = {
        "added": sorted(set(current) - set(previous)),
        "removed": sorted(set(previous) - set(current)),
        "changed": sorted(r for r in set(current) & set(previous) if current[r] != previous[r]),
    }
    return {kind: {"count": len(records), "records": records[:MAX_LISTED]} for kind, records in kinds.items()}
