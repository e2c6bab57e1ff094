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

from footprints_graph.convert import linksets
from footprints_graph.endpoint.language import Words
from footprints_graph.endpoint.linked_data.presentation import Presenter, TermView
from footprints_graph.iris import DECLARED_PREFIXES
from footprints_graph.vocab import FP

RDF, RDFS, SKOS, DCT, SCHEMA, QB = (DECLARED_PREFIXES[p] for p in ("rdf", "rdfs", "skos", "dct", "schema", "qb"))
RDF_TYPE = RDF + "type"
OWL = DECLARED_PREFIXES["owl"]
OWL_SAME_AS = OWL + "sameAs"
SSSOM, PAV = str(linksets.SSSOM), str(linksets.PAV)  # the terms a link set's mappings are told in


def fp(name: str) -> str:
    """An ontology term as the string the page's facts are indexed by (vocab.FP refuses an undeclared name)."""
    return str(FP[name])


KINDS = {"person": "person", "event": "act", "document": "document", "media": "document", "instrument": "document",
         "organisation": "organisation", "figure": "figure"}
# how other records name an organisation: credited with them, publisher, held responsible, the larger body
CREDITS = (fp("creditedTo"), DCT + "publisher", fp("perpetrator"), SCHEMA + "parentOrganization")
ACT_DETAILS = (fp("perpetrator"), fp("victimGroup"), fp("breaches"), fp("partOfConflict"), fp("place"),
               fp("ageAtTime"), fp("occupationAtTime"))
FIGURE_DIMENSIONS = (fp("victimCategory"), fp("outcome"), fp("population"), fp("ageGroup"), fp("subgroup"),
                     fp("refYear"))
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
        date, start, end = (self.facts.text(subject, fp(p)) for p in ("date", "startDate", "endDate"))
        if date:
            return date
        if start and end:
            return self.words("date_between", start=start, end=end)
        return self.words("date_since", start=start) if start else (self.words("date_until", end=end) if end else "")

    def pointing(self, predicates: Iterable[str]) -> list[TermView]:
        """The records that point at this one by `predicates` (a figure's inconsistencies), with their labels."""
        nodes = self._pointing(predicates)
        presenter = self._presenter_for(nodes)
        return [presenter.term(n) for n in nodes]

    def pointing_by_kind(self, wanted: dict[str, Iterable[str]]) -> dict[str, dict[str, tuple[list[TermView], int]]]:
        """For each name of `wanted`, the records that point at this one by its predicates, grouped by kind
        (people, figures, …): the first SHOWN_PER_GROUP of each, and how many. They are read as IRIs and only the
        shown ones labelled (one query for all), so a document 80,000 listings cite costs one index read per
        predicate rather than 80,000 labels."""
        grouped = {name: self._by_kind(self._pointing(predicates)) for name, predicates in wanted.items()}
        presenter = self._presenter_for([n for groups in grouped.values() for found in groups.values()
                                         for n in found[:SHOWN_PER_GROUP]])
        return {name: {kind: ([presenter.term(n) for n in found[:SHOWN_PER_GROUP]], len(found))
                       for kind, found in groups.items()} for name, groups in grouped.items()}

    def _by_kind(self, nodes: list) -> dict[str, list]:
        groups: dict[str, list] = {}
        for node in nodes:
            groups.setdefault(_kind_of(self._local(node)), []).append(node)
        return groups

    def _pointing(self, predicates: Iterable[str]) -> list[ox.NamedNode | ox.BlankNode]:
        node, store = ox.NamedNode(self.iri), self.description.store
        found = {q.subject for p in predicates for q in store.quads_for_pattern(None, ox.NamedNode(p), node)} - {node}
        return sorted(found, key=self._page_order)

    def _page_order(self, node: ox.NamedNode | ox.BlankNode) -> tuple[str, str]:
        return self._local(node) or "", str(node)

    def _local(self, node: ox.NamedNode | ox.BlankNode) -> str | None:
        return self.presenter.space.local(node.value) if isinstance(node, ox.NamedNode) else None

    def _presenter_for(self, nodes: list) -> Presenter:
        return Presenter(self.description.store, self.presenter.space,
                         {n.value for n in nodes if isinstance(n, ox.NamedNode)})

    def claims_by(self, predicate: str) -> list[str]:
        return [c for c in self.description.claims if self.facts.one(c, predicate) is not None]


# ----------------------------------------------------------------------------- the kinds


def person(layout: Layout) -> dict:
    iri, facts = layout.iri, layout.facts
    return {
        "names": _names(facts, iri),
        "categories": layout.terms(iri, fp("victimCategory")),
        "listings": [{"node": layout.term(ox.NamedNode(c)), "name": facts.one(c, fp("nameAsListed")),
                      "categories": layout.terms(c, fp("victimCategory")), "credited": layout.terms(c, fp("creditedTo")),
                      "note": facts.text(c, RDFS + "comment"), "sources": layout.sources(c)}
                     for c in layout.claims_by(fp("listingOf"))],
        "acts": [{"node": layout.term(ox.NamedNode(c)), "types": layout.terms(c, RDF_TYPE), "when": layout.when(c),
                  "basis": layout.terms(c, fp("dateBasis")), "details": _details(layout, c, ACT_DETAILS),
                  "sources": layout.sources(c)} for c in layout.claims_by(fp("victim"))],
        "statuses": [{"node": layout.term(ox.NamedNode(c)), "status": layout.terms(c, fp("status")),
                      "as_of": facts.text(c, fp("asOf")), "sources": layout.sources(c)}
                     for c in layout.claims_by(fp("statusOf"))],
        "same_as": [o.value for o in facts.all(iri, OWL_SAME_AS)],
        "partner_links": _partner_links(layout),
    }


def _partner_links(layout: Layout) -> list[dict]:
    """Each partner's link to this record as its link set states it: the link (sameAs, exactMatch or
    closeMatch), the partner's record, how sure, who said so and when, and the link set."""
    facts = layout.facts
    return [{"predicate": layout.term(facts.one(m, OWL + "annotatedProperty")),
             "target": facts.text(m, OWL + "annotatedTarget"), "confidence": facts.text(m, SSSOM + "confidence"),
             "authors": [a.value for p in (PAV + "authoredBy", SSSOM + "author_label") for a in facts.all(m, p)],
             "date": facts.text(m, DCT + "created"), "link_set": layout.term(ox.NamedNode(m.split("#")[0]))}
            for m in layout.claims_by(OWL + "annotatedSource")]


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
    return {"types": layout.terms(iri, RDF_TYPE), "victims": layout.terms(iri, fp("victim")), "when": layout.when(iri),
            "basis": layout.terms(iri, fp("dateBasis")), "details": _details(layout, iri, ACT_DETAILS),
            "statement": facts.one(iri, fp("statement")), "cited": layout.terms(iri, fp("citedSource")),
            "locator": facts.text(iri, fp("locator")), "note": facts.text(iri, RDFS + "comment")}


def document(layout: Layout) -> dict:
    iri, facts = layout.iri, layout.facts
    return {"types": layout.terms(iri, RDF_TYPE), "identifiers": layout.terms(iri, fp("unDocumentSymbol"))
            + layout.terms(iri, DCT + "identifier"), "titles": facts.all(iri, DCT + "title"),
            "details": _details(layout, iri, (fp("documentType"), fp("instrumentType"), DCT + "publisher", DCT + "issued",
                                              fp("adopted"), fp("entryIntoForce"), fp("retrieved"), fp("credit"),
                                              fp("creditedTo"), fp("victimCategory"))),
            "url": facts.text(iri, SCHEMA + "url"), "note": facts.text(iri, RDFS + "comment"),
            **layout.pointing_by_kind({"sourced": (DCT + "source",), "cited_for": (fp("citedSource"),)})}


def _kind_of(local_path: str | None) -> str:
    """person, figure, event, … from a local page's path (/id/<kind>/<key>)."""
    parts = (local_path or "").split("/")
    return parts[2] if len(parts) > 3 and parts[1] == "id" else "other"


def organisation(layout: Layout) -> dict:
    iri = layout.iri
    return {"alternative": layout.facts.all(iri, SKOS + "altLabel"),
            "details": _details(layout, iri, (fp("organisationType"), SCHEMA + "parentOrganization")),
            "url": layout.facts.text(iri, SCHEMA + "url"), "note": layout.facts.text(iri, RDFS + "comment"),
            "same_as": [o.value for o in layout.facts.all(iri, OWL_SAME_AS)], "partner_links": _partner_links(layout),
            **layout.pointing_by_kind({"credited": CREDITS})}


def figure(layout: Layout) -> dict:
    iri, facts = layout.iri, layout.facts
    count, lower, upper = (facts.text(iri, fp(p)) for p in ("count", "countLowerBound", "countUpperBound"))
    qualifier = facts.one(iri, fp("qualifier"))
    number = number_text(layout.words, count, lower, upper, qualifier.value if qualifier else None)
    return {"heading": _figure_heading(layout, number), "dataset": layout.terms(iri, QB + "dataSet"),
            "dimensions": _details(layout, iri, FIGURE_DIMENSIONS), "number": number,
            "qualifier": layout.terms(iri, fp("qualifier")), "as_of": facts.text(iri, fp("asOf")),
            "inconsistencies": layout.pointing((fp("involves"),)),
            "statement": facts.one(iri, fp("statement")), "cited": layout.terms(iri, fp("citedSource")),
            "locator": facts.text(iri, fp("locator")), "note": facts.text(iri, RDFS + "comment")}


def _figure_heading(layout: Layout, number: str) -> str:
    """A figure has no name: "71 deceased · prisoner of war not repatriated", from its number and dimensions."""
    # the population after the outcome: "more than 430 escaped and returned · family members of victims · …"
    named = (fp("outcome"), fp("population"), fp("victimCategory"), fp("subgroup"), fp("ageGroup"))
    dimensions = [layout.words.name(o.value) for p in named for o in layout.facts.all(layout.iri, p)]
    dimensions += [year.value for year in layout.facts.all(layout.iri, fp("refYear"))]
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
