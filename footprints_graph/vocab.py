"""Vocabulary: the ontology's terms as Python constants and its SKOS concepts looked up by notation.

`FP` is a closed namespace: using a term the ontology does not declare raises at once, and a test proves
that these constants and ontology/footprints.ttl agree.
"""

from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS, DefinedNamespace, Namespace

from footprints_graph.errors import FootprintsError, Problem
from footprints_graph.iris import ONTOLOGY, VOCAB
from footprints_graph.resources import ontology_graph

FPV = Namespace(VOCAB)


class FP(DefinedNamespace):
    """The footprints-graph ontology (https://w3id.org/footprints-graph/ontology#)."""

    _NS = Namespace(ONTOLOGY)
    _fail = True

    # classes
    Victim: URIRef
    PrisonerOfWar: URIRef
    WartimeAbductee: URIRef
    PostWarAbductee: URIRef
    Detainee: URIRef
    FamilyMember: URIRef
    FamilyRelationship: URIRef
    Listing: URIRef
    Event: URIRef
    Act: URIRef
    Capture: URIRef
    Abduction: URIRef
    ArbitraryDetention: URIRef
    NonRepatriation: URIRef
    EnforcedDisappearance: URIRef
    SubsequentEvent: URIRef
    EscapeAndReturn: URIRef
    Repatriation: URIRef
    Death: URIRef
    ConfirmedAlive: URIRef
    LastSeen: URIRef
    ArmedConflict: URIRef
    StatusAssessment: URIRef
    Place: URIRef
    Organisation: URIRef
    SourceDocument: URIRef
    MediaItem: URIRef
    LegalInstrument: URIRef
    Finding: URIRef
    CategoryOutcomeStructure: URIRef
    CategoryOutcomeRangeStructure: URIRef
    AgeGroupStructure: URIRef
    YearStructure: URIRef
    SubgroupStructure: URIRef
    # properties
    victimCategory: URIRef
    creditedTo: URIRef
    restricted: URIRef
    listingOf: URIRef
    nameAsListed: URIRef
    familyOf: URIRef
    familyMember: URIRef
    kinship: URIRef
    victim: URIRef
    victimGroup: URIRef
    perpetrator: URIRef
    date: URIRef
    startDate: URIRef
    endDate: URIRef
    dateBasis: URIRef
    place: URIRef
    ageAtTime: URIRef
    ageGroup: URIRef
    occupationAtTime: URIRef
    breaches: URIRef
    partOfConflict: URIRef
    statusOf: URIRef
    status: URIRef
    asOf: URIRef
    organisationType: URIRef
    documentType: URIRef
    unDocumentSymbol: URIRef
    retrieved: URIRef
    credit: URIRef
    instrumentType: URIRef
    adopted: URIRef
    entryIntoForce: URIRef
    statement: URIRef
    citedSource: URIRef
    locator: URIRef
    about: URIRef
    count: URIRef
    countLowerBound: URIRef
    countUpperBound: URIRef
    qualifier: URIRef
    population: URIRef
    outcome: URIRef
    subgroup: URIRef
    refYear: URIRef
    completeBreakdown: URIRef
    Inconsistency: URIRef
    Claim: URIRef
    claimant: URIRef
    publishedIn: URIRef
    claimedCount: URIRef
    claimStatus: URIRef
    breakdown: URIRef
    rule: URIRef
    difference: URIRef
    involves: URIRef
    total: URIRef
    # Uwazi exports (ontology/uwazi.ttl) and link sets (ontology/linking.ttl)
    uwaziSharedId: URIRef
    uwaziTemplate: URIRef
    LinkSet: URIRef
    linkSetFile: URIRef


class UnknownConcept(FootprintsError, Problem, LookupError):
    """A value that is not a notation of the expected concept scheme (worded in English and Korean)."""

    def __init__(self, scheme: str, notation: str, known: list[str]):
        self.scheme, self.notation, self.known = scheme, notation, known
        Problem.__init__(self, "unknown_concept", notation=notation, scheme=scheme, known=", ".join(known))


@cache
def _notations(scheme: URIRef) -> dict[str, URIRef]:
    graph: Graph = ontology_graph()
    return {
        str(notation): concept
        for concept in graph.subjects(SKOS.inScheme, scheme)
        for notation in graph.objects(concept, SKOS.notation)
    }


def notations(scheme: str) -> list[str]:
    """The notations of our vocabulary `scheme` (fpv:`scheme`), sorted: the values a table's cell may hold."""
    return sorted(_notations(FPV[scheme]))


def concept(scheme: str, notation: str) -> URIRef:
    """The concept (or punned class) of our vocabulary `scheme` (fpv:`scheme`) whose skos:notation is `notation`."""
    return concept_in_scheme(FPV[scheme], notation, scheme)


def concept_in_scheme(scheme: URIRef, notation: str, name: str | None = None) -> URIRef:
    """The concept of the scheme whose IRI is `scheme` (ours or another the ontology holds) whose skos:notation
    is `notation`; `name` is how an error names the scheme (default: its IRI)."""
    table = _notations(scheme)
    if notation not in table:
        raise UnknownConcept(name or str(scheme), notation, sorted(table))
    return table[notation]


def concept_in(schemes: tuple[str, ...], notation: str) -> URIRef:
    """The concept with `notation` in the first of `schemes` that has it."""
    for scheme in schemes:
        try:
            return concept(scheme, notation)
        except UnknownConcept:
            continue
    known = sorted(n for s in schemes for n in _notations(FPV[s]))
    raise UnknownConcept(" or ".join(schemes), notation, known)
