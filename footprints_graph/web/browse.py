"""/browse: the victims, narrowed by facets — category, status, year of the act, credited organisation and
source — that combine (every chosen value must hold), with counts, pages of results, and the whole list as CSV or
JSON (/browse.csv, /browse.json, or /browse asked for text/csv or application/json) for researchers who work in
spreadsheets or pandas.

Counts, pages and lists come from the browse view the release carries (releases/views/facets.py, computed by the
build): the store is asked only for the labels of the page shown.
"""

import re
from dataclasses import dataclass, field

from flask import Blueprint, Response, abort, render_template, request

from footprints_graph.endpoint.language import Words, chosen_language, link
from footprints_graph.endpoint.linked_data.presentation import Presenter, TermView
from footprints_graph.endpoint.site import current_site
from footprints_graph.releases.views.facets import FACETS, FacetIndex, Person
from footprints_graph.web.lists import list_response, wanted_list

PAGE_SIZE = 25
# Values chosen at once, over all facets. Every chosen value must hold, and no person has more than a few
# categories, statuses or years: a longer list keeps no one, and is refused with what to do instead (issue 13).
MAX_CHOSEN = 6
RECORD_KEY = re.compile(r"^[a-z]+/[a-z0-9]+(?:[-.][a-z0-9]+)*$")
YEAR_KEY = re.compile(r"^\d{4}(?:-(?:\d{4})?)?$|^-\d{4}$")
KEY_PATTERNS = {"year": YEAR_KEY, "organisation": RECORD_KEY, "source": RECORD_KEY}  # others: any key is looked up
FACET_NAMES = tuple(FACETS)
LIST_COLUMNS = ("person", "name", "name_ko", "categories")

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
    selection = {name: sorted(set(arguments.getlist(name))) for name in FACET_NAMES}
    chosen = sum(map(len, selection.values()))
    if chosen > MAX_CHOSEN:
        abort(400, description=f"{chosen} values are chosen; /browse combines at most {MAX_CHOSEN} (each one must "
                               "hold for every person listed). Remove some, or ask /sparql.")
    for name, pattern in KEY_PATTERNS.items():
        bad = [k for k in selection[name] if not pattern.fullmatch(k)]  # fullmatch: no "\n" after $
        if bad:
            abort(400, description=f"{bad[0]!r} is not a {name} this page can filter by; "
                                   "pick one from the list on /browse.")
    return {name: keys for name, keys in selection.items() if keys}


def browse_model(release, space, facets: FacetIndex, selection: Selection, page: int, language: str) -> BrowseModel:
    kept = facets.chosen(selection)
    counts = facets.counts(kept)
    total = kept.bit_count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = facets.persons(kept, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    iris = {v.value for v, _ in counts if v.value} | {p.iri for p in rows} | {c for p in rows for c in p.categories}
    words = Words(language, Presenter(release.store, space, iris))
    shown = _facets(counts, selection, words)
    chosen = [(name, v) for name, values in shown for v in values if v.selected]
    return BrowseModel(selection, total, page, pages, shown,
                       [(words.presenter.iri(p.iri), [words.presenter.iri(c) for c in p.categories]) for p in rows],
                       chosen)


def _facets(counts, selection: Selection, words: Words) -> list[tuple[str, list[FacetValue]]]:
    grouped: dict[str, list[FacetValue]] = {name: [] for name in FACET_NAMES}
    for value, n in counts:
        label = words.presenter.iri(value.value) if value.value else value.key.replace("-", "–")
        grouped[value.facet].append(FacetValue(value.key, label, n, value.key in selection.get(value.facet, []),
                                               _toggled(selection, value.facet, value.key)))
    for name, values in grouped.items():
        values.sort(key=lambda v: v.key if name == "year" else (-v.count, str(getattr(v.label, "text", v.label)).lower()))
    return [(name, values) for name, values in grouped.items() if values]


def _toggled(selection: Selection, facet: str, key: str) -> str:
    keys = set(selection.get(facet, []))
    keys ^= {key}
    return link("/browse", **{**selection, facet: sorted(keys), "page": None})


def _person_row(person: Person) -> dict:
    return {"person": person.iri, "name": person.name, "name_ko": person.name_ko, "categories": person.categories}


@blueprint.route("/browse", defaults={"extension": None})
@blueprint.route("/browse.<extension>")
def browse(extension: str | None) -> Response | str:
    site = current_site()
    kind, selection = wanted_list(extension), read_selection(request.args)
    facets = site.release().views(site.config.base).facets
    if kind:
        kept = facets.chosen(selection)
        head = {"selection": selection, "total": kept.bit_count(), "columns": list(LIST_COLUMNS),
                "release": site.release().build_id}
        return list_response(kind, "victims", head, map(_person_row, facets.stream(kept)))
    page = request.args.get("page", "1")
    model = browse_model(site.release(), site.space, facets, selection, int(page) if page.isdigit() else 1,
                         chosen_language())
    return render_template("browse.html", model=model, page_link=lambda n: link("/browse", **selection, page=n),
                           list_link=lambda kind: link(f"/browse.{kind}", **selection, page=None))
