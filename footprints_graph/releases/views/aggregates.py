"""The home page's view: the victim categories with how many persons each counts, some named victims and the
documents cited with how much they source. Three queries over the whole store (seconds at 100,000 victims),
run by the build and written into `<release>/views/home.json`; rows are plain JSON (each variable's value as a
string, or null where unbound)."""

from footprints_graph.iris import PREFIXES

DISPUTED = "categories-differ"  # the consistency rule, and the /browse key, of persons whose sources disagree
NAMED_SHOWN = 20

# A person counts under a category by its own class, which the build gives only where every source agrees
# (convert/records.py): the cards sum to no one twice, and the persons the sources disagree on count apart. A
# category's persons are joined in a sub-select of their own: as `OPTIONAL { ?person a fp:Victim , ?category }`
# Oxigraph read them again for each of the category's definitions (one a language), 6.4 s of the engine's at
# 100,000 victims, and 2.1 s so (the same answer, in the same order).
CATEGORIES_QUERY = f"""
SELECT ?category ?notation ?definition (COUNT(DISTINCT ?person) AS ?persons) WHERE {{
  {{ ?category skos:inScheme fpv:victim-categories ; skos:notation ?notation .
    OPTIONAL {{ ?category skos:definition ?definition }}
    OPTIONAL {{ SELECT ?category ?person WHERE {{
      ?category skos:inScheme fpv:victim-categories . ?person a ?category . ?person a fp:Victim }} }} }}
  UNION {{ ?person a fp:Victim ; fp:victimCategory ?one , ?other FILTER(?one != ?other) BIND("{DISPUTED}" AS ?notation) }}
  UNION {{ ?person a fp:Victim }}
}} GROUP BY ?category ?notation ?definition"""

# some victims, in the store's order (sorting every name takes seconds for 100,000; the page sorts these)
VICTIMS_QUERY = f"SELECT ?person WHERE {{ ?person a fp:Victim }} LIMIT {NAMED_SHOWN}"

# documents proper (not media items or legal instruments), with a short name and how much they source
DOCUMENTS_QUERY = """
SELECT ?document (SAMPLE(?symbol) AS ?code) (SAMPLE(?title) AS ?en) (SAMPLE(?title_ko) AS ?ko)
       (COUNT(DISTINCT ?s) AS ?statements) WHERE {
  ?document a fp:SourceDocument .
  OPTIONAL { ?document fp:unDocumentSymbol ?symbol }
  OPTIONAL { ?document dct:title ?title FILTER(LANG(?title) IN ("en", "")) }
  OPTIONAL { ?document dct:title ?title_ko FILTER(LANG(?title_ko) = "ko") }
  OPTIONAL { ?s dct:source ?document }
} GROUP BY ?document ORDER BY DESC(?statements) ?document"""


def _rows(store, query: str) -> list[dict[str, str | None]]:
    solutions = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{name: (term.value if (term := row[name]) is not None else None) for name in names} for row in solutions]


def home_aggregates(store) -> dict[str, list]:
    """The counts and lists of the home page, which hold for the whole release."""
    return {"categories": _rows(store, CATEGORIES_QUERY),
            "victims": sorted(row["person"] for row in _rows(store, VICTIMS_QUERY)),
            "documents": _rows(store, DOCUMENTS_QUERY)}
