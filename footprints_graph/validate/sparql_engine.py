"""A second SHACL engine for whole graphs: the shapes graph compiled into one SPARQL SELECT per constraint
(sparql_compile.py), run on an in-memory pyoxigraph store that holds the data and the ontology's facts.

pySHACL (pyshacl_engine.py) spends 30–50 µs per shape per focus node; a SELECT that finds every focus node
breaking one constraint at once costs a few hundred milliseconds on the whole graph. The results are the same
`ValidationResult`s pySHACL's report gives (focus node, path, value, source shape, severity, messages,
constraint component); tests/validate/test_validate_sparql.py checks both engines agree on every fixture and on a
synthetic graph with faults.
"""

import itertools
import os
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from threading import Lock

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from footprints_graph.collector import collector_paused
from footprints_graph.terms import line_triple, to_oxigraph, to_rdflib
from footprints_graph.validate.report import Severity, ValidationResult
from footprints_graph.validate.sparql_compile import FOCUS_GRAPH, FOCUS_MEMBER, Check, Focus, compile_shapes
from footprints_graph.vocab import FP

LOAD_BATCH = 100_000  # quads handed to the store at a time: its copy of them is made per call


def _write_focus(store: ox.Store, focus: Focus, nodes: Iterable) -> None:
    graph, mark, member = ox.NamedNode(FOCUS_GRAPH), ox.NamedNode(focus.mark), ox.NamedNode(FOCUS_MEMBER)
    store.bulk_extend([ox.Quad(mark, member, node, graph) for node in nodes])


def _to_ox(term: Node, blanks: dict):
    """A term of the data as the store's: a blank node gets an id of the store's own (an rdflib id need not
    be a valid one), remembered in `blanks` to read results back."""
    if not isinstance(term, BNode):
        return to_oxigraph(term)
    if term not in blanks:
        blanks[term] = ox.BlankNode()
    return blanks[term]


class StoreTerms(dict):
    """The store's terms read back as the data's: {blank node id in the store: rdflib's blank node}, and
    `original` for a typed literal, which Oxigraph keeps as its value only ("4.0"^^xsd:decimal reads back
    "4"): the data's own spelling is looked up, by value, the first time a result holds such a literal."""

    def __init__(self, blanks: dict, terms: Iterable[Node]):
        super().__init__(blanks)
        self._terms = terms
        self._by_value: dict | None = None
        self._lock = Lock()

    def add_terms(self, terms: Iterable[Node]) -> None:
        """More terms whose spelling a result may need (read only if one does)."""
        self._terms = itertools.chain(self._terms, terms)

    def original(self, literal: Literal) -> Literal:
        with self._lock:  # results are read on several threads
            if self._by_value is None:
                self._by_value = {(t.datatype, t.value): t for t in self._terms
                                  if isinstance(t, Literal) and t.datatype is not None and t.value is not None}
        return self._by_value.get((literal.datatype, literal.value), literal)


def load_store(*parts: Iterable[tuple], converted: Iterable[bytes] = ()) -> tuple[ox.Store, StoreTerms]:
    """An in-memory store holding the triples, and the triples of the N-Quads lines already `converted` (in any
    graph: the store holds their triples); and how its terms read back as rdflib's. A converted blank node keeps
    its rdflib id, so it reads back as itself."""
    store, blanks, cache_ = ox.Store(), {}, {}

    def convert(term):
        found = cache_.get(term)
        if found is None:
            found = cache_[term] = _to_ox(term, blanks)
        return found

    quads = [ox.Quad(convert(s), convert(p), convert(o)) for part in parts for s, p, o in part]
    store.extend(quads)
    converted = iter(converted)
    while batch := list(itertools.islice(converted, LOAD_BATCH)):  # pyoxigraph copies what it is given at once
        _load_lines(store, batch)
    return store, StoreTerms({v.value: k for k, v in blanks.items()}, cache_.keys())


def _load_lines(store: ox.Store, lines: list[bytes]) -> None:
    """The triples of N-Quads `lines` (each in a named graph) into the store's default graph. Lines without a
    blank node are handed to the engine's parser as N-Triples (their graph cut off) in one call, where parsing
    each into Python's quads took twice the CPU (3M quads at 100k victims); the engine's loader gives a blank
    node a label of its own, so a line that may hold one ("_:" anywhere, a literal's text too: 91 of 3M lines at
    100k victims) is parsed in Python, where it keeps its own. Both are read without checking the text again
    (lenient): Oxigraph wrote it."""
    blank = [line for line in lines if b"_:" in line]
    plain = [line for line in lines if b"_:" not in line] if blank else lines
    if plain:
        store.load(input=b" .\n".join([line_triple(line) for line in plain]) + b" .\n",
                   format=ox.RdfFormat.N_TRIPLES, lenient=True)
    if blank:
        store.extend([ox.Quad(q.subject, q.predicate, q.object)
                      for q in ox.parse(b"".join(blank), ox.RdfFormat.N_QUADS, lenient=True)])


def _from_ox(term, blanks: StoreTerms) -> Node | None:
    """A term of a result as the data's: its own blank node, and a typed literal in its own spelling."""
    if term is None:
        return None
    node = to_rdflib(term)
    if isinstance(node, BNode):
        return blanks.get(term.value, node)
    if isinstance(node, Literal) and node.datatype is not None:
        return blanks.original(node)
    return node


def _fill(text: str, row: dict) -> str:
    for name, value in row.items():
        if value is not None:
            shown = str(value)
            text = text.replace(f"{{?{name}}}", shown).replace(f"{{${name}}}", shown)
    return text


def run_checks(store: ox.Store, blanks: StoreTerms, checks: Iterable[Check]):
    """Every check's results, as `ValidationResult`s, in the order of the checks."""
    checks = list(checks)
    reached: dict[Focus, Counter] = {}
    for focus in dict.fromkeys(c.focus for c in checks if c.focus):
        _find_focus(store, focus, reached)
    # Oxigraph evaluates a query without Python's lock: checks on every core (2.2× on two at 10k victims)
    with ThreadPoolExecutor(os.cpu_count()) as pool:
        found = pool.map(lambda check: _check_results(store, blanks, check), checks)
        return _once_per_reach(checks, found, {f: _rdflib_counts(c, blanks) for f, c in reached.items()})


def _find_focus(store: ox.Store, focus: Focus, reached: dict) -> Counter | None:
    """Write a focus group's nodes; for a group with parents, count how many times each is reached (None
    for a group without: each of its nodes is reached once)."""
    if focus in reached:
        return reached[focus]
    if not focus.parents:
        if focus.select:
            store.update(focus.insert)
        reached[focus] = None
        return None
    rows = store.query(focus.select) if focus.select else []
    counts = Counter(row[0] for row in rows)
    for parent, path in focus.parents:
        times = _reach_counts(store, parent, reached)
        if path is None:  # a node shape's focus nodes are its value nodes
            counts.update(times)
            continue
        parent_focus = parent.pattern.replace("?this", "?focus")
        pairs = f"SELECT DISTINCT ?focus ?this WHERE {{ {parent_focus} ?focus {path} ?this }}"
        for row in store.query(pairs):
            counts[row[1]] += times[row[0]]
    _write_focus(store, focus, counts)
    reached[focus] = counts
    return counts


def _reach_counts(store: ox.Store, focus: Focus, reached: dict) -> Counter:
    counts = _find_focus(store, focus, reached)
    if counts is None:
        counts = Counter(row[0] for row in store.query(f"SELECT ?this WHERE {{ {focus.pattern} }}"))
    return counts


def _once_per_reach(checks: list[Check], found: Iterable[list], reached: dict) -> list:
    """Each check's results, each once per reach of its focus node (see Focus). A focus node in two groups of
    its shape (see _focuses) gives one constraint's result once, but two constraints of one shape that fail
    alike (sh:class ex:A and sh:class ex:B on a node of neither) give two results."""
    results, seen = [], set()
    for check, check_results in zip(checks, found, strict=True):
        counts = reached.get(check.focus)
        for result in check_results:
            if (key := (check.shape, check.constraint, result)) not in seen:
                seen.add(key)
                results += [result] * (counts[result.focus_node] if counts else 1)
    return results


def _rdflib_counts(counts: Counter | None, blanks: StoreTerms) -> Counter | None:
    return None if counts is None else Counter({_from_ox(node, blanks): n for node, n in counts.items()})


def _check_results(store: ox.Store, blanks: StoreTerms, check: Check) -> list:
    """One check's results: its rows grouped into one result per focus node, value and (for a SPARQL
    constraint) path and message."""
    names, solutions = _solutions(store, check.query)
    grouped: dict[tuple, set] = {}
    for solution in solutions:
        row = {name: _from_ox(solution[name], blanks) for name in names}
        grouped.setdefault(_row_key(check, row), set()).add(row.get("p"))
    results = []
    for (focus, value, path, filled), held in grouped.items():
        if not check.sparql:
            held.discard(None)
            path = next(iter(held)) if check.alternatives and len(held) == 1 else check.path
            messages = dict(check.messages)
        else:
            messages = dict(filled)
        results.append(ValidationResult(
            severity=Severity(check.severity), focus_node=focus, path=path, value=value,
            message=messages.get("en", ""), source_shape=check.shape, record=focus,
            message_ko=messages.get("ko", ""), constraint_component=check.component))
    return results


def _solutions(store: ox.Store, query: str) -> tuple[list[str], list]:
    """A query's variables and solutions. pyoxigraph's results must be dropped on the thread that made them:
    read here, they are, even when rdflib logs an ill-formed literal read from them with a traceback that
    keeps the reading frame alive."""
    rows = store.query(query)
    return [v.value for v in rows.variables], list(rows)


def _row_key(check: Check, row: dict) -> tuple:
    """What makes a row a result of its own: focus node and value, and for a SPARQL constraint its path and
    filled-in messages (the rows of one focus node and value that differ only in ?p are one result)."""
    focus, value = row.get("this"), row.get("value")
    if check.sparql:
        if value is None and check.path is None:
            value = focus
        messages = {lang: _fill(text, row) for lang, text in check.messages}
        return focus, value, row.get("path") or check.path, tuple(sorted(messages.items()))
    if value is None and check.path is None and check.component not in (
            SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent, SH.HasValueConstraintComponent):
        value = focus
    return focus, value, None, ()


def validate_triples(parts: Iterable[Iterable[tuple]], shapes: tuple[URIRef, ...],
                     converted: Iterable[bytes] | None = None):
    """The results of the shapes over the triples of `parts` (the data first, then any context, and the
    ontology facts the shapes read): the SPARQL engine's counterpart of pyshacl_engine.shacl_results. With
    `converted`, the data's triples already serialised as N-Quads lines (the build's), the data is loaded from them
    and its triples are only read back for a typed literal's spelling and a listing's record."""
    parts = [list(p) for p in parts]
    with collector_paused():  # no cycles in the terms and quads it makes (see collector.py)
        if converted is not None:
            store, blanks = load_store(*parts[1:], converted=converted)
            blanks.add_terms(t for triple in parts[0] for t in triple)
        else:
            store, blanks = load_store(*parts)
        results = run_checks(store, blanks, compile_shapes(tuple(shapes)))
    # as pyshacl_engine does: the record a listing belongs to, read from the first part (the data) only
    listing_of = _listing_of(parts[0] if parts else [], {r.focus_node for r in results})
    return [replace(r, record=listing_of.get(r.focus_node, r.record)) for r in results]


def _listing_of(triples: list[tuple], focus_nodes: set[Node]) -> dict[Node, Node]:
    """{listing: its victim} for the listings among `focus_nodes`. str.__eq__ compares a predicate as text:
    rdflib's own == is Python code, and this loop visits every triple (3M at 100k victims)."""
    if not focus_nodes:
        return {}
    listing_of = str(FP.listingOf)
    return {s: o for s, p, o in triples if str.__eq__(p, listing_of) and s in focus_nodes}
