"""rdflib-endpoint as its `serve` command runs it (the files parsed into one Dataset with a union default graph,
rdflib_endpoint.SparqlEndpoint served by uvicorn), except that the loaded process forks the server and forks it
again whenever it ends: rdflib cannot stop a query, and the endpoint evaluates one on its event loop, so a query
past the benchmark's deadline keeps it busy until it ends (minutes at 100,000 victims). Killing the serving child
(systems.interrupt) frees the endpoint in a fraction of a second, where loading anew takes minutes.

Run by the virtual environment that holds rdflib-endpoint (bench/systems.py), not by the project's Python:

    VENV/bin/python bench/rdflib_server.py --port PORT FILE...
"""

import argparse
import gc
import os
import signal
import socket
import sys

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    dataset = Dataset(default_union=True)  # what `rdflib-endpoint serve FILE...` builds
    for file in args.files:
        dataset.parse(file)
    print(f"loaded {len(dataset):,} triples from {', '.join(args.files)}", flush=True)
    app = SparqlEndpoint(graph=dataset)
    listening = socket.create_server(("127.0.0.1", args.port), backlog=64)  # kept open across the children
    gc.freeze()  # the children's collections then leave the loaded graph's pages shared, not copied
    serve_in_children(app, listening)
    return 0


def serve_in_children(app: SparqlEndpoint, listening: socket.socket) -> None:
    """Fork a child serving `app` on `listening`, and another each time one ends, until this process is TERMed."""
    child = 0

    def stop(*_) -> None:
        if child:
            os.kill(child, signal.SIGKILL)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        child = os.fork()
        if child == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listening])
            os._exit(0)
        os.waitpid(child, 0)
        print(f"serving process {child} ended; forking another", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
