"""The answers of the query library (queries/*.rq), carried by the release: the build runs every library query on
the public store as the endpoint runs a query without dataset parameters (the union of the named graphs, no base)
and writes its answer in each result format into `<release>/views/library/`, with `views/library.json` mapping the
sha256 of the query's exact text to the files. The endpoint then answers that very text from the files (its
`routes.py`), the same bytes the engine would send for this release, without running it.

Only SELECT and ASK answers are carried, in the four syntaxes of SPARQL results: the library holds no CONSTRUCT or
DESCRIBE, whose answers the engine keeps giving. A query that cannot run without a base (relative IRIs), or that
calls a SERVICE (the build never calls out) or IRI()/URI() (resolved against the request's URL), is left to the
engine too. The answer is written once as TSV and the other syntaxes are written from it, as the endpoint does
when it caps a result (guard.capped): one evaluation each, and the same terms in the same order in every syntax.
"""

import hashlib
import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from footprints_graph.convert.synth_reference import synthetic_text
from footprints_graph.iris import DEFAULT_BASE, SYNTHETIC_BASE
from footprints_graph.resources import query_text, resource_names

FOLDER = "library"  # under the release's views folder
MANIFEST = "library.json"
SMALL_ANSWER_BYTES = 64 << 10  # an answer's file this small is kept in memory by each worker that serves it
FORMAT = 1  # raised whenever what the manifest says changes: another is not read (the engine answers)
TSV = ox.QueryResultsFormat.TSV
SYNTAXES = (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.CSV, TSV)
# A browser's form sends a textarea's lines ended by CR LF (the editor's Run), which the engine reads as the same
# query wherever a line ends outside a long string
LONG_STRINGS = ('"""', "'''")
# SERVICE (the build never calls out) and the functions that resolve a string against the base IRI of the request
LEFT_TO_THE_ENGINE = re.compile(r"\bSERVICE\b|\b[IU]RI\s*\(", re.IGNORECASE)
# Library queries evaluated at once. The engine releases Python's lock while it evaluates, so they run beside each
# other and beside the views the build reads in Python (views/__init__.py). Two: at 100,000 victims four at once
# held 0.13 GB more at the peak (1.01 GB against 0.88) for no measurable gain on two cores; in whole builds on a
# quiet machine four ended the views no sooner (the views' process 61.5-61.9 s of CPU against 59.4-62.6 s with
# two) and held 1.25 GiB against 0.92-0.94.
THREADS = 2
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredAnswer:
    """A library query's answer in the release: its number of rows (0 for ASK), one file per syntax, and the bytes
    of those files of at most SMALL_ANSWER_BYTES."""

    rows: int
    files: dict[str, Path]  # file extension of the syntax (ox.QueryResultsFormat.file_extension) -> file
    small: dict[str, bytes]  # file extension -> the file's bytes, for the small files

    def file(self, syntax: ox.QueryResultsFormat) -> Path:
        return self.files[syntax.file_extension]

    def bytes_if_small(self, syntax: ox.QueryResultsFormat) -> bytes | None:
        return self.small.get(syntax.file_extension)


def _read_small(rows: int, files: dict[str, Path]) -> StoredAnswer:
    """The answer with its small files read: sending a file (open, fstat, sendfile until it returns 0, seek, close)
    cost a small answer more than the bytes it sends."""
    return StoredAnswer(rows, files, {extension: file.read_bytes() for extension, file in files.items()
                                      if file.stat().st_size <= SMALL_ANSWER_BYTES})


def query_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def library_texts(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Every library query's text by name, as the library serves it under `base` (endpoint/sparql/library.py)."""
    return {name: library_text(name, base) for name in (n.removesuffix(".rq") for n in resource_names("queries", ".rq"))}


def library_text(name: str, base: str = DEFAULT_BASE) -> str:
    """Library query `name` as served under `base`: on synthetic records (SYNTHETIC_BASE) a query whose example names
    a real person, body or document asks for synth's stand-in instead (convert/synth_reference.py), so that a
    synthetic site's library finds what its graph holds (issue 15: no empty answers)."""
    text = query_text(name)
    return synthetic_text(name, text) if base == SYNTHETIC_BASE else text


def write_library_answers(store: ox.Store, views: Path, texts: dict[str, str] | None = None) -> None:
    """The answers of the library queries (`texts`, by name; default every one) on the public `store`, written
    into the `views` folder with their manifest."""
    folder = views / FOLDER
    folder.mkdir()
    texts = library_texts() if texts is None else texts
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        rows = pool.map(lambda name: _write_answer(store, texts[name], folder / name), texts)
        carried = {name: n for name, n in zip(texts, rows, strict=True) if n is not None}
    answers = {}
    for name, n in carried.items():
        entry = {"name": name, "rows": n, "files": {s.file_extension: f"{FOLDER}/{name}.{s.file_extension}"
                                                    for s in SYNTAXES}}
        answers.update({key: entry for key in map(query_key, _texts_sent(texts[name]))})
    manifest = {"format": FORMAT, "answers": answers}
    (views / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _texts_sent(text: str) -> list[str]:
    """The texts a client sends for a library query: as the library serves it, and with CR LF line ends where
    that cannot change what it says."""
    crlf = text.replace("\n", "\r\n")
    return [text] if crlf == text or any(quote in text for quote in LONG_STRINGS) else [text, crlf]


def _write_answer(store: ox.Store, text: str, stem: Path) -> int | None:
    """Write the answer to `text` as `stem`.<extension> in every syntax; its number of rows (None: not carried).
    Evaluated and written on this thread (pyoxigraph's results stay on the thread that made them), without
    Python's lock while the engine works."""
    if LEFT_TO_THE_ENGINE.search(text):  # wherever it is, even in a comment: left out, it only costs the engine's time
        log.info("library query %s calls a SERVICE, IRI() or URI(): left to the engine", stem.name)
        return None
    try:
        results = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as error:  # a relative IRI, resolved against the URL each request is sent to
        log.info("library query %s needs a base (%s): left to the engine", stem.name, error)
        return None
    if isinstance(results, ox.QueryTriples):
        return None
    tsv = results.serialize(format=TSV)
    for syntax in SYNTAXES:
        path = stem.with_suffix(f".{syntax.file_extension}")
        if syntax == TSV:
            path.write_bytes(tsv)
        else:
            ox.parse_query_results(tsv, TSV).serialize(path, format=syntax)
    return 0 if isinstance(results, ox.QueryBoolean) else tsv.count(b"\n") - 1  # a header, then a line per row


class LibraryAnswers:
    """The library answers a release carries, by the exact text of the query (none for a release without them)."""

    def __init__(self, views: Path):
        # each answer made once (its files' paths joined on every find took 10 µs of a request)
        self.answers = {key: _read_small(entry["rows"], {extension: views / file
                                                         for extension, file in entry["files"].items()})
                        for key, entry in _read_manifest(views / MANIFEST).items()}

    def find(self, text: str) -> StoredAnswer | None:
        return self.answers.get(query_key(text))


def _read_manifest(path: Path) -> dict[str, dict]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:  # a release built before the library's answers were carried
        return {}
    return manifest["answers"] if manifest.get("format") == FORMAT else {}


__all__ = ["LibraryAnswers", "StoredAnswer", "library_text", "library_texts", "query_key", "write_library_answers"]
