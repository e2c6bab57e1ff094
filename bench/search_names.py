"""Searches for names never asked before (issue 15): the CPU each of many distinct names costs, in process, on a
built home: the search page (Flask's test client, answer cache off), the search's matching alone (web/search.py's
search_hits) and a /reconcile query. bench/pages.py asks the same name again and again, so its repeats are served
by what the first search left in the name scoring's caches; here every name is asked once (then, apart, all of them
again), and each of the three is asked names of its own, since the name scoring's caches are shared. The names are
drawn from the release's name index with a fixed seed, as people type them: romanised as recorded, in Hangul, the
family name and the first syllable only, misspelt by a letter, and in lower case with the family name last.

    python3 bench/search_names.py --home /tmp/fp100k2/home --base https://w3id.org/footprints-graph/synthetic/

Before/after a change, the same script against another checkout, from that checkout's folder (the package it imports
comes first on the path, and `python3 -m footprints_graph serve` puts the working folder first):

    cd /tmp/h7-before && PYTHONPATH=/tmp/h7-before:/work/main/bench python3 -P /work/main/bench/search_names.py ...

--answers FILE writes what each search and query found, to compare two checkouts' answers. --http asks the search
pages of a `footprints-graph serve` started for the run instead (answer cache off; the first request after it started
is the first name): the wall time of each and the CPU the server's processes spent on them all."""

import argparse
import gc
import hashlib
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote_plus

import systems
from measure import load_average, tree_cpu

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.releases.reconciliation import reconcile
from footprints_graph.releases.views import ReleaseViews
from footprints_graph.store.embedded import open_store
from footprints_graph.web import create_app
from footprints_graph.web.search import search_hits
from queries import SparqlClient

KINDS = ("romanised", "hangul", "partial", "misspelt", "reordered")
LETTERS = "aeiougnhkjs"


def drawn_names(index, count: int, seed: int) -> list[tuple[str, str]]:
    """`count` distinct query texts with their kind, the kinds in turn, each from a person drawn with `seed`."""
    chooser = random.Random(seed)
    persons = sorted((e for e in index.entities.values() if e.person), key=lambda e: e.id)
    drawn: dict[str, str] = {}
    while len(drawn) < count:
        kind = KINDS[len(drawn) % len(KINDS)]
        text = _as_typed(kind, chooser.choice(persons).names, chooser)
        if text and text not in drawn:
            drawn[text] = kind
    return [(kind, text) for text, kind in drawn.items()]


def _as_typed(kind: str, names: tuple[str, ...], chooser: random.Random) -> str | None:
    hangul = [n for n in names if any("\uac00" <= c <= "\ud7a3" for c in n)]
    romanised = [n for n in names if n not in hangul and " " in n]
    if kind == "hangul":
        return hangul[0] if hangul else None
    if not romanised:
        return None
    name = romanised[0]
    if kind == "partial":
        return name.split("-")[0]
    if kind == "misspelt":  # one letter of the given name replaced
        at = chooser.randrange(name.index(" ") + 1, len(name))
        return name[:at] + chooser.choice(LETTERS) + name[at + 1:]
    if kind == "reordered":
        family, given = romanised[-1].split(" ", 1)
        return f"{given} {family}".lower()
    return name


def cpu_ms(run: Callable[[str], object], texts: tuple[str, ...]) -> tuple[list[float], list[object]]:
    """Each text's CPU in milliseconds (this process's, user and system) and what `run` answered for it."""
    spent, answers = [], []
    for text in texts:
        started = time.process_time()
        answers.append(run(text))
        spent.append((time.process_time() - started) * 1000)
    return spent, answers


def summary(label: str, spent: list[float]) -> str:
    ordered = sorted(spent)
    return (f"{label:<22} p50 {statistics.median(ordered):7.1f}  p90 {ordered[int(0.9 * len(ordered))]:7.1f}  "
            f"max {ordered[-1]:7.1f}  mean {statistics.fmean(ordered):7.1f} ms CPU")


def search_page(home: Path, base: str) -> Callable[[str], str]:
    """The search page of the whole site (answer cache off) through Flask's test client: the hash of its HTML."""
    client = create_app(EndpointConfig(home=home, base=base, cache_bytes=0)).test_client()

    def page(text: str) -> str:
        answer = client.get("/search", query_string={"q": text})
        if answer.status_code != 200:
            raise SystemExit(f"/search?q={text}: {answer.status}")
        return hashlib.sha256(answer.data).hexdigest()
    page("unification")  # the site's views read, its pool made and its templates compiled, as serve's master does
    return page


def over_http(home: Path, base: str, texts: list[str], log: Path) -> None:
    """Each text's search page asked once, then all of them again, of a server just started."""
    with systems.footprints(home, base, log, cache=False) as server:
        client = SparqlClient(server.sparql, 30)
        print(f"started (load {load_average()})")
        for label in ("new names", "asked again"):
            walls, cpu = [], tree_cpu(server.pid)
            for text in texts:
                started = time.perf_counter()
                client.get(f"/search?q={quote_plus(text)}", "text/html")
                walls.append((time.perf_counter() - started) * 1000)
            used = (tree_cpu(server.pid) - cpu) * 1000 / len(texts)
            print(f"{summary(f'page over HTTP, {label}', walls)[:-7]} wall, server CPU {used:.1f} ms a page"
                  + (f"; the first {walls[0]:.1f} ms" if label == "new names" else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--base", required=True, help="the base the release was built under")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--answers", type=Path, help="write each search's hits and each query's candidates here")
    parser.add_argument("--http", type=Path, metavar="LOG", help="ask a server started for the run (its log here)")
    args = parser.parse_args()
    if args.http:
        index = ReleaseViews((args.home / "current").resolve(), None, args.base).names
        over_http(args.home, args.base, [text for _, text in drawn_names(index, args.count, args.seed)], args.http)
        return
    release = (args.home / "current").resolve()
    store = open_store(release / "store")
    index = ReleaseViews(release, store, args.base).names
    runs = {"search page": search_page(args.home, args.base),
            "search": lambda text: [[h.entity_id, h.score, h.how] for h in search_hits(store, index, text)],
            "reconcile": lambda text: reconcile(store, index, {"q": {"query": text}})["q"]["result"]}
    index.pool(())  # as serve's master makes it before the fork, and then freezes what it holds (server.py): the
    gc.collect()  # collector's passes no longer walk the index's millions of objects
    gc.freeze()
    drawn = drawn_names(index, args.count * len(runs), args.seed)  # names new to each run: the caches are shared
    print(f"{release}: {len(drawn)} distinct names, load average {load_average()}")
    answers = {}
    for at, (name, run) in enumerate(runs.items()):
        kinds, texts = zip(*drawn[at * args.count: (at + 1) * args.count], strict=True)
        first, found = cpu_ms(run, texts)
        again, _ = cpu_ms(run, texts)
        answers[name] = dict(zip(texts, found, strict=True))
        print(summary(f"{name}, new names", first))
        print(summary(f"{name}, asked again", again))
        for kind in KINDS:
            print(summary(f"  {kind}", [ms for ms, of in zip(first, kinds, strict=True) if of == kind]))
    print(f"load average {load_average()}")
    if args.answers:
        args.answers.write_text(json.dumps(answers, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
