"""The home page's model: the victim categories with their headline figures, charts of the figures, some
named victims and the documents cited. The counts and lists that hold for a whole release come from the view it
carries (releases/views/aggregates.py, computed by the build); the figures and labels are read from the store."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from footprints_graph.endpoint.language import Words
from footprints_graph.endpoint.linked_data.presentation import IriSpace, Presenter, TermView
from footprints_graph.endpoint.linked_data.records import number_text
from footprints_graph.iris import ONTOLOGY
from footprints_graph.releases.views.aggregates import DISPUTED
from footprints_graph.web.charts import Chart, Part, column_chart, row_chart
from footprints_graph.web.figures import OUTCOME, Figure, Figures, read_figures

POW, WARTIME, POST_WAR = (ONTOLOGY + c for c in ("PrisonerOfWar", "WartimeAbductee", "PostWarAbductee"))
CATEGORY_ORDER = (POW, WARTIME, POST_WAR, ONTOLOGY + "Detainee")  # the FOOTPRINTS page's order
# the headline structures: counts, and counts the source states as a range
HEADLINES = {ONTOLOGY + "CategoryOutcomeStructure", ONTOLOGY + "CategoryOutcomeRangeStructure"}
TAKEN, ESCAPED, DECEASED, ALIVE = (OUTCOME + o for o in ("taken", "escaped-and-returned", "deceased", "alive"))
POST_WAR_PARTS = tuple(OUTCOME + o for o in ("repatriated", "escaped-and-returned", "still-detained"))
KEEPERS = {"database": "document/footprints-database", "tjwg": "organisation/tjwg", "nkhr": "organisation/nkhr"}


@dataclass
class Headline:
    """One headline figure as the home page states it."""

    figure: TermView
    text: str
    outcome: str
    as_of: str
    sources: list[TermView]


@dataclass
class CategoryCard:
    category: TermView
    notation: str
    definition: str | None
    persons: int
    headlines: list[Headline] = field(default_factory=list)


@dataclass
class HomeModel:
    keepers: dict[str, TermView]  # the database the records come from, and who runs it
    categories: list[CategoryCard]
    charts: list[Chart]
    victims: list[TermView]
    victims_total: int
    victims_disputed: int  # persons whose sources give different categories: on no card
    documents: list[tuple[TermView, int]]


def home_model(release, space: IriSpace, base: str, language: str) -> HomeModel:
    store = release.store
    figures = read_figures(store)  # the charts are drawn from the graph at each request
    aggregates = release.views(base).home
    categories, victims, documents = aggregates["categories"], aggregates["victims"], aggregates["documents"]
    keepers = {name: base + path for name, path in KEEPERS.items()}
    iris = figures.iris() | set(victims) | {r["category"] for r in categories if r["category"]}
    words = Words(language, Presenter(store, space, iris | {r["document"] for r in documents} | set(keepers.values())))
    short = _short_names(words, documents)
    return HomeModel(
        keepers={name: words.presenter.iri(iri) for name, iri in keepers.items()},
        categories=_cards(categories, figures, words, short),
        charts=[c for c in (build(figures, words, short) for build in CHARTS) if c],
        victims=sorted((words.presenter.iri(v) for v in victims), key=lambda v: v.text.casefold()),
        victims_total=_uncategorised(categories, None),
        victims_disputed=_uncategorised(categories, DISPUTED),
        documents=[(short(r["document"]), int(r["statements"])) for r in documents])


def _uncategorised(rows, notation: str | None) -> int:
    """The count of the row counted under no category: all victims (no notation), or the disputed ones."""
    return next((int(r["persons"]) for r in rows if not r["category"] and r["notation"] == notation), 0)


def _short_names(words: Words, documents) -> Callable[[str], TermView]:
    """A document as a link named by its UN symbol or its title (English and Korean), else by its label (a full
    citation)."""
    names = {r["document"]: (r["code"] or r["en"] or r["ko"], r["ko"]) for r in documents}

    def short(iri: str) -> TermView:
        view = words.presenter.iri(iri)
        text, korean = names.get(iri, (None, None))
        return replace(view, text=text, korean=korean) if text else view
    return short


# ----------------------------------------------------------------------------- categories and headlines


def _cards(rows, figures: Figures, words: Words, short) -> list[CategoryCard]:
    cards = [CategoryCard(words.presenter.iri(r["category"]), r["notation"], r["definition"], int(r["persons"]))
             for r in rows if r["category"]]
    for card in cards:
        card.headlines = [_headline(f, words, short) for f in _headline_figures(figures, card.category.iri)]
    return sorted(cards, key=lambda c: _rank(c.category.iri))


def _rank(category: str) -> int:
    return CATEGORY_ORDER.index(category) if category in CATEGORY_ORDER else len(CATEGORY_ORDER)


def _headline_figures(figures: Figures, category: str) -> list[Figure]:
    headline = {d.iri for d in figures.datasets.values() if d.structure in HEADLINES}
    found = [f for f in figures.where(category=category) if f.dataset in headline]
    return sorted(found, key=lambda f: (-(f.value or 0), f.as_of or "", f.iri))


def _headline(figure: Figure, words: Words, short) -> Headline:
    numbers = (str(n) if n is not None else None for n in (figure.count, figure.lower, figure.upper))
    return Headline(words.presenter.iri(figure.iri), number_text(words, *numbers, figure.qualifier),
                    words.name(figure.outcome) if figure.outcome else "", figure.as_of or "",
                    [short(s) for s in figure.sources])


# ----------------------------------------------------------------------------- charts


def _sourced(chart: Chart, drawn: list[Figure], short) -> Chart:
    chart.as_of = ", ".join(sorted({f.as_of for f in drawn if f.as_of}))
    chart.sources = [short(s) for s in sorted({s for f in drawn for s in f.sources})]
    return chart


def age_group_chart(figures: Figures, words: Words, short) -> Chart | None:
    drawn = sorted((f for f in figures.where(category=WARTIME) if f.age_group), key=lambda f: f.age_group)
    if not drawn:
        return None
    chart = column_chart("wartime-by-age-group", words("chart_age_groups"),
                         [Part(words.name(f.age_group), f.value) for f in drawn], words("persons"))
    return _sourced(chart, drawn, short)


def escapes_by_year_chart(figures: Figures, words: Words, short) -> Chart | None:
    by_dataset: dict[str, list[Figure]] = {}
    for f in figures.where(category=POW, outcome=ESCAPED):
        if f.ref_year:
            by_dataset.setdefault(f.dataset, []).append(f)
    if not by_dataset:
        return None
    dataset, drawn = max(by_dataset.items(), key=lambda item: len(item[1]))
    total = figures.total_of(dataset)
    title = words("chart_pow_years", total=f"{total.value:,}" if total else f"{sum(f.value for f in drawn):,}")
    bars = [Part(f.ref_year, f.value) for f in sorted(drawn, key=lambda f: f.ref_year)]
    chart = column_chart("pow-escapes-by-year", title, bars, words("persons"))
    return _sourced(chart, drawn, short)


def pow_fate_chart(figures: Figures, words: Words, short) -> Chart | None:
    dataset = next((d for d in figures.datasets.values() if d.complete and d.total
                    and {f.outcome for f in figures.where(dataset=d.iri, category=POW)} == {DECEASED, ALIVE}), None)
    if dataset is None:
        return None
    drawn = [figures.where(dataset=dataset.iri, outcome=o)[0] for o in (DECEASED, ALIVE)]
    total = figures.total_of(dataset.iri)
    series = [words.name(f.outcome) for f in drawn]
    parts = [Part(s, f.value, i) for i, (s, f) in enumerate(zip(series, drawn, strict=True))]
    row = (words("chart_pow_fate_row", total=f"{total.value:,}"), parts)
    chart = row_chart("pow-escapee-fate", words("chart_pow_fate"), [row], series, words("total"))
    return _sourced(chart, drawn, short)


def post_war_outcome_chart(figures: Figures, words: Words, short) -> Chart | None:
    totals = [figures.total_of(d.iri) for d in figures.datasets.values() if d.complete]
    # a figure can be the total of several breakdowns (MOU's 3,835: by outcome and by subgroup): drawn once
    drawn = list({t.iri: t for t in totals if t and t.category == POST_WAR and t.outcome in (TAKEN, *POST_WAR_PARTS)}.values())
    if not drawn:
        return None
    drawn.sort(key=lambda f: (TAKEN, *POST_WAR_PARTS).index(f.outcome))
    rows = [(words.name(f.outcome), [Part(words.name(f.outcome), f.value)]) for f in drawn]
    chart = row_chart("post-war-by-outcome", words("chart_post_war_outcomes"), rows, [words("persons")])
    return _sourced(chart, drawn, short)


def post_war_subgroup_chart(figures: Figures, words: Words, short) -> Chart | None:
    taken = sorted((f for f in figures.where(category=POST_WAR, outcome=TAKEN) if f.subgroup), key=lambda f: -f.value)
    if not taken:
        return None
    parts = {(f.subgroup, f.outcome): f for f in figures.where(category=POST_WAR) if f.subgroup and f.outcome in POST_WAR_PARTS}
    series = [words.name(o) for o in POST_WAR_PARTS]
    rows = [(words.name(t.subgroup), [Part(series[i], parts[(t.subgroup, o)].value, i)
                                       for i, o in enumerate(POST_WAR_PARTS) if (t.subgroup, o) in parts]) for t in taken]
    chart = row_chart("post-war-by-subgroup", words("chart_post_war_subgroups"), rows, series, words("total"))
    return _sourced(chart, taken + list(parts.values()), short)


CHARTS = (age_group_chart, escapes_by_year_chart, pow_fate_chart, post_war_outcome_chart, post_war_subgroup_chart)
