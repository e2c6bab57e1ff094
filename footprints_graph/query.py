"""The `query` command's work: run a query (text, a .rq file or a library query) on the local store or on any
SPARQL endpoint (through the one SPARQL client, store/remote.py), and give its results in a format of the
protocol's table or as a plain-text table. Local and remote answers go through the same table, so `--format`
means the same for both."""

import json
from pathlib import Path

import pyoxigraph as ox

from footprints_graph.endpoint.sparql.evaluation import Answer, evaluate
from footprints_graph.endpoint.sparql.guard import QueryPolicy
from footprints_graph.endpoint.sparql.library import library_query
from footprints_graph.endpoint.sparql.protocol import (
    FORMATS,
    GRAPH,
    SOLUTIONS,
    QueryOperation,
    format_of_media_type,
    negotiate,
)
from footprints_graph.errors import FootprintsError
from footprints_graph.releases.serving import current_release, release_store
from footprints_graph.store.remote import RemoteStore, RemoteStoreError

TABLE = "table"
TABLE_FORMATS = ("json", "nt")  # what a table is made from: SPARQL JSON, or N-Triples for a graph


def query_text(query: str) -> str:
    """The query itself, read from a .rq file, or taken from the library by name."""
    path = Path(query)
    if query.endswith(".rq") or (len(query) < 256 and path.is_file()):
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise FootprintsError(f"cannot read the query file {query}: {error}") from error
    try:
        return library_query(query.removesuffix(".rq")).text
    except KeyError:
        return query


def format_names(name: str) -> tuple[str, ...]:
    names = TABLE_FORMATS if name == TABLE else (name,)
    if not any(f.called(n) for f in FORMATS for n in names):
        known = sorted({n for f in FORMATS for n in f.names})
        raise FootprintsError(f"unknown format {name!r}; use table or one of: {', '.join(known)}")
    return names


def run_local(release: Path, operation: QueryOperation, names: tuple[str, ...]) -> Answer:
    """The query on the release's store, under the endpoint's guard: no SERVICE, no graph from elsewhere (guard.py)."""
    return evaluate(release_store(release), operation, lambda kind: negotiate(None, kind, names), QueryPolicy())


def run_remote(endpoint: str, operation: QueryOperation, names: tuple[str, ...]) -> Answer:
    """Ask `endpoint` for the formats `names` allows (one per kind of result); the server picks by kind."""
    accept = ", ".join(f.media_type for kind in (SOLUTIONS, GRAPH) for f in FORMATS
                       if f.kind == kind and any(f.called(n) for n in names))
    answer = RemoteStore(endpoint).answer(operation.text, accept, operation.default_graphs, operation.named_graphs)
    returned = format_of_media_type(answer.media_type)
    if returned is None:
        raise RemoteStoreError(f"{endpoint} answered in {answer.media_type!r}, not in {accept}")
    return Answer(returned, answer.body)


# ----------------------------------------------------------------------------- the text table


def text_table(answer: Answer) -> str:
    """Results as aligned plain-text columns (a boolean for ASK)."""
    if answer.format.kind == GRAPH:
        triples = ox.parse(answer.body, format=answer.format.syntax)
        return aligned(["subject", "predicate", "object"], [[str(t.subject), str(t.predicate), str(t.object)]
                                                            for t in triples])
    results = json.loads(answer.body)
    if "boolean" in results:
        return "true" if results["boolean"] else "false"
    names = results["head"]["vars"]
    rows = [[_cell(binding.get(n)) for n in names] for binding in results["results"]["bindings"]]
    return aligned(names, rows)


def _cell(value: dict | None) -> str:
    if value is None:
        return ""
    if value["type"] == "uri":
        return f"<{value['value']}>"
    if value["type"] == "bnode":
        return f"_:{value['value']}"
    language = f"@{value['xml:lang']}" if "xml:lang" in value else ""
    return value["value"] + language


def aligned(header: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    lines = [header, ["-" * w for w in widths], *rows]
    count = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines) + "\n" + count


def run(query: str, *, home: Path, endpoint: str | None = None, format_name: str = TABLE,
        default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = ()) -> Answer:
    """Run `query` (text, .rq file or library name) on `endpoint`, or on the current release under `home`."""
    operation = QueryOperation(query_text(query), tuple(default_graphs), tuple(named_graphs))
    names = format_names(format_name)
    if endpoint:
        return run_remote(endpoint, operation, names)
    release = current_release(home)
    if release is None:
        raise FootprintsError(f"no release under {home}: run `footprints-graph build --home {home}` first, "
                              "or ask a remote endpoint with --endpoint URL")
    return run_local(release, operation, names)
