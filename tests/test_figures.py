"""Every figure on the FOOTPRINTS page (and each sourced figure from REFERENCE.md) can be retrieved by
SPARQL from a real build, with its exact number, the date it holds for and the document that states it."""


import pytest

DOC = "https://w3id.org/footprints-graph/id/document/"
PAGE = DOC + "footprints-south-korean-victims"

FIGURE_QUERY = """
PREFIX fp: <https://w3id.org/footprints-graph/ontology#>
PREFIX fpv: <https://w3id.org/footprints-graph/vocab/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?count ?asOf (GROUP_CONCAT(DISTINCT STR(?source); separator=" ") AS ?sources)
       (GROUP_CONCAT(DISTINCT STR(?cited); separator=" ") AS ?cited) WHERE {
  ?figure a qb:Observation ; fp:victimCategory ?category ; fp:outcome ?outcome ; fp:count ?count ;
          fp:asOf ?asOf ; dct:source ?source .
  OPTIONAL { ?figure fp:citedSource ?cited }
  ?category skos:notation "%(category)s" . ?outcome skos:notation "%(outcome)s" .
  %(extra)s
} GROUP BY ?figure ?count ?asOf
"""

# The page's figures are in the page's words, so the page is their one source; the document a footnote gives
# for one is its cited source. (category, outcome, extra pattern, count, as-of, the document the page cites or
# the page itself when it cites none)
PAGE_FIGURES = [
    ("prisoner-of-war", "not-repatriated", "", 50000, "1953-07-27", DOC + "a-hrc-25-63"),
    ("prisoner-of-war", "documented", "", 1, "2026-11-29", PAGE),
    ("prisoner-of-war", "escaped-and-returned", "FILTER NOT EXISTS { ?figure fp:subgroup ?g } FILTER(STR(?asOf) = '2014')",
     80, "2014", DOC + "mnd-defense-white-paper-2014"),
    ("prisoner-of-war", "escaped-and-returned", "?figure fp:subgroup fpv:subgroups\\/family-members .", 430, "2014",
     DOC + "mnd-defense-white-paper-2014"),
    ("prisoner-of-war", "deceased", "?figure fp:subgroup fpv:subgroups\\/returned-escapees .", 71, "2024", PAGE),
    ("prisoner-of-war", "alive", "FILTER(STR(?asOf) = '2024')", 9, "2024", PAGE),
    ("wartime-abductee", "documented", "?figure fp:ageGroup/skos:notation '10s' .", 12679, "2026-11-29", PAGE),
    ("wartime-abductee", "documented", "?figure fp:ageGroup/skos:notation '20s' .", 56437, "2026-11-29", PAGE),
    ("wartime-abductee", "documented", "?figure fp:ageGroup/skos:notation '30s' .", 17063, "2026-11-29", PAGE),
    ("wartime-abductee", "documented", "?figure fp:ageGroup/skos:notation '40s' .", 5329, "2026-11-29", PAGE),
    ("wartime-abductee", "documented", "?figure fp:ageGroup/skos:notation '50s' .", 2517, "2026-11-29", PAGE),
    ("post-war-abductee", "taken", f"?figure dct:source <{PAGE}> .", 3835, "2024", DOC + "mou-post-war-abductee-2024"),
    ("post-war-abductee", "returned", "", 3319, "2024", DOC + "mou-post-war-abductee-2024"),
    ("post-war-abductee", "escaped-and-returned", f"?figure dct:source <{PAGE}> .", 9, "2024",
     DOC + "mou-post-war-abductee-2024"),
    ("post-war-abductee", "still-detained", f"?figure dct:source <{PAGE}> .", 516, "2024", DOC + "mou-post-war-abductee-2024"),
    ("detainee", "taken", "", 7, "2026-11-29", DOC + "mou-introduction"),
]

# (category, outcome, extra pattern, count, as-of, a document that must be among the sources)
REFERENCE_FIGURES = [
    ("prisoner-of-war", "escaped-and-returned", "?figure fp:refYear ?y FILTER(STR(?y) = '2004')", 14, "2020",
     DOC + "mnd-defense-white-paper-2020"),
    ("prisoner-of-war", "alive", "FILTER(STR(?asOf) = '2020-11')", 21, "2020-11", DOC + "mnd-defense-white-paper-2020"),
    ("prisoner-of-war", "alive", "FILTER(STR(?asOf) = '2018-12')", 27, "2018-12", DOC + "mnd-defense-white-paper-2018"),
    ("post-war-abductee", "repatriated", "FILTER NOT EXISTS { ?figure fp:subgroup ?g }", 3310, "2024",
     DOC + "mou-post-war-abductee-2024"),
    ("post-war-abductee", "still-detained", "?figure fp:subgroup/skos:notation 'fishermen' .", 457, "2024",
     DOC + "mou-post-war-abductee-2024"),
    ("post-war-abductee", "taken", "?figure fp:subgroup/skos:notation 'kal-aircraft' .", 50, "2024",
     DOC + "mou-post-war-abductee-2024"),
    ("wartime-abductee", "listed", "?figure fp:subgroup/skos:notation 'list-1952-government' .", 82959, "1952",
     DOC + "mou-press-release-2016-07-18"),
    ("wartime-abductee", "recognised", "", 4782, "2016-07-18", DOC + "mou-press-release-2016-07-18"),
    ("detainee", "still-detained", "", 6, "2024-03-27", DOC + "mou-detainees-2024-03-27"),
]


def _select(store, query: str) -> list[dict[str, str]]:
    results = store.query(query, use_default_graph_as_union=True)
    return [{v.value: row[v].value for v in results.variables if row[v] is not None} for row in results]


def _one_figure(store, category, outcome, extra, count, as_of) -> dict[str, str]:
    rows = _select(store, FIGURE_QUERY % {"category": category, "outcome": outcome, "extra": extra})
    matching = [r for r in rows if int(r["count"]) == count]
    assert len(matching) == 1, f"{category}/{outcome} {extra}: expected one figure of {count}, got {rows}"
    assert matching[0]["asOf"] == as_of
    return matching[0]


@pytest.mark.parametrize("category,outcome,extra,count,as_of,cited", PAGE_FIGURES)
def test_a_figure_of_the_page_is_the_page_s_own_and_names_the_document_it_cites(store, category, outcome, extra, count,
                                                                                as_of, cited):
    figure = _one_figure(store, category, outcome, extra, count, as_of)
    assert figure["sources"] == PAGE
    assert figure.get("cited", "") == ("" if cited == PAGE else cited)


@pytest.mark.parametrize("category,outcome,extra,count,as_of,source", REFERENCE_FIGURES)
def test_figure_has_its_exact_number_date_and_source(store, category, outcome, extra, count, as_of, source):
    assert source in _one_figure(store, category, outcome, extra, count, as_of)["sources"].split()


def test_wartime_abductees_are_a_range_of_90000_to_100000_stated_by_the_page_citing_the_mou_white_paper(store):
    rows = _select(store, """
        PREFIX fp: <https://w3id.org/footprints-graph/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?low ?high ?source ?cited WHERE { ?f fp:victimCategory fp:WartimeAbductee ; fp:countLowerBound ?low ;
          fp:countUpperBound ?high ; dct:source ?source ; fp:citedSource ?cited }""")
    assert {(int(r["low"]), int(r["high"]), r["source"], r["cited"]) for r in rows} == {
        (90000, 100000, PAGE, DOC + "mou-white-paper-human-rights-2024")}


def test_escaped_pows_who_died_and_who_are_alive_add_up_to_the_80_who_escaped(store):
    rows = _select(store, """
        PREFIX fp: <https://w3id.org/footprints-graph/ontology#> PREFIX qb: <http://purl.org/linked-data/cube#>
        SELECT ?total (SUM(?part) AS ?sum) WHERE {
          ?ds fp:completeBreakdown true ; fp:total ?t . ?t fp:count ?total .
          ?obs qb:dataSet ?ds ; fp:count ?part . FILTER(?obs != ?t)
        } GROUP BY ?ds ?total""")
    assert rows, "no complete breakdowns"
    assert all(int(r["total"]) == int(r["sum"]) for r in rows), rows


def test_the_eight_people_on_the_page_carry_the_organisation_the_page_credits(store):
    rows = _select(store, f"""
        PREFIX fp: <https://w3id.org/footprints-graph/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?name ?org WHERE {{ ?listing fp:nameAsListed ?name ; fp:creditedTo/rdfs:label ?org ;
          dct:source <{PAGE}> FILTER(LANG(?org) = "en") }}""")
    assert sorted((r["name"], r["org"]) for r in rows) == sorted(
        [(n, "Korean War Abductees Family Union") for n in ("Ahn Ho-Cheol", "Kang Seon-Hyeong", "Kim Gwang-Won", "Kim Hui-Jin")]
        + [(n, "Abductees' Family Union") for n in ("Choi Wonmo", "Lee Mingyo", "Kim Jung-Wook", "Jang Guiyong")])


def test_no_fate_is_inferred_from_the_word_returnees(store):
    """The page prints 'returnees' before each card: a page element, not a fate (REFERENCE.md)."""
    rows = _select(store, f"""
        PREFIX fp: <https://w3id.org/footprints-graph/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?x WHERE {{ {{ ?x a fp:SubsequentEvent }} UNION {{ ?x a fp:EscapeAndReturn }} UNION
          {{ ?x fp:statusOf ?p ; dct:source <{PAGE}> }} }}""")
    assert rows == []


def test_media_items_carry_their_credits(store):
    rows = _select(store, """
        PREFIX fp: <https://w3id.org/footprints-graph/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?title ?credit WHERE { ?m a fp:MediaItem ; dct:title ?title ; fp:credit ?credit }""")
    assert sorted((r["title"], r["credit"]) for r in rows) == sorted([
        ("Prisoners being taken away", "Getty Images"),
        ("A letter asking for rescue", "Mulmangcho"), ("A letter asking for rescue", "Mulmangcho"),
        ("Korean People’s Army, “108,257 prisoners were captured in one year”", "Newspaper issued by North Korean partisans"),
    ])


def test_every_record_and_every_claim_has_a_source(store):
    rows = _select(store, """
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?x ?g WHERE { GRAPH ?g { ?x a ?type } FILTER(?g != <https://w3id.org/footprints-graph/ontology>)
          FILTER NOT EXISTS { ?x dct:source ?s } }""")
    assert rows == []


def test_the_un_report_is_identified_by_its_document_symbol_and_links_to_the_un(store):
    rows = _select(store, f"""
        PREFIX fp: <https://w3id.org/footprints-graph/ontology#> PREFIX schema: <https://schema.org/>
        SELECT ?symbol ?url WHERE {{ <{DOC}a-hrc-25-63> fp:unDocumentSymbol ?symbol ; schema:url ?url }}""")
    assert rows == [{"symbol": "A/HRC/25/63", "url": "https://undocs.org/A/HRC/25/63"}]
