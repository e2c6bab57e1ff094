"""Issue 15: the views a release carries (releases/views/) answer what the store answers. Browse's counts and the
order of its persons are checked against SPARQL over the store for several selections, on data/ and on a small
synthetic build; restricted records enter no view; a release without views (or served under another base) gets
them computed from its store, with the same answers."""

import json
import pickle
import shutil
import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest

from footprints_graph.iris import DEFAULT_BASE, PREFIXES, SYNTHETIC_BASE
from footprints_graph.releases.reconciliation.index import iri, literal, solutions, term_text
from footprints_graph.releases.serving import NoRelease, Release, Releases, current_release
from footprints_graph.releases.views import FOLDER, ReleaseViews
from footprints_graph.releases.views.facets import FACETS
from support.security import restricted_iris

# What keeps the persons with one key of each facet, written here apart from the view's own patterns (the year's
# is the view's: its rule for ranges and open dates is the page's definition of a year)
KEEP = {
    "category": """{{ ?person a ?class . ?class skos:inScheme fpv:victim-categories ; skos:notation "{key}" }}
  UNION {{ ?inconsistency fp:involves/fp:listingOf ?person ; fp:rule/skos:notation "{key}" }}""",
    "status": """?status fp:statusOf ?person ; fp:status/skos:notation "{key}" .""",
    "organisation": "?person fp:creditedTo <{base}{key}> .",
    "source": "?person dct:source <{base}{key}> .",
    "year": "{{ SELECT ?person WHERE {{ " + FACETS["year"].replace("{", "{{").replace("}", "}}")
            + ' FILTER(?key = "{key}") }} }}',
}


def _kept(selection: dict[str, list[str]], base: str) -> str:
    return "\n".join(KEEP[facet].format(key=key, base=base) for facet, keys in selection.items() for key in keys)


def _sparql(store, query: str) -> list:
    return list(store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True))


def sparql_counts(store, selection: dict[str, list[str]], base: str) -> dict[tuple[str, str], int]:
    """Persons kept by `selection`, and of them how many hold each facet value: (facet, key) → count."""
    kept = _kept(selection, base)
    found = {("total", ""): int(_sparql(store, f"SELECT (COUNT(DISTINCT ?person) AS ?n) WHERE "
                                               f"{{ ?person a fp:Victim . {kept} }}")[0]["n"].value)}
    for facet, pattern in FACETS.items():
        query = (f"SELECT ?key (COUNT(DISTINCT ?person) AS ?n) WHERE {{ ?person a fp:Victim . {kept} "
                 f"{{ {pattern.replace('$BASE', json.dumps(base))} }} }} GROUP BY ?key")
        found.update({(facet, r["key"].value): int(r["n"].value) for r in _sparql(store, query) if r["key"]})
    return {k: n for k, n in found.items() if n}


def view_counts(views: ReleaseViews, selection: dict[str, list[str]]) -> dict[tuple[str, str], int]:
    kept = views.facets.chosen(selection)
    found = {("total", ""): kept.bit_count()} if kept else {}
    for value, n in views.facets.counts(kept):
        found[(value.facet, value.key)] = found.get((value.facet, value.key), 0) + n
    return found


def sparql_order(store, selection: dict[str, list[str]], base: str) -> list[str]:
    """The kept persons in /browse's order, as the page's SPARQL sorted them before views."""
    query = f"""SELECT ?person (MIN(LCASE(STR(?label))) AS ?sort) WHERE {{ ?person a fp:Victim . {_kept(selection, base)}
      OPTIONAL {{ ?person skos:prefLabel ?label }} }} GROUP BY ?person ORDER BY ?sort ?person"""
    return [r["person"].value for r in _sparql(store, query)]


def _views(release: Path, base: str) -> ReleaseViews:
    return Release.open(release).views(base)


DATA_SELECTIONS = [
    {},
    {"category": ["detainee"]},
    {"category": ["categories-differ"], "source": ["document/mou-detainees-2024-03-27"]},
    {"year": ["2016"], "status": ["detained"]},
    {"organisation": ["organisation/kwafu"]},
    {"year": ["2014", "2016"]},
    {"category": ["no-such-category"]},
]


@pytest.mark.parametrize("selection", DATA_SELECTIONS, ids=json.dumps)
def test_browse_counts_and_order_equal_sparql_on_data(built_release, selection):
    views = _views(built_release, DEFAULT_BASE)
    assert views.carried
    assert view_counts(views, selection) == sparql_counts(views.store, selection, DEFAULT_BASE)
    persons = [p.iri for p in views.facets.persons(views.facets.chosen(selection))]
    assert persons == sparql_order(views.store, selection, DEFAULT_BASE)


def test_the_counts_on_data_are_the_pages(built_release):
    """Figures the browse page's tests state, from the view: none is empty by accident."""
    counts = view_counts(_views(built_release, DEFAULT_BASE), {"year": ["2016"], "status": ["detained"]})
    assert counts[("total", "")] == 3


def _synthetic_selections(views: ReleaseViews) -> list[dict[str, list[str]]]:
    """One facet, two facets and three, from the values the view holds (the most held first)."""
    ranked = sorted(views.facets.values, key=lambda v: (-v.members.bit_count(), v.facet, v.key))
    first = {}
    for value in ranked:
        first.setdefault(value.facet, value.key)
    picks = [(facet, key) for facet, key in first.items()]
    selections = [{}] + [{facet: [key]} for facet, key in picks]
    selections += [{a[0]: [a[1]], b[0]: [b[1]]} for a, b in zip(picks, picks[1:], strict=False)]
    return selections + [dict((p[0], [p[1]]) for p in picks[:3])]


@pytest.mark.slow
def test_browse_counts_and_order_equal_sparql_on_a_synthetic_build(synthetic_release):
    views = _views(synthetic_release, SYNTHETIC_BASE)
    victims = sparql_counts(views.store, {}, SYNTHETIC_BASE)[("total", "")]
    assert views.carried and views.facets.size == victims > 300  # a few of the 400 are restricted
    selections = _synthetic_selections(views)
    assert len(selections) >= 8
    for selection in selections:
        assert view_counts(views, selection) == sparql_counts(views.store, selection, SYNTHETIC_BASE), selection
        persons = [p.iri for p in views.facets.persons(views.facets.chosen(selection))]
        assert persons == sparql_order(views.store, selection, SYNTHETIC_BASE), selection


def test_pages_and_the_whole_list_agree(built_release):
    facets = _views(built_release, DEFAULT_BASE).facets
    everyone = facets.chosen({})
    whole = [p.iri for p in facets.stream(everyone, batch=4)]
    pages = [p.iri for offset in range(0, 13, 5) for p in facets.persons(everyone, offset, 5)]
    assert whole == pages and len(whole) == everyone.bit_count() == 13


def test_no_restricted_record_enters_a_view(restricted_home):
    release = current_release(restricted_home)
    hidden = restricted_iris(restricted_home)
    assert hidden
    folder = release / FOLDER
    with sqlite3.connect(folder / "browse.sqlite") as db:
        persons = {iri for (iri,) in db.execute("SELECT iri FROM person")}
        values = {value for (value,) in db.execute("SELECT value FROM facet_value") if value}
    with open(folder / "names.pickle", "rb") as file:
        names = {entity.iri for entity in pickle.load(file).entities.values()}
    home = (folder / "home.json").read_text(encoding="utf-8")
    assert persons and names
    assert not hidden & (persons | values | names)
    assert not any(iri in home for iri in hidden)


def _answers(views: ReleaseViews) -> tuple:
    facets = views.facets
    selections = [{}, {"category": ["detainee"]}, {"year": ["2016"], "status": ["detained"]}]
    counts = [view_counts(views, s) for s in selections]
    return counts, [facets.persons(facets.chosen(s)) for s in selections], views.names.entities, views.home


def test_a_release_without_views_gets_them_computed_from_its_store(built_release, tmp_path):
    old = Path(shutil.copytree(built_release, tmp_path / built_release.name, ignore=shutil.ignore_patterns(FOLDER)))
    computed = _views(old, DEFAULT_BASE)
    assert not computed.carried
    assert _answers(computed) == _answers(_views(built_release, DEFAULT_BASE))
    assert not (old / FOLDER).exists()  # a release folder is never written once it has its name


def test_views_computed_under_another_base_are_not_used(built_release):
    other = "https://example.org/elsewhere/"
    views = _views(built_release, other)
    assert not views.carried
    assert views.names.base == other and views.facets.size == 13


def test_a_worker_reads_the_views_before_its_first_request(built_home):
    """serve's workers call Releases.warm at start: the views are read in a thread of their own."""
    releases = Releases(built_home)
    releases.warm(DEFAULT_BASE).join()
    views = releases.current().views(DEFAULT_BASE)
    assert {"facets", "names", "home"} <= set(vars(views))  # read, not waiting to be asked for
    assert releases.current().views(DEFAULT_BASE) is views
    assert "library answers" in releases.current().cache  # the small answers' bytes too


def test_warming_a_home_without_a_release_leaves_the_requests_to_say_so(tmp_path):
    releases = Releases(tmp_path)
    releases.warm(DEFAULT_BASE).join()
    with pytest.raises(NoRelease, match="no release under"):
        releases.current()


# What the name index holds, written here as SPARQL apart from the index's reading of the quads: each entity's
# types (the classes under each type, or a listing in the same graph giving one) and every name it has.
MEMBERS = """SELECT ?s ?type WHERE {
  { VALUES ?type { fp:Victim fp:Organisation fp:SourceDocument } } UNION { ?type skos:inScheme fpv:victim-categories }
  ?class rdfs:subClassOf* ?type .
  { GRAPH ?g { ?s a ?class } } UNION { GRAPH ?g { ?listing fp:listingOf ?s ; fp:victimCategory ?class } }
}"""
NAMES = """SELECT ?s ?name WHERE { VALUES ?p { skos:prefLabel rdfs:label skos:altLabel dct:title }
  GRAPH ?g { ?s ?p ?name } }"""


def sparql_entities(store, base: str) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each entity minted under `base` that has a name: its types (local names) and its names."""
    types, names = {}, {}
    for row in _sparql(store, MEMBERS):
        types.setdefault(row["s"].value, set()).add(row["type"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    for row in _sparql(store, NAMES):
        names.setdefault(row["s"].value, set()).add(row["name"].value)
    return {iri: (frozenset(types[iri]), frozenset(names[iri])) for iri in types
            if iri in names and iri.startswith(base)}


def index_entities(views: ReleaseViews) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    return {e.iri: (e.types, frozenset(e.names)) for e in views.names.entities.values()}


def test_the_name_index_holds_what_sparql_finds_on_data(built_release):
    views = _views(built_release, DEFAULT_BASE)
    assert views.carried
    assert index_entities(views) == sparql_entities(views.store, DEFAULT_BASE)


@pytest.mark.slow
def test_the_name_index_holds_what_sparql_finds_on_a_synthetic_build(synthetic_release):
    views = _views(synthetic_release, SYNTHETIC_BASE)
    found = index_entities(views)
    assert views.carried and len(found) > 300
    assert found == sparql_entities(views.store, SYNTHETIC_BASE)


# Literals the TSV syntax of results writes escaped, tagged, typed or bare: the views read the engine's answers as
# that text (reconciliation/index.py's `solutions`), and must read back the very terms the store holds.
XSD = "http://www.w3.org/2001/XMLSchema#"
WRITTEN = [ox.Literal("tab\there"), ox.Literal('a "quote", a backslash \\ and \\t as text'),
           ox.Literal("line\nbreak\r"), ox.Literal(""), ox.Literal("이름", language="ko"),
           ox.Literal("Kim Jung-wook", language="ko-Latn"), ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
           ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
           ox.Literal("2013-05-01", datatype=ox.NamedNode(XSD + "date"))]


def test_answers_read_as_text_are_the_terms_the_store_holds():
    store, graph = ox.Store(), ox.NamedNode("https://example.org/graph")
    label = ox.NamedNode(PREFIXES["rdfs"] + "label")
    for number, written in enumerate(WRITTEN):
        store.add(ox.Quad(ox.NamedNode(f"https://example.org/thing/{number}"), label, written, graph))
    store.add(ox.Quad(ox.BlankNode("b"), label, ox.BlankNode("c"), graph))
    rows = solutions(store, "SELECT ?thing ?name ?none WHERE { ?thing rdfs:label ?name }")
    read = {iri(thing): literal(name) for thing, name, _ in rows if iri(thing)}
    assert read == {f"https://example.org/thing/{n}": (w.value, w.language or "") for n, w in enumerate(WRITTEN)}
    assert {term_text(name) for _, name, _ in rows} == {w.value for w in WRITTEN} | {None}  # a blank node has none
    assert {none for _, _, none in rows} == {""} and term_text("") is None  # unbound
