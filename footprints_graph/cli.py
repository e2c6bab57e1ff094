"""The `footprints-graph` command. Each subcommand parses its flags and calls one module; errors from
the library become exit codes here: 0 ok, 1 invalid (the shapes found violations), 2 unusable input."""

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from footprints_graph import __version__
from footprints_graph.convert.linksets import add_link_set
from footprints_graph.convert.synth import write_synthetic
from footprints_graph.errors import FootprintsError, RecordError
from footprints_graph.iris import DEFAULT_BASE, SYNTHETIC_BASE
from footprints_graph.releases.backup import restore_backup, write_backup
from footprints_graph.releases.build import build
from footprints_graph.releases.serving import current_release, make_current, release_store
from footprints_graph.releases.uwazi_export import export_uwazi
from footprints_graph.store.loading import (
    load_release,
    progress_path,
    retire_previous,
    unload_release,
    write_server_nquads,
)
from footprints_graph.store.remote import GRAPH_STORE_BATCH, UPDATE_BATCH, RemoteStore
from footprints_graph.validate import REPORT_FORMATS, ValidationFailed, render_report, validate_submission

EXIT_OK, EXIT_INVALID, EXIT_UNUSABLE = 0, 1, 2


def _home(value: str | None) -> Path:
    return Path(value or os.environ.get("FOOTPRINTS_HOME", "var"))


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", help="folder of releases and the 'current' link (default: $FOOTPRINTS_HOME or ./var)")
    parser.add_argument("--base", default=os.environ.get("FOOTPRINTS_BASE", DEFAULT_BASE),
                        help=f"base IRI of minted resources (default: $FOOTPRINTS_BASE or {DEFAULT_BASE})")


def _add_build(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("build", help="convert the records, validate them and write a new store and dumps")
    parser.add_argument("--data", default="data", type=Path, help="folder of record tables (default: ./data)")
    parser.add_argument("--keep-current", action="store_true",
                        help="leave the release being served current: for a site served from a SPARQL server, "
                             "`load --release BUILD_ID` makes the new one current once the server holds it")
    _add_common(parser)
    parser.set_defaults(run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    result = build(args.data, _home(args.home), args.base, progress=sys.stderr.isatty(), switch=not args.keep_current)
    print(json.dumps(result.summary, indent=2, sort_keys=True))
    if result.validation and result.validation.results:
        print(render_report(result.validation, "text"), file=sys.stderr)
    print(f"built release {result.build_id} at {result.release}", file=sys.stderr)
    if args.keep_current:
        print(f"not current yet: 'footprints-graph load --release {result.build_id} …' makes it current once a "
              "server holds it", file=sys.stderr)
    return EXIT_OK


def _add_validate(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("validate", help="check a submission against the shapes, together with the current release")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML files; record tables named like data/*.csv "
                             "(people.csv, events.csv, … or *-people.csv, …); Uwazi entity JSON with --uwazi-mapping")
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text",
                        help="text (the default) or json for people and programs; turtle or json-ld for the SHACL report graph")
    parser.add_argument("--uwazi-mapping", type=Path, metavar="FILE",
                        help="TOML mapping for Uwazi entity JSON (see data/uwazi/README.md); .json files are then Uwazi exports")
    _add_common(parser)
    parser.set_defaults(run=_run_validate)


def _run_validate(args: argparse.Namespace) -> int:
    release = current_release(_home(args.home))
    if release is None:
        print(f"note: no release under {_home(args.home)}: the submission is checked on its own", file=sys.stderr)
    store = release_store(release) if release else None
    report = validate_submission(args.files, store, args.base, args.uwazi_mapping)
    print(render_report(report, args.format), end="")
    return EXIT_OK if report.conforms else EXIT_INVALID


def _add_link(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("link", help="add a partner's link set (SSSOM/TSV or CSV) to data/links and rebuild")
    parser.add_argument("file", type=Path,
                        help="the mappings: *.sssom.tsv, or *.csv with "
                             "subject,predicate,object,author,date[,confidence]")
    parser.add_argument("--data", default="data", type=Path,
                        help="folder of record tables; the file is copied to its links/ (default: "
                             "./data)")
    parser.add_argument("--replace", action="store_true", help="overwrite a link set of the same name")
    parser.add_argument("--new-home", action="store_true",
                        help="build into --home even though it holds no release yet, so that nothing serves it")
    _add_common(parser)
    parser.set_defaults(run=_run_link)


def _run_link(args: argparse.Namespace) -> int:
    home = _home(args.home)
    _check_served_home(home, args.new_home)
    link_set, target = add_link_set(args.file, args.data, args.base, args.replace)
    result = build(args.data, home, args.base)
    print(json.dumps({"link_set": str(link_set.graph(args.base)), "file": str(target), "home": str(home),
                      "mappings": len(link_set.mappings), "build_id": result.build_id}, indent=2))
    print(f"built release {result.build_id} into {home}; it is published where `footprints-graph serve --home "
          f"{home}` runs", file=sys.stderr)
    return EXIT_OK


def _check_served_home(home: Path, new_home: bool) -> None:
    """A link set built into a home that holds no release is published nowhere: most likely --home (or
    FOOTPRINTS_HOME) was forgotten and ./var is not the home the server reads."""
    if current_release(home) is None and not new_home:
        raise FootprintsError(f"no release under {home}: no server reads this home, so the link set would be "
                              "published nowhere; give the served home with --home (or FOOTPRINTS_HOME), or pass "
                              "--new-home to start one here. Nothing was written.")


def _add_submit(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("submit", help="send record tables and RDF, or a link set, to a server's inbox "
                                 "for a curator's review")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="record tables (people.csv, events.csv, … "
                        "or *-people.csv, …), RDF files, Uwazi exports (.json) with their mapping (.toml) (check them first "
                        "with `validate`), or one link set "
                        "(*.sssom.tsv, or a CSV of links; docs/linking.md)")
    parser.add_argument("--to", required=True, metavar="URL", help="the server, e.g. https://footprints.example.org")
    parser.add_argument("--source", required=True, help="where the records come from: a document, a list, a "
                        "testimony (title, publisher, date or web address)")
    parser.add_argument("--contact", default="", help="how a curator can reach you; kept private, never published")
    parser.add_argument("--note", default="", help="a note for the curators")
    parser.set_defaults(run=_run_submit)


def _run_submit(args: argparse.Namespace) -> int:
    from footprints_graph.submit import answer_text, submit

    answer = submit(args.files, args.to, args.source, args.contact, args.note)
    print(answer_text(answer), file=sys.stdout if answer.kept else sys.stderr)
    if answer.kept:
        return EXIT_OK
    return EXIT_INVALID if answer.status == 422 else EXIT_UNUSABLE


def _add_backup(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("backup", help="write the current release, restricted records included, to one archive")
    parser.add_argument("file", type=Path, help="the archive to write (.tar.gz; readable by its owner only: never publish it)")
    parser.add_argument("--home", help="folder of releases and the 'current' link (default: $FOOTPRINTS_HOME or ./var)")
    parser.set_defaults(run=_run_backup)


def _run_backup(args: argparse.Namespace) -> int:
    manifest = write_backup(_home(args.home), args.file)
    print(json.dumps({"file": str(args.file), "build_id": manifest["build_id"], "files": len(manifest["files"])}, indent=2))
    return EXIT_OK


def _add_restore(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("restore", help="make a new release of a backup and swap it in atomically")
    parser.add_argument("file", type=Path, help="an archive written by 'footprints-graph backup'")
    parser.add_argument("--home", help="folder of releases and the 'current' link (default: $FOOTPRINTS_HOME or ./var)")
    parser.set_defaults(run=_run_restore)


def _run_restore(args: argparse.Namespace) -> int:
    release = restore_backup(args.file, _home(args.home))
    print(f"restored release {release.name} at {release}; it is current", file=sys.stderr)
    return EXIT_OK


def _add_export(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("export", help="write the current release for another system")
    parser.add_argument("--uwazi-csv", type=Path, required=True, metavar="OUT",
                        help="folder for Uwazi CSV import files (one per template) with templates.json and thesauri.json")
    _add_common(parser)
    parser.set_defaults(run=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    release = current_release(_home(args.home))
    if release is None:
        print(f"error: no release under {_home(args.home)}; run 'footprints-graph build' first", file=sys.stderr)
        return EXIT_UNUSABLE
    for path in export_uwazi(release_store(release), args.uwazi_csv, args.base):
        print(path)
    return EXIT_OK


def _add_synth(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("synth", help="write synthetic record tables (fictional victims) for scale tests")
    parser.add_argument("--victims", type=int, required=True, help="how many synthetic victims to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed writes the same bytes (default: 0)")
    parser.add_argument("--out", type=Path, required=True, help="a new folder (or an earlier synth output) for the tables")
    parser.set_defaults(run=_run_synth)


def _run_synth(args: argparse.Namespace) -> int:
    rows = write_synthetic(args.out, args.victims, args.seed)
    print(json.dumps(rows, indent=2, sort_keys=True))
    print(f"wrote synthetic records to {args.out}; build them with --base {SYNTHETIC_BASE}", file=sys.stderr)
    return EXIT_OK


def _add_load(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("load", help="push the current release into a SPARQL 1.1 server (batched, resumable)")
    _add_server(parser, "--to", required=False)
    parser.add_argument("--nquads", type=Path, metavar="FILE",
                        help="instead of sending it: write the release's N-Quads under the graph names a server keeps "
                             "it in, for the server's own bulk loader")
    parser.add_argument("--batch", type=int, metavar="N",
                        help=f"triples per request (default: {GRAPH_STORE_BATCH} to a graph store, {UPDATE_BATCH} by Update)")
    parser.add_argument("--replace", action="store_true", help="drop the release's graphs on the server before a fresh load")
    parser.add_argument("--release", metavar="BUILD_ID",
                        help="load this release, and make it current once the server holds it (default: the current one)")
    parser.add_argument("--keep-previous", action="store_true",
                        help="keep the graphs of the release loaded before (replicas still serving it); `unload "
                             "--release` it once they have switched")
    parser.add_argument("--home", help="folder of releases and the 'current' link (default: $FOOTPRINTS_HOME or ./var)")
    parser.set_defaults(run=_run_load)


def _add_unload(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("unload", help="remove a release's named graphs from a SPARQL 1.1 server")
    _add_server(parser, "--from")
    parser.add_argument("--release", metavar="BUILD_ID", help="the release whose graphs go (default: the current one)")
    parser.add_argument("--home", help="folder of releases and the 'current' link (default: $FOOTPRINTS_HOME or ./var)")
    parser.set_defaults(run=_run_unload)


def _add_server(parser: argparse.ArgumentParser, url_flag: str, required: bool = True) -> None:
    """How `load` and `unload` reach the server: its endpoints and credentials."""
    parser.add_argument(url_flag, dest="to", required=required, metavar="URL", help="the server's SPARQL query endpoint")
    parser.add_argument("--update-url", metavar="URL", help="its SPARQL Update endpoint (default: the query endpoint)")
    parser.add_argument("--graph-store-url", metavar="URL",
                        help="its Graph Store Protocol endpoint; when given, writes go there (much faster than Update)")
    parser.add_argument("--user", help="user for the update or graph store endpoint")
    parser.add_argument("--password", default=os.environ.get("FOOTPRINTS_REMOTE_PASSWORD"),
                        help="password (default: $FOOTPRINTS_REMOTE_PASSWORD, which keeps it out of the process list)")
    parser.add_argument("--auth", choices=("digest", "basic"), default="digest",
                        help="HTTP authentication of SPARQL requests (default: digest, as Virtuoso's /sparql-auth)")


def _remote_store(args: argparse.Namespace) -> RemoteStore:
    return RemoteStore(args.to, args.update_url, args.user, args.password, graph_store_url=args.graph_store_url,
                       auth=args.auth)


def _run_load(args: argparse.Namespace) -> int:
    """Load, check the server's counts (load_release raises otherwise), make the release current, then drop the
    previous release's graphs."""
    home = _home(args.home)
    release = _named_release(home, args.release)
    if release is None:
        return EXIT_UNUSABLE
    if args.nquads:
        write_server_nquads(release, args.nquads)
        print(json.dumps({"release": release.name, "nquads": str(args.nquads)}, indent=2))
        return EXIT_OK
    if not args.to:
        print("error: load needs --to URL (or --nquads FILE)", file=sys.stderr)
        return EXIT_UNUSABLE
    store = _remote_store(args)
    report = load_release(release, store, progress_path(home, store), args.batch, args.replace)
    if release != current_release(home):
        make_current(home, release)
    if report.previous and not args.keep_previous:  # only now: until the switch, the previous release was served
        report.dropped = retire_previous(store, home / "releases", report.previous)
    print(json.dumps(asdict(report), indent=2, sort_keys=True))
    return EXIT_OK


def _run_unload(args: argparse.Namespace) -> int:
    home = _home(args.home)
    release = _named_release(home, args.release)
    if release is None:
        return EXIT_UNUSABLE
    print(json.dumps({"release": release.name, "dropped": unload_release(release, _remote_store(args))}, indent=2))
    return EXIT_OK


def _named_release(home: Path, build_id: str | None) -> Path | None:
    """The release `build_id` under `home` (the current one when None); None, said on standard error, if absent."""
    release = home / "releases" / build_id if build_id else current_release(home)
    if release is None or not (release / "summary.json").is_file():
        missing = f"no release {build_id} under {home}" if build_id else \
            f"no release under {home}; run 'footprints-graph build' first"
        print(f"error: {missing}", file=sys.stderr)
        return None
    return release


SERVE_SETTINGS = ("home", "base", "data", "host", "port", "workers", "query_timeout", "max_query_bytes", "public_url",
                  "store_url", "in_memory")


def _add_serve(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("serve", help="serve the current release: SPARQL endpoint, linked-data pages, VoID, dumps")
    parser.add_argument("--config", type=Path,
                        help="TOML file of settings (default: $FOOTPRINTS_CONFIG); FOOTPRINTS_* variables and flags override "
                             "it")
    parser.add_argument("--home", type=Path,
                        help="folder of releases and the 'current' link (default: $FOOTPRINTS_HOME or "
                             "./var)")
    parser.add_argument("--base", help=f"base IRI of minted resources (default: $FOOTPRINTS_BASE or {DEFAULT_BASE})")
    parser.add_argument("--data", type=Path, help="record tables to build from when there is no release yet (default: ./data)")
    parser.add_argument("--host", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: 8000)")
    parser.add_argument("--workers", type=int, help="gunicorn worker processes (default: 2)")
    parser.add_argument("--query-timeout", type=float,
                        help="seconds a query may run before it is stopped with 503 (default: 30; 0: no "
                             "limit)")
    parser.add_argument("--max-query-bytes", type=int, help="longest query accepted, in bytes (default: 100000)")
    parser.add_argument("--public-url",
                        help="the server's public URL, for VoID and the Service Description (default: the request's "
                             "host)")
    parser.add_argument("--store", dest="store_url", metavar="URL",
                        help="query endpoint of a SPARQL 1.1 server holding the current release (see `load`) to serve from, "
                             "instead of the release's own store")
    parser.add_argument("--in-memory", action="store_true", default=None,
                        help="serve from a copy of the release in each worker's memory (faster queries, more memory)")
    parser.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from footprints_graph.endpoint.config import load_config
    from footprints_graph.server import serve

    serve(load_config(args.config, **{name: getattr(args, name) for name in SERVE_SETTINGS}))
    return EXIT_OK


def _add_query(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("query", help="run a SPARQL query on the local store or on a remote endpoint")
    parser.add_argument("query", help="the query text, a .rq file, or the name of a library query (queries/*.rq)")
    parser.add_argument("--endpoint", help="URL of a SPARQL endpoint to ask instead of the local store")
    parser.add_argument("--format", default="table",
                        help="table (aligned columns, the default) or a result format: json, xml, csv, tsv, ttl, nt, rdf, "
                             "jsonld, trig, nq, n3")
    parser.add_argument("--default-graph", action="append", default=[], help="IRI of a graph for the default graph (repeatable)")
    parser.add_argument("--named-graph", action="append", default=[], help="IRI of a named graph of the dataset (repeatable)")
    parser.add_argument("--home", help="folder of releases and the 'current' link (default: $FOOTPRINTS_HOME or ./var)")
    parser.set_defaults(run=_run_query)


def _run_query(args: argparse.Namespace) -> int:
    from footprints_graph.query import TABLE, run, text_table

    answer = run(args.query, home=_home(args.home), endpoint=args.endpoint, format_name=args.format,
                 default_graphs=tuple(args.default_graph), named_graphs=tuple(args.named_graph))
    if args.format == TABLE:
        print(text_table(answer))
    else:
        sys.stdout.buffer.write(answer.body)
        sys.stdout.flush()
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="footprints-graph",
                                  description="Build, validate, query and serve the footprints-graph knowledge "
                                              "graph.")
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = top.add_subparsers(title="commands", required=True, metavar="COMMAND")
    _add_build(commands)
    _add_validate(commands)
    _add_serve(commands)
    _add_query(commands)
    _add_synth(commands)
    _add_load(commands)
    _add_unload(commands)
    _add_link(commands)
    _add_submit(commands)
    _add_export(commands)
    _add_backup(commands)
    _add_restore(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except ValidationFailed as failure:
        print(render_report(failure.report, "text"), file=sys.stderr)
        print(f"error: {failure}", file=sys.stderr)
        return EXIT_INVALID
    except RecordError as error:  # a table's problems, in the reader's language
        print(f"{'오류' if _language() == 'ko' else 'error'}: {error.text(_language())}", file=sys.stderr)
        return EXIT_UNUSABLE
    except FootprintsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE


def _language() -> str:
    """ko when the locale is Korean (LC_ALL, LC_MESSAGES or LANG, as POSIX ranks them), else en."""
    locale = next((os.environ[v] for v in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(v)), "")
    return "ko" if locale.lower().startswith("ko") else "en"


if __name__ == "__main__":
    sys.exit(main())
