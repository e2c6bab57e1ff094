"""/browse: the victims, narrowed by facets — category, status, year of the act, credited organisation and
source — that combine (every chosen value must hold), with counts from the store and pages of results.

Each facet is a graph pattern that binds ?value (what is shown) and ?key (what goes in the URL: a concept's
notation, a year, a record's IRI relative to the base) for ?person, and a pattern that keeps the persons
with one key. One query counts every facet's values (SPARQL GROUP BY over the chosen persons), one fetches
the page of persons, one their labels: three store queries, whatever the number of victims. Counts and pages
are kept per release for the views asked for most recently.
"""

import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, abort, render_template, request

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.language import Words, chosen_language, link
from footprints_graph.endpoint.linked_data.presentation import Presenter, TermView
from footprints_graph.endpoint.site import current_site
from footprints_graph.endpoint.sparql.query_process import select_in_slot

PAGE_SIZE = 25
# Values chosen at once, over all facets. Every chosen value must hold, and each is a join more: the year's is a
# join of optional dates, so 6 years took 0.4 s and 34 hung a worker for 36 s (issue 13). No person has more
# than a few categories, statuses or years; the queries run with the endpoint's deadline all the same.
MAX_CHOSEN = 6
RECORD_KEY = re.compile(r"^[a-z]+/[a-z0-9]+(?:[-.][a-z0-9]+)*$")
YEAR_KEY = re.compile(r"^\d{4}(?:-(?:\d{4})?)?$|^-\d{4}$")
CATEGORY_DEFINITION = "https://w3id.org/footprints-graph/vocab/date-basis/category-definition"

# The year of a person's act, as precisely as its dates allow: "2013"; "1950-1953" for an act known only within
# a range; "1953-" for one bounded only by the start of its category's legal definition.
ACT_YEAR = """?act{i} fp:victim ?person ; a/skos:inScheme fpv:act-types .
  OPTIONAL {{ ?act{i} fp:date ?date{i} }} OPTIONAL {{ ?act{i} fp:startDate ?start{i} }}
  OPTIONAL {{ ?act{i} fp:endDate ?end{i} }} OPTIONAL {{ ?act{i} fp:dateBasis ?basis{i} }}
  BIND(SUBSTR(STR(?start{i}), 1, 4) AS ?from{i}) BIND(SUBSTR(STR(?end{i}), 1, 4) AS ?to{i})
  BIND(IF(BOUND(?date{i}), SUBSTR(STR(?date{i}), 1, 4),
       IF(BOUND(?end{i}), IF(COALESCE(?from{i}, "") = ?to{i}, ?to{i}, CONCAT(COALESCE(?from{i}, ""), "-", ?to{i})),
          IF(COALESCE(?basis{i} = <CATEGORY_DEFINITION>, false), CONCAT(?from{i}, "-"), ?from{i}))) AS ?year{i})"""
ACT_YEAR = ACT_YEAR.replace("CATEGORY_DEFINITION", CATEGORY_DEFINITION)


@dataclass(frozen=True)
class Facet:
    name: str
    values: str  # binds ?value and ?key for ?person
    keep: str  # keeps the persons with one key ({key}: the key as a SPARQL term; {i}: a fresh suffix)
    key_pattern: re.Pattern | None = None  # keys outside it are refused (they would go into the query)


BASE = "$BASE"  # stands for the base IRI, as a string, in the facet patterns
RELATIVE_KEY = f"BIND(STRAFTER(STR(?value), {BASE}) AS ?key)"


# A person's category is its own class, which the build gives only where every source agrees; a person the sources
# disagree on falls under the consistency rule it breaks instead (its fp:Inconsistency involves its listings), so
# the category counts sum to no one twice.
CATEGORY_VALUES = """{ ?person a ?value . ?value skos:inScheme fpv:victim-categories ; skos:notation ?key . }
  UNION { ?inconsistency fp:involves/fp:listingOf ?person ; fp:rule ?value . ?value skos:notation ?key . }"""
CATEGORY_KEEP = """?value{i} skos:notation {key} .
  {{ ?person a ?value{i} }} UNION {{ ?inconsistency{i} fp:involves/fp:listingOf ?person ; fp:rule ?value{i} }}"""

FACETS = (
    Facet("category", CATEGORY_VALUES, CATEGORY_KEEP),
    Facet("status", "?status fp:statusOf ?person ; fp:status ?value . ?value skos:notation ?key .",
          "?concept{i} skos:notation {key} . ?status{i} fp:status ?concept{i} ; fp:statusOf ?person ."),
    Facet("year", ACT_YEAR.format(i="") + " BIND(?year AS ?value) BIND(?year AS ?key)",
          ACT_YEAR + " FILTER(?year{i} = {key})", YEAR_KEY),
    Facet("organisation", "?person fp:creditedTo ?value . " + RELATIVE_KEY, "?person fp:creditedTo <{iri}> .", RECORD_KEY),
    Facet("source", "?person dct:source ?value . " + RELATIVE_KEY, "?person dct:source <{iri}> .", RECORD_KEY),
)
FACET_NAMES = tuple(f.name for f in FACETS)

# Each branch of the union names the victims itself: joined from outside, Oxigraph evaluates the union whole and
# then joins row by row, which takes minutes for 20,000 victims instead of seconds.
COUNTS_QUERY = """
SELECT ?facet ?value ?key (COUNT(DISTINCT ?person) AS ?n) WHERE { %s } GROUP BY ?facet ?value ?key"""
COUNTS_BRANCH = """{ BIND("%s" AS ?facet) ?person a fp:Victim . %s %s }"""
CACHED_VIEWS = 256  # counts and pages kept per release (a view of 100,000 victims takes seconds to count)

PAGE_QUERY = """
SELECT ?person (MIN(LCASE(STR(?label))) AS ?sort) (GROUP_CONCAT(DISTINCT STR(?category); separator=" ") AS ?categories)
WHERE {
  ?person a fp:Victim .
  %(filters)s
  OPTIONAL { ?person skos:prefLabel ?label } OPTIONAL { ?person fp:victimCategory ?category }
} GROUP BY ?person ORDER BY ?sort ?person LIMIT %(limit)d OFFSET %(offset)d"""

blueprint = Blueprint("browse", __name__)


Selection = dict[str, list[str]]  # facet name → chosen keys


@dataclass
class FacetValue:
    key: str
    label: TermView | str
    count: int
    selected: bool
    href: str  # this selection with the value toggled


@dataclass
class BrowseModel:
    selection: Selection
    total: int
    page: int
    pages: int
    facets: list[tuple[str, list[FacetValue]]]
    rows: list[tuple[TermView, list[TermView]]]
    chosen: list[tuple[str, FacetValue]] = field(default_factory=list)


def read_selection(arguments) -> Selection:
    """The chosen keys of each facet from the query string; a key that cannot be one is a 400."""
    selection = {f.name: sorted(set(arguments.getlist(f.name))) for f in FACETS}
    chosen = sum(map(len, selection.values()))
    if chosen > MAX_CHOSEN:
        abort(400, description=f"{chosen} values are chosen; /browse combines at most {MAX_CHOSEN} (each one must "
                               "hold for every person listed). Remove some, or ask /sparql.")
    for facet in FACETS:
        bad = [k for k in selection[facet.name] if facet.key_pattern and not facet.key_pattern.fullmatch(k)]  # no "\n" after $
        if bad:
            abort(400, description=f"{bad[0]!r} is not a {facet.name} this page can filter by; "
                                   "pick one from the list on /browse.")
    return {name: keys for name, keys in selection.items() if keys}


def filters(selection: Selection, base: str) -> str:
    """The patterns that keep the persons with every chosen key."""
    patterns, i = [], 0
    for facet in FACETS:
        for key in selection.get(facet.name, []):
            i += 1
            patterns.append(facet.keep.format(i=i, key=json.dumps(key), iri=base + key))
    return "\n  ".join(patterns)


def counts_query(selection: Selection, base: str) -> str:
    kept = filters(selection, base)
    branches = [COUNTS_BRANCH % ("total", kept, "")]
    branches += [COUNTS_BRANCH % (f.name, kept, f.values.replace(BASE, json.dumps(base))) for f in FACETS]
    return COUNTS_QUERY % " UNION ".join(branches)


def page_query(selection: Selection, base: str, page: int) -> str:
    return PAGE_QUERY % {"filters": filters(selection, base), "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}


def _select(store, query: str, config: EndpointConfig):
    return select_in_slot(store, query, config)


def _cached(release, key: tuple, compute):
    """What `compute` returns for this view of this release, computed once (the least recently used go first)."""
    views = release.memo("browse-views", OrderedDict)
    if key not in views:
        views[key] = compute()
        while len(views) > CACHED_VIEWS:
            views.popitem(last=False)
    views.move_to_end(key)
    return views[key]


def _counts(store, selection: Selection, config: EndpointConfig) -> list[tuple]:
    return [(r["facet"].value, r["value"], r["key"].value if r["key"] else None, int(r["n"].value))
            for r in _select(store, counts_query(selection, config.base), config)]


def _page(store, selection: Selection, config: EndpointConfig, page: int) -> list[tuple[str, list[str]]]:
    return [(r["person"].value, r["categories"].value.split() if r["categories"] else [])
            for r in _select(store, page_query(selection, config.base, page), config)]


def browse_model(release, space, config: EndpointConfig, selection: Selection, page: int,
                 language: str) -> BrowseModel:
    store, view = release.store, tuple(sorted((k, tuple(v)) for k, v in selection.items()))
    counts = _cached(release, ("counts", view), lambda: _counts(store, selection, config))
    total = next((n for facet, _, _, n in counts if facet == "total"), 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = _cached(release, ("page", view, page, PAGE_SIZE), lambda: _page(store, selection, config, page))
    iris = {v.value for _, v, _, _ in counts if isinstance(v, ox.NamedNode)}
    words = Words(language, Presenter(store, space, iris | {p for p, _ in rows} | {c for _, cs in rows for c in cs}))
    facets = _facets(counts, selection, words)
    chosen = [(name, v) for name, values in facets for v in values if v.selected]
    return BrowseModel(selection, total, page, pages, facets,
                       [(words.presenter.iri(p), [words.presenter.iri(c) for c in cs]) for p, cs in rows], chosen)


def _facets(counts, selection: Selection, words: Words) -> list[tuple[str, list[FacetValue]]]:
    grouped: dict[str, list[FacetValue]] = {name: [] for name in FACET_NAMES}
    for facet, value, key, n in counts:
        if facet in grouped and key is not None:
            label = words.presenter.iri(value.value) if facet != "year" else key.replace("-", "–")
            grouped[facet].append(FacetValue(key, label, n, key in selection.get(facet, []), _toggled(selection, facet, key)))
    for name, values in grouped.items():
        values.sort(key=lambda v: v.key if name == "year" else (-v.count, str(getattr(v.label, "text", v.label)).lower()))
    return [(name, values) for name, values in grouped.items() if values]


def _toggled(selection: Selection, facet: str, key: str) -> str:
    keys = set(selection.get(facet, []))
    keys ^= {key}
    return link("/browse", **{**selection, facet: sorted(keys), "page": None})


@blueprint.route("/browse")
def browse() -> str:
    site = current_site()
    selection = read_selection(request.args)
    page = request.args.get("page", "1")
    model = browse_model(site.release(), site.space, site.config, selection,
                         int(page) if page.isdigit() else 1, chosen_language())
    return render_template("browse.html", model=model, page_link=lambda n: link("/browse", **selection, page=n))
