"""Records → RDF. Every reader's records become `ConvertedRecord`s: the triples of one record, the
named graph they go in, and whether the record is restricted (kept out of the public store)."""

from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.term import Node

from footprints_graph.errors import Origin

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef]  # a triple and the named graph it is in


@dataclass
class ConvertedRecord:
    """One record as RDF. `subject` is the record's main resource; `triples` include its claim nodes."""

    origin: Origin
    subject: URIRef
    graph: URIRef
    triples: list[Triple] = field(default_factory=list)
    restricted: bool = False

    def add(self, s: Node, p: Node, o: Node | None) -> None:
        """Add a triple, skipping an absent object (an empty optional field)."""
        if o is not None:
            self.triples.append((s, p, o))
