"""/search: people, documents and organisations by name — in Hangul or any romanization, whatever the
hyphens, spacing, case or common spelling variant — so that "kim jungwook", "Kim Jong-wook" and "김정욱" all
find Kim Jung-wook; the documents an organisation found publishes ("통일부" finds MOU's documents, which have
no Korean title of their own); and the claims of parties by their words or number ("108257", "108,257").

The matching is the linking engineer's: the release's reconciliation index and the Korean name matcher
(reconciliation.py, names.py) rank the candidates, and its prefix suggestions catch a name typed only in part
("Kim", "Unification"). The index is a view the release carries (releases/views), shared with /reconcile. Claims
are not entities to reconcile against: one SPARQL query finds them.

The hits come a page at a time, and as a list to take away (/search.csv?q=…, /search.json?q=…, or Accept).
"""

import json
import re
from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request

from footprints_graph.endpoint.language import Words, chosen_language, link
from footprints_graph.endpoint.linked_data.presentation import Presenter, TermView
from footprints_graph.endpoint.reconcile import ReconciliationService
from footprints_graph.endpoint.site import current_site
from footprints_graph.names import MATCH_THRESHOLD
from footprints_graph.releases.reconciliation import reconcile, suggest_entities
from footprints_graph.releases.reconciliation.index import select
from footprints_graph.web.lists import list_response, wanted_list

MAX_QUERY_CHARS = 200
PAGE_SIZE = 50  # hits shown at once: the documents of a publisher and the claims holding a number can be many
LIST_COLUMNS = ("id", "iri", "name", "group", "how", "score", "other_names")
CANDIDATES = 30
SHOWN_SCORE = 60.0  # a candidate scored below this is too unlike the query to show
GROUPS = (("people", "Victim"), ("documents", "SourceDocument"), ("organisations", "Organisation"))
THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")  # "108,257" is written 108257 in the graph's numbers

# One query for what a name leads to beyond the index: the documents of the organisations it found
# ({organisations}: IRIs in <>, maybe none), and the claims whose number is the text's or whose words hold it,
# thousands separators aside ({text}: a SPARQL string).
RELATED_QUERY = r"""SELECT DISTINCT ?document ?claim WHERE {{
  {{ VALUES ?publisher {{ {organisations} }} ?document dct:publisher ?publisher }}
  UNION {{
    ?claim a fp:Claim ; fp:claimedCount ?count ; rdfs:label ?label .
    OPTIONAL {{ ?claim fp:statement ?statement }}
    BIND(LCASE(REPLACE(CONCAT(STR(?label), " ", COALESCE(STR(?statement), "")), "(\\d)[,.](\\d{{3}})", "$1$2")) AS ?words)
    FILTER(STR(?count) = {text} || CONTAINS(?words, {text}))
  }}
}}"""

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
    return hits + _related(store, index, hits, text)


def _related(store, index, hits: list[Hit], text: str) -> list[Hit]:
    """The documents of each organisation whose name matched (unless a document's own name matched too), then,
    for a text with a number, the claims of parties whose number or words hold it."""
    organisations = " ".join(f"<{h.iri}>" for h in hits if h.group == "organisations" and h.how in ("exact", "variant"))
    if not organisations and not any(c.isdigit() for c in text):
        return []  # claims are looked for by their numbers: a query less for a search by name
    wanted = json.dumps(THOUSANDS.sub("", text).casefold(), ensure_ascii=False)
    rows = list(select(store, RELATED_QUERY.format(organisations=organisations, text=wanted)))
    found = {h.entity_id for h in hits}
    documents = {index.entity_id(r["document"].value) for r in rows if r["document"]} & set(index.entities)
    claims = sorted({r["claim"].value for r in rows if r["claim"]})
    return ([_hit(index, d, 0.0, "publisher") for d in sorted(documents - found)]
            + [Hit(c.removeprefix(index.base), c, 100.0, "claim", (), "claims") for c in claims])


def _hit(index, entity_id: str, score: float, how: str) -> Hit:
    entity = index.entities[entity_id]
    return Hit(entity_id, entity.iri, score, how, tuple(n for n in entity.names if n != entity.name)[:4],
               _group(index, entity))


@dataclass
class SearchModel:
    text: str
    groups: list[tuple[str, list[tuple[Hit, TermView]]]]
    count: int
    page: int = 1
    pages: int = 1


def _hits(text: str) -> tuple[list[Hit], Presenter]:
    site = current_site()
    store, index = ReconciliationService(site.release, site.config.base).served()
    hits = search_hits(store, index, text)
    return hits, Presenter(store, site.space, {h.iri for h in hits})


def search_model(text: str, language: str, page: int = 1) -> SearchModel:
    if not text:
        return SearchModel("", [], 0)
    hits, presenter = _hits(text)
    pages = max(1, -(-len(hits) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = hits[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    words = Words(language, presenter)
    groups = [(group, [(h, words.presenter.iri(h.iri)) for h in shown if h.group == group])
              for group, _ in (*GROUPS, ("claims", ""), ("other", ""))]
    return SearchModel(text, [(g, items) for g, items in groups if items], len(hits), page, pages)


def _hit_row(hit: Hit, view: TermView) -> dict:
    return {"id": hit.entity_id, "iri": hit.iri, "name": view.text, "group": hit.group, "how": hit.how,
            "score": hit.score, "other_names": list(hit.other_names)}


def search_list(kind: str, text: str) -> Response:
    """Every hit of the search (no page: a list to take away), nothing for an empty one."""
    hits, presenter = _hits(text) if text else ([], None)
    rows = (_hit_row(h, presenter.iri(h.iri)) for h in hits)
    return list_response(kind, "search", {"q": text, "total": len(hits), "columns": list(LIST_COLUMNS)}, rows)


@blueprint.route("/search", defaults={"extension": None})
@blueprint.route("/search.<extension>")
def search(extension: str | None) -> Response | str:
    text = " ".join(request.args.get("q", "").split())
    if len(text) > MAX_QUERY_CHARS:
        abort(400, description=f"A search is at most {MAX_QUERY_CHARS} characters; this one has {len(text)}.")
    kind = wanted_list(extension)
    if kind:
        return search_list(kind, text)
    page = request.args.get("page", "1")
    model = search_model(text, chosen_language(), int(page) if page.isdigit() else 1)
    return render_template("search.html", model=model, page_link=lambda n: link("/search", q=text, page=n),
                           list_link=lambda kind: link(f"/search.{kind}", q=text, page=None))
