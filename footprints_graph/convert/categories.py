"""Sources that put one person in different victim categories, found when the graph is built and kept as data.

A person's category is what each source says, on that source's listing. When two listings of one person give
different categories (the FOOTPRINTS page lists Kim Jung-Wook among post-war abductees, MOU among the
detainees held since 2013), neither is chosen: an fp:Inconsistency node names the listings, the rule
`categories-differ` and the sources, like a breakdown that does not add up (convert/arithmetic.py).
"""

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from footprints_graph.convert import ConvertedRecord
from footprints_graph.iris import graph_iri, mint
from footprints_graph.vocab import FP, concept, notations


def category_disagreements(converted: list[ConvertedRecord], base: str) -> list[ConvertedRecord]:
    """One fp:Inconsistency per person whose listings give more than one victim category."""
    graph = Graph()
    for record in converted:
        for triple in record.triples:
            graph.add(triple)
    persons = {record.subject: record for record in converted if (record.subject, RDF.type, FP.Victim) in graph}
    found = []
    for person, record in sorted(persons.items()):
        listings = sorted(graph.subjects(FP.listingOf, person))
        categories = {graph.value(listing, FP.victimCategory) for listing in listings} - {None}
        if len(categories) > 1:
            found.append(_record(graph, record, listings, categories, base))
    return found


def _record(graph: Graph, person: ConvertedRecord, listings: list[URIRef], categories: set[URIRef],
            base: str) -> ConvertedRecord:
    key = f"{str(person.subject).rsplit('/', 1)[1]}-categories-differ"
    node = mint("inconsistency", key, base)
    out = ConvertedRecord(person.origin, node, graph_iri("inconsistencies", base))  # derived: a graph of its own
    out.restricted = person.restricted  # it names the person: as private as the person is
    out.add(node, RDF.type, FP.Inconsistency)
    out.add(node, FP.rule, concept("consistency-rules", "categories-differ"))
    for listing in listings:
        out.add(node, FP.involves, listing)
        for source in graph.objects(listing, DCTERMS.source):
            out.add(node, DCTERMS.source, source)
    by_iri = {concept("victim-categories", n): n for n in notations("victim-categories")}
    names = sorted(by_iri[c] for c in categories)
    out.add(node, RDFS.label, Literal(f"{graph.value(person.subject, SKOS.prefLabel)}: the sources list this person "
                                      f"under different categories ({', '.join(names)})", lang="en"))
    return out
