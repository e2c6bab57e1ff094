"""The query editor's answer: a browser that sends a query to /sparql without naming a format (and prefers
HTML to every result format) gets the editor back with the results as a table, links to download them in
every format, and a link that shares the query. The query runs exactly as any other (the same deadline,
refusals and limits in sparql.py); only the format it is read back in is chosen here. A library query's answer
carried by the release is sent whole whatever its rows (routes.py), and the page reads only the rows it shows.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Response, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from footprints_graph.endpoint.language import explicit_language
from footprints_graph.endpoint.linked_data.presentation import IriSpace, compact, web_link
from footprints_graph.endpoint.site import current_site
from footprints_graph.endpoint.sparql.evaluation import Answer
from footprints_graph.endpoint.sparql.library import library, library_query
from footprints_graph.endpoint.sparql.protocol import (
    GRAPH,
    SOLUTIONS,
    ProtocolRequest,
    ResultFormat,
    format_named,
    formats_for,
)
from footprints_graph.releases.views.library import StoredAnswer

HTML = "text/html"
TABLE_ROWS = 1000  # rows shown; the downloads carry them all
TSV = ox.QueryResultsFormat.TSV
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")
EXAMPLE = """PREFIX fp: <https://w3id.org/footprints-graph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?person ?name ?category WHERE {
  ?person a fp:Victim ; skos:prefLabel ?name ; fp:victimCategory ?category .
}
ORDER BY ?name"""


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    external: bool = False
    language: str | None = None
    datatype: str | None = None


@dataclass
class ResultsTable:
    kind: str  # select | ask | graph
    columns: list[str]
    rows: list[list[Cell | None]]
    total: int
    boolean: bool | None = None


def wants_page(protocol: ProtocolRequest) -> bool:
    """A browser asking without a format: it prefers HTML to every format a result could come in."""
    return not protocol.format_names and prefers_page(request.headers.get("Accept"))


@lru_cache(maxsize=256)
def prefers_page(accept: str | None) -> bool:
    """Whether an Accept header as sent prefers HTML to every result format (kept by header, as
    protocol.negotiated keeps what a header negotiates)."""
    accept_types = parse_accept_header(accept, MIMEAccept)
    offered = [f.media_type for kind in (SOLUTIONS, GRAPH) for f in formats_for(kind)]
    return bool(accept_types) and accept_types.best_match([*offered, HTML]) == HTML


def page_format(kind: str) -> ResultFormat:
    """What the editor reads results back in: SPARQL JSON for solutions, N-Triples for graphs."""
    return format_named("json", SOLUTIONS) if kind == SOLUTIONS else format_named("nt", GRAPH)


def results_table(answer: Answer, space: IriSpace) -> ResultsTable:
    if answer.format.kind == GRAPH:
        triples = list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
        rows = [[_cell(t.subject, space), _cell(t.predicate, space), _cell(t.object, space)] for t in triples[:TABLE_ROWS]]
        return ResultsTable("graph", ["subject", "predicate", "object"], rows, len(triples))
    results = json.loads(answer.body)
    if "boolean" in results:
        return ResultsTable("ask", [], [], 1, results["boolean"])
    columns, bindings = results["head"]["vars"], results["results"]["bindings"]
    rows = [[_json_cell(b.get(c), space) for c in columns] for b in bindings[:TABLE_ROWS]]
    return ResultsTable("select", columns, rows, len(bindings))


def stored_table(stored: StoredAnswer, space: IriSpace) -> ResultsTable:
    """A library query's answer carried by the release, as a table of its first TABLE_ROWS rows: read from its TSV
    file a line a row (a term's line breaks are escaped in TSV), never the whole answer, which can hold every
    listing of the archive; its number of rows from the release."""
    with stored.file(TSV).open("rb") as lines:
        head = b"".join(islice(lines, TABLE_ROWS + 1))  # the variables' line, then the rows
    results = ox.parse_query_results(head, TSV)
    if isinstance(results, ox.QueryBoolean):
        return ResultsTable("ask", [], [], 1, bool(results))
    variables = results.variables
    rows = [[None if solution[v] is None else _cell(solution[v], space) for v in variables] for solution in results]
    return ResultsTable("select", [v.value for v in variables], rows, stored.rows)


def _json_cell(term: dict | None, space: IriSpace) -> Cell | None:
    if term is None:
        return None
    if term["type"] == "uri":
        return _iri_cell(term["value"], space)
    if term["type"] == "bnode":
        return Cell(f"_:{term['value']}")
    return Cell(term["value"], language=term.get("xml:lang"), datatype=_datatype(term.get("datatype")))


def _cell(term, space: IriSpace) -> Cell:
    if isinstance(term, ox.NamedNode):
        return _iri_cell(term.value, space)
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}")
    return Cell(term.value, language=term.language, datatype=None if term.language else _datatype(term.datatype.value))


def _iri_cell(iri: str, space: IriSpace) -> Cell:
    """An IRI, linked to its local page when this server answers for it, else out if it is a web address (never
    javascript: or the like), named compactly."""
    local = space.local(iri)
    short = compact(iri)
    href = local or (iri if web_link(iri) else None)
    return Cell(short if short != iri else (local or iri), href, external=local is None)


def _datatype(iri: str | None) -> str | None:
    shown = compact(iri) if iri else None
    return None if shown in (None, "xsd:string") else shown


def query_link(text: str, **extra) -> str:
    """/sparql with this query (and the request's dataset parameters) in the URL."""
    params = [("query", text), *((p, v) for p in DATASET_PARAMETERS for v in request.values.getlist(p)),
              *extra.items()]
    if language := explicit_language():
        params.append(("lang", language))
    return "/sparql?" + urlencode(params)


def downloads(kind: str, text: str) -> list[tuple[str, str, str]]:
    """(label, link, file name) of every format the results can be downloaded in."""
    formats = formats_for(GRAPH if kind == "graph" else SOLUTIONS)
    return [(f"{f.label} ({f.media_type})", query_link(text, format=f.name), f"results.{f.name}") for f in formats if f.names]


def initial_query() -> str:
    """What the editor opens with: the query of the request, a library query it names, or an example."""
    name = request.args.get("library", "")
    try:
        return request.values.get("query") or (library_query(name, current_site().config.base).text if name else EXAMPLE)
    except KeyError:
        return EXAMPLE


def editor_page(table: ResultsTable | None = None, status: int = 200) -> Response:
    text = initial_query()
    queries = library(current_site().config.base)
    page = render_template("sparql.html", query=text, table=table, queries=queries,
                           library_texts={q.name: q.text for q in queries},
                           downloads=downloads(table.kind, text) if table else [],
                           share=current_site().root() + query_link(text), chosen=request.args.get("library", ""))
    return Response(page, status=status, content_type="text/html; charset=utf-8", headers={"Vary": "Accept"})


def results_page(answer: Answer) -> Response:
    return editor_page(results_table(answer, current_site().space))


def stored_results_page(stored: StoredAnswer) -> Response:
    return editor_page(stored_table(stored, current_site().space))
