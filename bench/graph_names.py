"""What the per-release graph names cost a SPARQL server (issue 20): the endpoint's own GRAPH ?g queries (VoID's
counts, /ready's, a record's quads) asked as serve asked them before (the public graph names as the dataset) and
as it asks now (the server's names of iris.release_graph, GRAPH ?g rewritten to a VALUES join), p50 of 5 each,
with a check that both give the same answer. The server must hold the release under both names: bulk-load its
dumps/footprints.nq and the file `footprints-graph load --nquads FILE` writes.

    python bench/graph_names.py http://127.0.0.1:8890/sparql HOME/current

docs/scaling.md, "Only the release's graphs", has the figures. Not a unit test.
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from footprints_graph.endpoint.sparql.backends import ServerStore
from footprints_graph.iris import ONTOLOGY_GRAPH
from footprints_graph.store.remote import SPARQL_JSON, RemoteStore, read_solutions

RUNS = 5


def queries(graphs: list[str]) -> dict[str, str]:
    values = " ".join(f"<{graph}>" for graph in graphs)
    return {
        "VoID graph counts": "SELECT ?k (COUNT(*) AS ?n) WHERE { GRAPH ?k { ?s ?p ?o } } GROUP BY ?k",
        "VoID distinct subjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "VoID classes": "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?k } } GROUP BY ?k",
        "/ready counts": f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
        "a subject's quads": f"SELECT * WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ <{ONTOLOGY_GRAPH}> ?p ?o }} }}",
    }


def rows(solutions) -> list[str]:
    """Solutions in a comparable order, blank nodes masked (their labels differ between the two copies)."""
    return sorted(str({v.value: "_" if isinstance(row[v], ox.BlankNode) else str(row[v])
                       for v in solutions.variables if row[v] is not None}) for row in solutions)


def timed(ask) -> tuple[float, list[str]]:
    """p50 in ms of `ask()` over RUNS, and its last answer's rows."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        solutions = ask()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, rows(solutions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the server's query endpoint")
    parser.add_argument("release", type=Path, help="the release folder (its summary names the graphs)")
    args = parser.parse_args()
    public = sorted(json.loads((args.release / "summary.json").read_text(encoding="utf-8"))["graphs"])
    client, served = RemoteStore(args.url, timeout=600), ServerStore(args.url, args.release, timeout=600)
    for name, query in queries(public).items():
        before, public_rows = timed(lambda q=query: read_solutions(client.answer(q, SPARQL_JSON, public, public).body))
        now, server_rows = timed(lambda q=query: served.query(q))  # what serve --store does: rewrite, ask, strip
        same = "same answer" if public_rows == server_rows else "ANSWERS DIFFER"
        print(f"{name:24} before {before:8.1f} ms   now {now:8.1f} ms   {same}")


if __name__ == "__main__":
    main()
