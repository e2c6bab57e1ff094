"""The graph's figures (RDF Data Cube observations) and data sets, read in one query, for the home page's
figure cards and charts.

A figure's dimensions are IRIs of the ontology and vocabularies (fp:WartimeAbductee, …/outcomes/deceased),
which is what the charts select on; what people read comes from their labels (presentation.labels).
"""

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from footprints_graph.iris import ONTOLOGY, VOCAB

QB = "http://purl.org/linked-data/cube#"
DCT_SOURCE = "http://purl.org/dc/terms/source"
SCHEMA_URL = "https://schema.org/url"
OUTCOME = VOCAB + "outcomes/"

FIGURES_QUERY = f"""
SELECT ?x ?p ?o WHERE {{
  {{ ?x a <{QB}Observation> }} UNION {{ ?x a <{QB}DataSet> }}
  ?x ?p ?o
}}"""


@dataclass
class Figure:
    """One observation: what it counts (its dimensions), how many, as of when, and who says so."""

    iri: str
    dataset: str | None = None
    category: str | None = None
    outcome: str | None = None
    age_group: str | None = None
    subgroup: str | None = None
    ref_year: str | None = None
    count: int | None = None
    lower: int | None = None
    upper: int | None = None
    qualifier: str | None = None
    as_of: str | None = None
    statement: str | None = None
    sources: list[str] = field(default_factory=list)

    @property
    def value(self) -> int | None:
        """The number a chart draws: the count, or the upper bound of a range."""
        return self.count if self.count is not None else self.upper


@dataclass
class DataSet:
    iri: str
    structure: str | None = None
    complete: bool = False
    total: str | None = None
    sources: list[str] = field(default_factory=list)


# which property fills which attribute, and how its value is read
FIGURE_FIELDS = {
    QB + "dataSet": ("dataset", str), ONTOLOGY + "victimCategory": ("category", str),
    ONTOLOGY + "outcome": ("outcome", str), ONTOLOGY + "ageGroup": ("age_group", str),
    ONTOLOGY + "subgroup": ("subgroup", str), ONTOLOGY + "refYear": ("ref_year", str),
    ONTOLOGY + "count": ("count", int), ONTOLOGY + "countLowerBound": ("lower", int),
    ONTOLOGY + "countUpperBound": ("upper", int), ONTOLOGY + "qualifier": ("qualifier", str),
    ONTOLOGY + "asOf": ("as_of", str), ONTOLOGY + "statement": ("statement", str),
}
DATASET_FIELDS = {QB + "structure": ("structure", str), ONTOLOGY + "total": ("total", str),
                  ONTOLOGY + "completeBreakdown": ("complete", lambda v: v == "true")}


@dataclass
class Figures:
    figures: dict[str, Figure]
    datasets: dict[str, DataSet]

    def where(self, **dimensions) -> list[Figure]:
        """The figures whose attributes equal all of `dimensions` (None: the figure must lack it)."""
        return [f for f in self.figures.values() if all(getattr(f, k) == v for k, v in dimensions.items())]

    def total_of(self, dataset: str) -> Figure | None:
        found = self.datasets.get(dataset)
        return self.figures.get(found.total) if found and found.total else None

    def iris(self) -> set[str]:
        """Every IRI a page about these figures needs a label for."""
        values = {getattr(f, name) for f in self.figures.values()
                  for name in ("dataset", "category", "outcome", "age_group", "subgroup", "qualifier")}
        return {v for v in values if v} | {s for f in self.figures.values() for s in f.sources}


def read_figures(store: ox.Store) -> Figures:
    rows: dict[str, list[tuple[str, ox.NamedNode | ox.Literal | ox.BlankNode]]] = defaultdict(list)
    for row in store.query(FIGURES_QUERY, use_default_graph_as_union=True):
        rows[row["x"].value].append((row["p"].value, row["o"]))
    datasets = {iri: _filled(DataSet(iri), pairs, DATASET_FIELDS) for iri, pairs in rows.items() if _typed(pairs, "DataSet")}
    figures = {iri: _filled(Figure(iri), pairs, FIGURE_FIELDS) for iri, pairs in rows.items() if _typed(pairs, "Observation")}
    return Figures(figures, datasets)


def _typed(pairs, local: str) -> bool:
    return any(p.endswith("#type") and o.value == QB + local for p, o in pairs)


def _filled(item, pairs, fields: dict):
    for predicate, term in pairs:
        if predicate == DCT_SOURCE:
            item.sources.append(term.value)
        elif predicate in fields:
            name, read = fields[predicate]
            setattr(item, name, read(term.value))
    item.sources.sort()
    return item
