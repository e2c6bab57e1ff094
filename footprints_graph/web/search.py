"""/search: people, documents and organisations by name — in Hangul or any romanization, whatever the
hyphens, spacing, case or common spelling variant — so that "kim jungwook", "Kim Jong-wook" and "김정욱" all
find Kim Jung-wook.

The matching is the linking engineer's: the release's reconciliation index and the Korean name matcher
(reconciliation.py, names.py) rank the candidates, and its prefix suggestions catch a name typed only in part
("Kim", "Unification"). The index is built once per release and shared with /reconcile.
"""

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request

from footprints_graph.names import MATCH_THRESHOLD
from footprints_graph.releases.reconciliation import reconcile, suggest_entities
from footprints_graph.endpoint.language import Words, chosen_language
from footprints_graph.endpoint.linked_data.presentation import Presenter, TermView
from footprints_graph.endpoint.reconcile import ReconciliationService
from footprints_graph.endpoint.site import current_site

MAX_QUERY_CHARS = 200
CANDIDATES = 30
SHOWN_SCORE = 60.0  # a candidate scored below this is too unlike the query to show
GROUPS = (("people", "Victim"), ("documents", "SourceDocument"), ("organisations", "Organisation"))

blueprint = Blueprint("search", __name__)


@dataclass(frozen=True)
class Hit:
    entity_id: str
    iri: str
    score: float
    how: str  # exact | variant | prefix | similar: how the name matched, for the reader
    other_names: tuple[str, ...]
    group: str


def _how(score: float) -> str:
    if score >= 100:
        return "exact"
    return "variant" if score >= MATCH_THRESHOLD else "similar"


def _group(index, entity) -> str:
    """people, documents or organisations, by the entity's types (a victim category is a kind of Victim)."""
    broader = {b for t in entity.types for b in (t, *index.types[t].broader) if t in index.types}
    return next((group for group, kind in GROUPS if kind in broader), "other")


def search_hits(store, index, text: str) -> list[Hit]:
    """Candidates whose name matches, then those whose name starts with the text, then similar names."""
    ranked = reconcile(store, index, {"q": {"query": text, "limit": CANDIDATES}})["q"]["result"]
    scores = {c["id"]: float(c["score"]) for c in ranked if c["score"] >= SHOWN_SCORE}
    prefixed = [s["id"] for s in suggest_entities(index, text, 0) if scores.get(s["id"], 0) < MATCH_THRESHOLD]
    hits = [_hit(index, i, scores[i], _how(scores[i])) for i in scores if scores[i] >= MATCH_THRESHOLD]
    hits += [_hit(index, i, scores.get(i, 0.0), "prefix") for i in prefixed]
    hits += [_hit(index, i, s, "similar") for i, s in scores.items() if s < MATCH_THRESHOLD and i not in prefixed]
    return hits


def _hit(index, entity_id: str, score: float, how: str) -> Hit:
    entity = index.entities[entity_id]
    return Hit(entity_id, entity.iri, score, how, tuple(n for n in entity.names if n != entity.name)[:4],
               _group(index, entity))


@dataclass
class SearchModel:
    text: str
    groups: list[tuple[str, list[tuple[Hit, TermView]]]]
    count: int


def search_model(text: str, language: str) -> SearchModel:
    site = current_site()
    if not text:
        return SearchModel("", [], 0)
    store, index = ReconciliationService(site.release, site.config.base).served()
    hits = search_hits(store, index, text)
    presenter = Presenter(store, site.space, {h.iri for h in hits})
    words = Words(language, presenter)
    groups = [(group, [(h, words.presenter.iri(h.iri)) for h in hits if h.group == group])
              for group, _ in (*GROUPS, ("other", ""))]
    return SearchModel(text, [(g, items) for g, items in groups if items], len(hits))


@blueprint.route("/search")
def search() -> str:
    text = " ".join(request.args.get("q", "").split())
    if len(text) > MAX_QUERY_CHARS:
        abort(400, description=f"A search is at most {MAX_QUERY_CHARS} characters; this one has {len(text)}.")
    return render_template("search.html", model=search_model(text, chosen_language()))
