"""The store: Oxigraph on disk through pyoxigraph, written once per build and then only read.

rdflib builds and validates graphs; pyoxigraph stores, queries and serialises them (footprints_graph/terms.py converts
between the two).
"""

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from footprints_graph.iris import PREFIXES
from footprints_graph.terms import line_triple


def write_store(path: Path, nquads: bytes | Path) -> None:
    """Create a new on-disk store at `path` holding the quads of `nquads` (N-Quads, or the file holding them).
    Oxigraph's bulk loader parses and writes without Python's lock, so the build validates meanwhile; from a
    file, it reads the text itself and no copy of it is held in memory."""
    store = ox.Store(str(path))
    if isinstance(nquads, Path):
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    else:
        store.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)
    store.optimize()
    store.flush()
    del store  # releases the RocksDB lock before anyone opens it read-only


def write_extended_store(path: Path, base: Path, nquads: Path) -> None:
    """Create a new on-disk store at `path` holding what the store at `base` holds and the quads of the N-Quads
    file `nquads`. It starts as a checkpoint of `base` (RocksDB hard-links its immutable files: about 0.2 s, where
    loading every quad again took 10 s at 10k victims), then the file is loaded."""
    ox.Store.read_only(str(base)).backup(str(path))
    store = ox.Store(str(path))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store  # releases the RocksDB lock before anyone opens it read-only


def open_store(path: Path) -> ox.Store:
    """The store at `path`, read-only: the server never writes."""
    return ox.Store.read_only(str(path))


DUMP_FORMATS = {
    "footprints.nq": ox.RdfFormat.N_QUADS,
    "footprints.trig": ox.RdfFormat.TRIG,
    "footprints.jsonld": ox.RdfFormat.JSON_LD,
    "footprints.ttl": ox.RdfFormat.TURTLE,
    "footprints.nt": ox.RdfFormat.N_TRIPLES,
}


def write_nquads(folder: Path, lines: list[bytes]) -> Path:
    """The N-Quads dump, written from the sorted `lines` as they are (the store is loaded from it)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "footprints.nq").open("wb") as dump:
        dump.writelines(lines)
    return folder / "footprints.nq"


def write_dumps(folder: Path) -> list[Path]:
    """The other dumps of the dataset beside the N-Quads one in `folder` (`write_nquads`), read from it: TriG and
    JSON-LD with named graphs, Turtle and N-Triples as one merged graph. N-Triples is written from its sorted
    lines read a line at a time; Oxigraph serialises the others from the N-Quads and N-Triples dumps read back a
    quad at a time (it keeps their blank nodes' labels), so no list of every quad or line is held."""
    with (folder / "footprints.nq").open("rb") as nquads, (folder / "footprints.nt").open("wb") as dump:
        dump.writelines(merged(nquads))
    ox.serialize(_read(folder / "footprints.nq"), str(folder / "footprints.trig"), ox.RdfFormat.TRIG, prefixes=PREFIXES)
    ox.serialize(_read(folder / "footprints.nq"), str(folder / "footprints.jsonld"), ox.RdfFormat.JSON_LD)
    ox.serialize(_read(folder / "footprints.nt"), str(folder / "footprints.ttl"), ox.RdfFormat.TURTLE,
                 prefixes=PREFIXES)
    return [folder / name for name in DUMP_FORMATS]


def _read(dump: Path) -> Iterator[ox.Quad]:
    """The quads of a dump this module wrote, read without checking its text again (lenient): the build writes the
    other dumps once the store's bulk loader has read, and checked, the N-Quads dump they come from (the N-Triples
    one is its lines cut), and checking every IRI again was more than half of each read (100k victims: 4.1 -> 1.8 s
    CPU)."""
    return ox.parse(path=str(dump), format=DUMP_FORMATS[dump.name], lenient=True)


def merged(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Each triple's N-Triples line once, from sorted N-Quads `lines`: a quad's text is its triple's text followed
    by a space and the graph, and a space sorts before any character that can follow a term, so quads sorted by
    text are already grouped and ordered by triple."""
    previous = None
    for line in lines:
        triple = line_triple(line) + b" .\n"
        if triple != previous:
            yield triple
        previous = triple
