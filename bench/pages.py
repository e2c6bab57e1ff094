"""The pages people open (issue 15), timed over HTTP on a footprints-graph just started with its answer cache off:
home, browse unfiltered, with one facet and with two, a name search, a person and a figure. Each page's first
request after `serve` starts is timed on its own (whatever the page builds on the spot, it builds then), then
its repeats. The search's repeats ask the same name, which the name scoring's caches then hold:
bench/search_names.py asks many names once each."""

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from measure import Timings, repeat

from footprints_graph.endpoint.linked_data.presentation import IriSpace
from footprints_graph.releases.views.facets import FacetIndex
from queries import SparqlClient

HTML = "text/html"
FIGURE_QUERY = """SELECT ?figure WHERE { ?figure a <http://purl.org/linked-data/cube#Observation> }
ORDER BY ?figure LIMIT 1"""


@dataclass(frozen=True)
class PageTimings:
    path: str
    first: Timings  # the one request of this page since the server started
    repeats: Timings


def page_paths(release: Path, base: str) -> dict[str, str]:
    """The pages to ask for, by name, chosen from the release: the category and the status that keep the most
    victims, the first named victim in browse order (searched by name, and opened) and the first figure."""
    facets = FacetIndex(release / "views" / "browse.sqlite")
    category, status = (_largest(facets, facet) for facet in ("category", "status"))
    person = next(p for p in facets.persons(facets.chosen({}), 0, 100) if p.name)  # the first that has a name
    space = IriSpace(base)
    return {
        "home": "/",
        "browse": "/browse",
        "browse, one facet": f"/browse?category={category}",
        "browse, two facets": f"/browse?category={category}&status={status}",
        "search": "/search?q=" + person.name.replace(" ", "+"),
        "a person": space.local(person.iri),
        "a figure": space.local(_first_figure(release / "store")),
    }


def _largest(facets: FacetIndex, facet: str) -> str:
    return max((v for v in facets.values if v.facet == facet), key=lambda v: (v.members.bit_count(), v.key)).key


def _first_figure(store: Path) -> str:
    opened = ox.Store.read_only(str(store))
    try:
        return next(iter(opened.query(FIGURE_QUERY, use_default_graph_as_union=True)))["figure"].value
    finally:
        del opened


def visit_pages(url: str, paths: dict[str, str], cap: float, budget: float) -> dict[str, PageTimings]:
    """Each page's first request, one page after another, then each page's repeats (`url`: the server's
    /sparql, whose origin serves the pages)."""
    client = SparqlClient(url, cap)
    first = {name: repeat(lambda path=path: client.get(path, HTML), 0, 1) for name, path in paths.items()}
    return {name: PageTimings(path, first[name], repeat(lambda path=path: client.get(path, HTML), budget, 100))
            for name, path in paths.items()}
