"""Record pages for people: a person, an act, a document, an organisation and a figure, laid out from the
resource's description (its own triples, its claims and what points at it; see linked_data.describe) with
every statement next to the document that states it, and a line to cite the record by.

Other resources (listings, statuses, data sets, vocabulary terms, graphs) keep the generic page of
statements. Laying out a record asks the store nothing more, except a document's page, which asks once for
the numbers of the figures it states.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from footprints_graph.iris import ONTOLOGY
from footprints_graph.endpoint.language import Words
from footprints_graph.endpoint.linked_data.presentation import Presenter, TermView

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
QB = "http://purl.org/linked-data/cube#"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
FP = ONTOLOGY
KINDS = {"person": "person", "event": "act", "document": "document", "media": "document", "instrument": "document",
         "organisation": "organisation", "figure": "figure"}
# how other records name an organisation: credited with them, publisher, held responsible, the larger body
CREDITS = (FP + "creditedTo", DCT + "publisher", FP + "perpetrator", SCHEMA + "parentOrganization")
ACT_DETAILS = (FP + "perpetrator", FP + "victimGroup", FP + "breaches", FP + "partOfConflict", FP + "place",
               FP + "ageAtTime", FP + "occupationAtTime")
FIGURE_DIMENSIONS = (FP + "victimCategory", FP + "outcome", FP + "ageGroup", FP + "subgroup", FP + "refYear")
COUNT_QUALIFIERS = ("exact", "at-least", "more-than")  # the qualifiers of a single count (a range has bounds)
SHOWN_PER_GROUP = 100  # a document or an organisation may source thousands of records: show the first ones


class Facts:
    """A description's triples, looked up by subject and predicate."""

    def __init__(self, triples: Iterable[ox.Triple]):
        self.index: dict[tuple[str, str], list] = defaultdict(list)
        for t in triples:
            self.index[(t.subject.value, t.predicate.value)].append(t.object)

    def all(self, subject: str, predicate: str) -> list:
        return sorted(self.index.get((subject, predicate), []), key=str)

    def one(self, subject: str, predicate: str):
        found = self.all(subject, predicate)
        return found[0] if found else None

    def text(self, subject: str, predicate: str) -> str | None:
        found = self.one(subject, predicate)
        return found.value if found is not None else None


@dataclass(frozen=True)
class Source:
    document: TermView
    url: str | None


@dataclass
class Record:
    """What a record page shows above the generic statements; `kind` picks templates/records/<kind>.html."""

    kind: str
    sources: list[Source]
    citation: str
    details: dict = field(default_factory=dict)
    heading: str | None = None  # for records without a name (a figure): what the page is titled


class Layout:
    """Builds the Record of one description, with the page's labels (`presenter`) and words (`words`)."""

    def __init__(self, description, presenter: Presenter, words: Words):
        self.iri, self.description = description.iri, description
        self.facts, self.presenter, self.words = Facts(description.triples), presenter, words

    def terms(self, subject: str, predicate: str) -> list[TermView]:
        return [self.term(o) for o in self.facts.all(subject, predicate)]

    def term(self, node) -> TermView:
        return self.presenter.term(node)

    def sources(self, subject: str) -> list[Source]:
        return [Source(self.term(d), self.facts.text(d.value, SCHEMA + "url")) for d in self.facts.all(subject, DCT + "source")]

    def when(self, subject: str) -> str:
        """An event's date as precise as its source: a day, a month, a year, a range, or open-ended."""
        date, start, end = (self.facts.text(subject, FP + p) for p in ("date", "startDate", "endDate"))
        if date:
            return date
        if start and end:
            return self.words("date_between", start=start, end=end)
        return self.words("date_since", start=start) if start else (self.words("date_until", end=end) if end else "")

    def incoming(self, predicates: Iterable[str]) -> dict[str, list[TermView]]:
        grouped: dict[str, list[TermView]] = {}
        for t in self.description.incoming:
            if t.predicate.value in predicates:
                grouped.setdefault(t.predicate.value, []).append(self.term(t.subject))
        return grouped

    def claims_by(self, predicate: str) -> list[str]:
        return [c for c in self.description.claims if self.facts.one(c, predicate) is not None]


# ----------------------------------------------------------------------------- the kinds


def person(layout: Layout) -> dict:
    iri, facts = layout.iri, layout.facts
    return {
        "names": _names(facts, iri),
        "categories": layout.terms(iri, FP + "victimCategory"),
        "listings": [{"node": layout.term(ox.NamedNode(c)), "name": facts.one(c, FP + "nameAsListed"),
                      "categories": layout.terms(c, FP + "victimCategory"), "credited": layout.terms(c, FP + "creditedTo"),
                      "note": facts.text(c, RDFS + "comment"), "sources": layout.sources(c)}
                     for c in layout.claims_by(FP + "listingOf")],
        "acts": [{"node": layout.term(ox.NamedNode(c)), "types": layout.terms(c, RDF_TYPE), "when": layout.when(c),
                  "basis": layout.terms(c, FP + "dateBasis"), "details": _details(layout, c, ACT_DETAILS),
                  "sources": layout.sources(c)} for c in layout.claims_by(FP + "victim")],
        "statuses": [{"node": layout.term(ox.NamedNode(c)), "status": layout.terms(c, FP + "status"),
                      "as_of": facts.text(c, FP + "asOf"), "sources": layout.sources(c)}
                     for c in layout.claims_by(FP + "statusOf")],
        "same_as": [o.value for o in facts.all(iri, OWL_SAME_AS)],
    }


def _names(facts: Facts, iri: str) -> list[dict]:
    preferred = [{"literal": n, "kind": "name_preferred"} for n in facts.all(iri, SKOS + "prefLabel")]
    seen = {n["literal"].value for n in preferred}
    others = [{"literal": n, "kind": "name_variant"} for n in facts.all(iri, SKOS + "altLabel") if n.value not in seen]
    return preferred + others


def _details(layout: Layout, subject: str, predicates: Iterable[str]) -> list[tuple[TermView, list[TermView]]]:
    found = [(layout.presenter.iri(p), layout.terms(subject, p)) for p in predicates]
    return [(p, values) for p, values in found if values]


def act(layout: Layout) -> dict:
    iri, facts = layout.iri, layout.facts
    return {"types": layout.terms(iri, RDF_TYPE), "victims": layout.terms(iri, FP + "victim"), "when": layout.when(iri),
            "basis": layout.terms(iri, FP + "dateBasis"), "details": _details(layout, iri, ACT_DETAILS),
            "statement": facts.one(iri, FP + "statement"), "cited": layout.terms(iri, FP + "citedSource"),
            "note": facts.text(iri, RDFS + "comment")}


def document(layout: Layout) -> dict:
    iri, facts = layout.iri, layout.facts
    return {"types": layout.terms(iri, RDF_TYPE), "identifiers": layout.terms(iri, FP + "unDocumentSymbol")
            + layout.terms(iri, DCT + "identifier"), "titles": facts.all(iri, DCT + "title"),
            "details": _details(layout, iri, (FP + "documentType", FP + "instrumentType", DCT + "publisher", DCT + "issued",
                                              FP + "adopted", FP + "entryIntoForce", FP + "retrieved", FP + "credit",
                                              FP + "creditedTo", FP + "victimCategory")),
            "url": facts.text(iri, SCHEMA + "url"), "note": facts.text(iri, RDFS + "comment"),
            "sourced": _by_kind([t for t in layout.incoming((DCT + "source",)).get(DCT + "source", []) if t.iri != iri]),
            "cited_for": _by_kind(layout.incoming((FP + "citedSource",)).get(FP + "citedSource", []))}


def _by_kind(items: list[TermView]) -> dict[str, tuple[list[TermView], int]]:
    """Records grouped by kind (people, figures, …): the first SHOWN_PER_GROUP of each, and how many."""
    groups: dict[str, list[TermView]] = {}
    for item in sorted(set(items), key=lambda t: (t.href or "", t.text)):
        groups.setdefault(_kind_of(item), []).append(item)
    return {kind: (found[:SHOWN_PER_GROUP], len(found)) for kind, found in groups.items()}


def _kind_of(view: TermView) -> str:
    """person, figure, event, … from a local page's path (/id/<kind>/<key>)."""
    parts = (view.href or "").split("/")
    return parts[2] if len(parts) > 3 and parts[1] == "id" else "other"


def organisation(layout: Layout) -> dict:
    iri = layout.iri
    return {"alternative": layout.facts.all(iri, SKOS + "altLabel"),
            "details": _details(layout, iri, (FP + "organisationType", SCHEMA + "parentOrganization")),
            "url": layout.facts.text(iri, SCHEMA + "url"), "note": layout.facts.text(iri, RDFS + "comment"),
            "same_as": [o.value for o in layout.facts.all(iri, OWL_SAME_AS)],
            "credited": _by_kind([t for items in layout.incoming(CREDITS).values() for t in items])}


def figure(layout: Layout) -> dict:
    iri, facts = layout.iri, layout.facts
    count, lower, upper = (facts.text(iri, FP + p) for p in ("count", "countLowerBound", "countUpperBound"))
    qualifier = facts.one(iri, FP + "qualifier")
    number = number_text(layout.words, count, lower, upper, qualifier.value if qualifier else None)
    return {"heading": _figure_heading(layout, number), "dataset": layout.terms(iri, QB + "dataSet"),
            "dimensions": _details(layout, iri, FIGURE_DIMENSIONS), "number": number,
            "qualifier": layout.terms(iri, FP + "qualifier"), "as_of": facts.text(iri, FP + "asOf"),
            "statement": facts.one(iri, FP + "statement"), "cited": layout.terms(iri, FP + "citedSource"),
            "note": facts.text(iri, RDFS + "comment")}


def _figure_heading(layout: Layout, number: str) -> str:
    """A figure has no name: "71 deceased · prisoner of war not repatriated", from its number and dimensions."""
    named = (FP + "outcome", FP + "victimCategory", FP + "subgroup", FP + "ageGroup")
    dimensions = [layout.words.name(o.value) for p in named for o in layout.facts.all(layout.iri, p)]
    dimensions += [year.value for year in layout.facts.all(layout.iri, FP + "refYear")]
    return " · ".join([f"{number} {dimensions[0]}" if dimensions else number, *dimensions[1:]])


def number_text(words: Words, count: str | None, lower: str | None, upper: str | None, qualifier: str | None) -> str:
    """A figure's number as its source states it: "at least 50,000", "90,000–100,000", "최소 50,000"."""
    if count is None:
        return words("figure_range", lower=f"{int(lower or 0):,}", upper=f"{int(upper or 0):,}")
    notation = (qualifier or "").rsplit("/", 1)[-1]
    return words(f"figure_{notation}" if notation in COUNT_QUALIFIERS else "figure_exact", n=f"{int(count):,}")


KIND_MODELS = {"person": person, "act": act, "document": document, "organisation": organisation, "figure": figure}


def record_kind(local_path: str | None) -> str | None:
    """The kind of record page for a local path /id/<kind>/<key>, or None for the generic page."""
    parts = (local_path or "").split("/")
    return KINDS.get(parts[2]) if len(parts) > 3 and parts[1] == "id" else None


def record_layout(description, presenter: Presenter, words: Words, release_id: str) -> Record | None:
    kind = record_kind(presenter.space.local(description.iri))
    if kind is None:
        return None
    layout = Layout(description, presenter, words)
    details = KIND_MODELS[kind](layout)
    heading = details.pop("heading", None)
    return Record(kind, layout.sources(description.iri), citation(layout, kind, release_id, heading), details, heading)


def citation(layout: Layout, kind: str, release_id: str, heading: str | None = None) -> str:
    title = heading or layout.words.name(layout.iri)
    kind_name = layout.words(f"kind_{kind}").lower()  # mid-sentence
    return layout.words("citation", title=title, kind=kind_name, release=release_id, iri=layout.iri)
