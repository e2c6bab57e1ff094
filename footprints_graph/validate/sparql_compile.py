"""The SPARQL engine's compiler: the shapes graph as one SPARQL SELECT per constraint (a `Check`), each with
the focus nodes it reads; sparql_engine.py runs them.

Supported: targets sh:targetClass (and shapes that are classes), sh:targetSubjectsOf, sh:targetObjectsOf,
sh:targetNode (literals too) and SPARQL targets (sh:target, SHACL-AF); paths: predicate, inverse, sequence,
alternative, zero-or-more, one-or-more, zero-or-one; constraints sh:minCount, sh:maxCount, sh:datatype, sh:in,
sh:class, sh:nodeKind, sh:pattern, sh:minInclusive, sh:maxInclusive, sh:minExclusive, sh:maxExclusive,
sh:languageIn, sh:hasValue, sh:lessThanOrEquals, sh:or (of shapes made of the value constraints), sh:sparql;
sh:property at any depth (a property shape's property shapes run on its value nodes), sh:deactivated, and
the severities sh:Violation, sh:Warning and sh:Info. Any other construct in sh: (sh:node, sh:not, sh:and,
sh:xone, sh:closed, sh:uniqueLang, sh:minLength, sh:equals, sh:qualifiedValueShape, a severity of one's own,
a recursive shape…) raises `UnsupportedConstraint` when the shapes are compiled, naming the shape: nothing is
skipped silently. On the 63 cases of the W3C SHACL Core test suite it accepts, it reports what pySHACL does
(scripts/shacl_w3c_agreement.py, docs/validation.md).
"""

import hashlib
import json
from dataclasses import dataclass
from functools import cache

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from footprints_graph.errors import UnsupportedConstraint
from footprints_graph.resources import shapes_graph

RDFS_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

# what a shape may say that is not a constraint
DESCRIPTIVE = {RDF.type, SH.name, SH.description, SH.message, SH.severity, SH.deactivated, SH.order, SH.group,
               SH.path, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target,
               SH.property, RDFS.comment, RDFS.label}

# the lexical forms of the datatypes the shapes name (an ill-formed literal breaks sh:datatype)
_TZ = "(Z|[+-][0-9]{2}:[0-9]{2})?"
LEXICAL = {
    XSD.date: f"^-?[0-9]{{4,}}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]){_TZ}$",
    XSD.gYearMonth: f"^-?[0-9]{{4,}}-(0[1-9]|1[0-2]){_TZ}$",
    XSD.gYear: f"^-?[0-9]{{4,}}{_TZ}$",
    XSD.boolean: "^(true|false|1|0)$",
    XSD.integer: "^[+-]?[0-9]+$",
    XSD.nonNegativeInteger: "^[+]?[0-9]+$|^-0+$",
    XSD.decimal: "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$",
}
ANY_LEXICAL = {XSD.string, XSD.anyURI, RDF.langString}


def _iri(term: Node) -> str:
    return f"<{term}>"


def _term(term: Node) -> str:
    """An rdflib term in SPARQL syntax."""
    if isinstance(term, URIRef):
        return _iri(term)
    if isinstance(term, Literal):
        text = json.dumps(str(term), ensure_ascii=False)
        if term.language:
            return f"{text}@{term.language}"
        return f"{text}^^<{term.datatype or XSD.string}>"
    raise UnsupportedConstraint(f"a blank node as a constraint's parameter ({term.n3()})")


@dataclass(frozen=True)
class Check:
    """One compiled constraint: its query (rows bind ?this, and ?value, ?p, ?path or other variables) and
    what a result of it says."""

    shape: Node
    query: str
    component: URIRef
    path: Node | None
    messages: tuple[tuple[str, str], ...]
    severity: URIRef
    alternatives: tuple[URIRef, ...] = ()  # an alternative path of IRIs: ?p says which one held the value
    sparql: bool = False
    focus: "Focus | None" = None  # the focus nodes the query reads in FOCUS_GRAPH, if any (see _focuses)
    constraint: tuple[Node, Node] | None = None  # its parameter and value: two constraints, two results


def _path(graph: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return _iri(path)
    if (path, RDF.first, None) in graph:
        return "(" + "/".join(_path(graph, p) for p in Collection(graph, path)) + ")"
    for predicate, form in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
                            (SH.zeroOrOnePath, "({})?")):
        if (inner := graph.value(path, predicate)) is not None:
            return "(" + form.format(_path(graph, inner)) + ")"
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        return "(" + "|".join(_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    raise UnsupportedConstraint(f"a property path this engine does not know ({path.n3()})")


def _prefixes(graph: Graph, node: Node) -> str:
    """The PREFIX lines of a SPARQL-based target or constraint (sh:prefixes → sh:declare)."""
    lines = []
    for ontology in graph.objects(node, SH.prefixes):
        for declaration in graph.objects(ontology, SH.declare):
            lines.append(f"PREFIX {graph.value(declaration, SH.prefix)}: <{graph.value(declaration, SH.namespace)}>")
    return "\n".join(sorted(set(lines)))


def _targets(graph: Graph, shape: Node) -> tuple[list[str], list[str]]:
    """The group patterns that bind ?this to a shape's focus nodes, and the prefixes they need."""
    patterns, prefixes = [], []
    classes = sorted(graph.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in graph:
        classes.append(shape)
    if len(classes) == 1:
        patterns.append(f"?this {RDF_TYPE}/{RDFS_SUBCLASS}* {_iri(classes[0])} .")
    elif classes:  # one pattern, so that each check runs once (a MINUS reads its right side once, not per class)
        patterns.append(f"?this {RDF_TYPE}/{RDFS_SUBCLASS}* ?target_class . "
                        f"VALUES ?target_class {{ {' '.join(map(_iri, classes))} }}")
    for predicate in graph.objects(shape, SH.targetSubjectsOf):
        patterns.append(f"?this {_iri(predicate)} ?target_o .")
    for predicate in graph.objects(shape, SH.targetObjectsOf):
        patterns.append(f"?target_s {_iri(predicate)} ?this .")
    for node in graph.objects(shape, SH.targetNode):
        patterns.append(f"VALUES ?this {{ {_term(node)} }}")
    for target in graph.objects(shape, SH.target):
        select = graph.value(target, SH.select)
        typed_otherwise = graph.value(target, RDF.type) is not None and (target, RDF.type, SH.SPARQLTarget) not in graph
        if select is None or typed_otherwise:
            raise UnsupportedConstraint(f"a target that is not a SPARQL target ({target.n3()}) on {shape.n3()}")
        patterns.append("{ " + str(select).replace("$this", "?this") + " }")
        prefixes.append(_prefixes(graph, target))
    return patterns, prefixes


FOCUS_GRAPH = "urn:footprints-graph:validation:focus"
FOCUS_MEMBER = "urn:footprints-graph:validation:member"
SELECT_TARGETS = "\nSELECT DISTINCT ?this WHERE "  # how a Focus's `select` begins, after its prefixes


@dataclass(frozen=True)
class Focus:
    """Focus nodes found before the checks that read them and written into FOCUS_GRAPH, as
    (mark, FOCUS_MEMBER, node): the node is the object, since a literal (sh:targetNode "x") cannot be a
    subject. `select` finds the shape's own targets; `parents` are the focus nodes of the shapes that hold
    it through sh:property, each with the parent's path (None for a node shape: its focus nodes are its value
    nodes). With parents, a node reached n times (two parents, or a value of two focus nodes of a property
    shape) is checked n times and its results reported n times, as pySHACL does and as the W3C suite's
    validation-reports/shared expects."""

    mark: str
    select: str | None
    parents: tuple[tuple["Focus", str | None], ...] = ()

    @property
    def pattern(self) -> str:
        return f"GRAPH <{FOCUS_GRAPH}> {{ <{self.mark}> <{FOCUS_MEMBER}> ?this }}"

    @property
    def insert(self) -> str:
        """The update that writes the nodes `select` finds, evaluated and written by the engine: read into Python
        and written back, the 500,000 focus nodes of 100k victims took seconds of Python's time."""
        prefixes, _, where = self.select.partition(SELECT_TARGETS)
        return f"{prefixes}\nINSERT {{ {self.pattern} }} WHERE {where}"


def _mark(text: str) -> str:
    return f"{FOCUS_GRAPH}:{hashlib.sha1(text.encode()).hexdigest()[:16]}"


def _union(patterns: list[str]) -> str:
    return " UNION ".join("{ " + p + " }" for p in patterns)


def _focuses(patterns: list[str], prefixes: str) -> list[tuple[Focus | None, str]]:
    """A shape's focus nodes, as one or more groups, each checked on its own (a node in two groups gives the
    same results twice, which run_checks drops): the Focus to write first, if any, and the pattern that
    reads the group. A triple pattern (a class or a predicate target) is read in place. SPARQL targets are
    found once for every check of the shape and written into a graph of their own: a subquery in each check
    would be evaluated again for every value (Oxigraph does not keep it). Writing every target, unions of a
    class and a predicate target too, took 38 of the 100 s of checking 100k victims."""
    inline = [p for p in patterns if not p.startswith(("{", "VALUES"))]
    written = [p for p in patterns if p not in inline]
    if not written:
        return [(None, p) for p in inline]
    focus = _targets_focus(written, prefixes)
    return [(None, p) for p in inline] + [(focus, focus.pattern)]


def _targets_focus(patterns: list[str], prefixes: str) -> Focus:
    union = _union(patterns)
    return Focus(_mark(union), f"{prefixes}{SELECT_TARGETS}{{ {union} }}")


def _value_condition(graph: Graph, shape: Node, parameter: URIRef, value: Node, var: str = "?value") -> str:
    """A SPARQL expression true when `var` meets one value constraint (an error counts as not meeting it)."""
    if parameter == SH.datatype:
        if value == RDF.langString:
            return f"(isLiteral({var}) && LANG({var}) != \"\")"
        check = f"(isLiteral({var}) && sameTerm(DATATYPE({var}), {_iri(value)}) && LANG({var}) = \"\""
        if value in LEXICAL:
            check += f" && REGEX(STR({var}), {json.dumps(LEXICAL[value])})"
        elif value not in ANY_LEXICAL:
            raise UnsupportedConstraint(f"sh:datatype {value.n3()} (no lexical check for it) on {shape.n3()}")
        return check + ")"
    if parameter == SH["in"]:
        members = list(Collection(graph, value))
        return "(" + (" || ".join(f"sameTerm({var}, {_term(m)})" for m in members) or "false") + ")"
    if parameter == SH["class"]:
        return f"EXISTS {{ {var} {RDF_TYPE}/{RDFS_SUBCLASS}* {_iri(value)} }}"
    if parameter == SH.nodeKind:
        kinds = {SH.IRI: f"isIRI({var})", SH.BlankNode: f"isBlank({var})", SH.Literal: f"isLiteral({var})",
                 SH.BlankNodeOrIRI: f"(isBlank({var}) || isIRI({var}))",
                 SH.BlankNodeOrLiteral: f"(isBlank({var}) || isLiteral({var}))",
                 SH.IRIOrLiteral: f"(isIRI({var}) || isLiteral({var}))"}
        return kinds[value]
    if parameter == SH.pattern:
        flags = graph.value(shape, SH.flags)
        args = json.dumps(str(value)) + (f", {json.dumps(str(flags))}" if flags is not None else "")
        return f"(!isBlank({var}) && REGEX(STR({var}), {args}))"
    comparisons = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
    if parameter in comparisons:
        return f"({var} {comparisons[parameter]} {_term(value)})"
    if parameter == SH.languageIn:
        tags = [str(t) for t in Collection(graph, value)]
        matches = " || ".join(f"langMatches(LANG({var}), {json.dumps(t)})" for t in tags) or "false"
        return f"(isLiteral({var}) && ({matches}))"
    if parameter == SH["or"]:
        members = []
        for member in Collection(graph, value):
            constraints = [(p, o) for p, o in graph.predicate_objects(member) if p not in DESCRIPTIVE]
            if (member, SH.path, None) in graph or not constraints:
                raise UnsupportedConstraint(f"sh:or member {member.n3()} of {shape.n3()} (only value constraints)")
            members.append("(" + " && ".join(f"COALESCE({_value_condition(graph, member, p, o, var)}, false)"
                                             for p, o in constraints) + ")")
        return "(" + " || ".join(members) + ")"
    raise UnsupportedConstraint(f"constraint component of {parameter.n3()} on {shape.n3()}")


VALUE_PARAMETERS = {SH.datatype: SH.DatatypeConstraintComponent, SH["in"]: SH.InConstraintComponent,
                    SH["class"]: SH.ClassConstraintComponent, SH.nodeKind: SH.NodeKindConstraintComponent,
                    SH.pattern: SH.PatternConstraintComponent, SH.minInclusive: SH.MinInclusiveConstraintComponent,
                    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
                    SH.minExclusive: SH.MinExclusiveConstraintComponent,
                    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
                    SH.languageIn: SH.LanguageInConstraintComponent, SH["or"]: SH.OrConstraintComponent}
IGNORED_PARAMETERS = {SH.flags}  # read with sh:pattern


def _messages(graph: Graph, *nodes: Node) -> tuple[tuple[str, str], ...]:
    for node in nodes:
        messages = tuple(sorted((m.language or "", str(m)) for m in graph.objects(node, SH.message)))
        if messages:
            return messages
    return ()


def _focus_checks(graph: Graph, shape: Node, head: str, focus_select: Focus | None, focus: str) -> list[Check]:
    """The checks of a shape's constraints on one group of its focus nodes."""
    severity = _severity(graph, shape)
    messages = _messages(graph, shape)
    path_node = graph.value(shape, SH.path)
    checks = []
    alternatives: tuple[URIRef, ...] = ()
    if path_node is None:
        values = "BIND (?this AS ?value)"
    else:
        sparql_path = _path(graph, path_node)
        members = graph.value(path_node, SH.alternativePath) if isinstance(path_node, BNode) else None
        if members is not None and all(isinstance(m, URIRef) for m in Collection(graph, members)):
            alternatives = tuple(Collection(graph, members))
            values = "VALUES ?p { " + " ".join(map(_iri, alternatives)) + " } ?this ?p ?value ."
        else:
            values = f"?this {sparql_path} ?value ."

    def check(query: str, component: URIRef, with_alternatives: bool = False) -> Check:
        return Check(shape, f"{head}\n{query}", component, path_node, messages, severity,
                     alternatives if with_alternatives else (), focus=focus_select, constraint=(parameter, value))

    for parameter, value in graph.predicate_objects(shape):
        if parameter in DESCRIPTIVE or parameter in IGNORED_PARAMETERS or _not_a_parameter(graph, parameter):
            continue
        if parameter == SH["class"]:
            # MINUS: Oxigraph finds the class's instances once (EXISTS in a FILTER walks the path per value)
            checks.append(check(f"SELECT ?this ?value ?p WHERE {{ {focus} {values} "
                                f"MINUS {{ ?value {RDF_TYPE}/{RDFS_SUBCLASS}* {_iri(value)} }} }}",
                                SH.ClassConstraintComponent, True))
        elif parameter in VALUE_PARAMETERS:
            condition = _value_condition(graph, shape, parameter, value)
            checks.append(check(f"SELECT ?this ?value ?p WHERE {{ {focus} {values} "
                                f"FILTER (!COALESCE({condition}, false)) }}", VALUE_PARAMETERS[parameter], True))
        elif parameter in (SH.minCount, SH.maxCount) and path_node is not None:
            compare = "<" if parameter == SH.minCount else ">"
            component = SH.MinCountConstraintComponent if parameter == SH.minCount else SH.MaxCountConstraintComponent
            if parameter == SH.minCount and int(value) == 1:
                # MINUS: Oxigraph answers it with one pass over the path (FILTER NOT EXISTS: one per node)
                query = f"SELECT ?this WHERE {{ {focus} MINUS {{ ?this {sparql_path} ?any }} }}"
            else:
                query = (f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?count) WHERE {{ {focus} "
                         f"OPTIONAL {{ ?this {sparql_path} ?value }} }} GROUP BY ?this }} "
                         f"FILTER (?count {compare} {int(value)}) }}")
            checks.append(check(query, component))
        elif parameter == SH.hasValue:
            where = (f"?this {sparql_path} {_term(value)} ." if path_node is not None
                     else f"VALUES ?this {{ {_term(value)} }}")
            checks.append(check(f"SELECT ?this WHERE {{ {focus} MINUS {{ {where} }} }}",
                                SH.HasValueConstraintComponent))
        elif parameter == SH.lessThanOrEquals and path_node is not None:
            checks.append(check(f"SELECT ?this ?value ?p WHERE {{ {focus} {values} ?this {_iri(value)} ?other . "
                                f"FILTER (!COALESCE(?value <= ?other, false)) }}",
                                SH.LessThanOrEqualsConstraintComponent, True))
        elif parameter == SH.sparql:
            checks.append(_sparql_check(graph, shape, value, focus, head, path_node, severity, focus_select))
        else:
            raise UnsupportedConstraint(f"constraint component of {parameter.n3()} on {shape.n3()}")
    return checks


def _sparql_check(graph: Graph, shape: Node, constraint: Node, focus: str, head: str, path_node: Node | None,
                  severity, focus_select: Focus | None) -> Check:
    select = graph.value(constraint, SH.select)
    if select is None or graph.value(constraint, SH.deactivated) == Literal(True):
        raise UnsupportedConstraint(f"a SPARQL constraint without sh:select ({constraint.n3()}) on {shape.n3()}")
    prefixes = "\n".join(p for p in (head, _prefixes(graph, constraint)) if p)
    inner = str(select).replace("$this", "?this")
    if path_node is not None:
        inner = inner.replace("$PATH", _path(graph, path_node))
    query = f"{prefixes}\nSELECT * WHERE {{ {focus} {{ {inner} }} }}"
    # pySHACL words a SPARQL constraint's results with the constraint's own sh:message only
    return Check(shape, query, SH.SPARQLConstraintComponent, path_node, _messages(graph, constraint), severity,
                 sparql=True, focus=focus_select, constraint=(SH.sparql, constraint))


SEVERITIES = (SH.Violation, SH.Warning, SH.Info)


def _severity(graph: Graph, shape: Node) -> URIRef:
    severity = graph.value(shape, SH.severity) or SH.Violation
    if severity not in SEVERITIES:  # validate.Severity, the report's, has these three only
        raise UnsupportedConstraint(f"sh:severity {severity.n3()} on {shape.n3()} (only sh:Violation, sh:Warning "
                                    "and sh:Info)")
    return severity


def _not_a_parameter(graph: Graph, predicate: Node) -> bool:
    """SHACL Core's parameters are all in sh:; any other predicate on a shape (rdfs:subClassOf on a shape that
    is also a class) says nothing to a validator, unless the shapes graph declares it a parameter of a
    constraint component of its own (SHACL-SPARQL), which is refused."""
    if str(predicate).startswith(str(SH)):
        return False
    return not any(graph.value(p, SH.path) == predicate for p in graph.objects(None, SH.parameter))


def _deactivated(graph: Graph, shape: Node) -> bool:
    return graph.value(shape, SH.deactivated) == Literal(True)


def _active_parents(graph: Graph, shapes: set[Node]) -> dict[Node, list[Node]]:
    """{shape: the active shapes that hold it through sh:property}, for every shape reached from `shapes`
    through sh:property at any depth (a property shape may hold property shapes too). A deactivated shape
    holds none: its property shapes do not run on its focus nodes."""
    parents: dict[Node, list[Node]] = {}
    seen, waiting = set(shapes), sorted(shapes, key=str)
    while waiting:
        parent = waiting.pop()
        if _deactivated(graph, parent):
            continue
        for child in sorted(graph.objects(parent, SH.property), key=str):
            parents.setdefault(child, []).append(parent)
            if child not in seen:
                seen.add(child)
                waiting.append(child)
    return parents


class _Shapes:
    """The shapes being compiled: each one's own targets and active parents, and how its focus nodes are
    found (see `counted`)."""

    def __init__(self, graph: Graph, shapes: tuple[Node, ...]):
        self.graph = graph
        self.parents = _active_parents(graph, set(shapes))
        self.names = sorted(set(shapes) | set(self.parents), key=str)
        self.targets = {shape: _targets(graph, shape) for shape in self.names}
        for shape in self.names:
            self._refuse_cycles(shape, ())

    def _refuse_cycles(self, shape: Node, held_by: tuple[Node, ...]) -> None:
        if shape in held_by:
            raise UnsupportedConstraint(f"a recursive shape ({shape.n3()} holds itself through sh:property)")
        for parent in self.parents.get(shape, []):
            self._refuse_cycles(parent, (*held_by, shape))

    def counted(self, shape: Node) -> bool:
        """Whether a focus node of `shape` may be reached more than once: it has more than one source of focus
        nodes (its own targets, each parent), or a property shape as parent (the values of two focus nodes
        may be one node), or a parent that is counted. A shape that is not counted runs on the patterns of
        its targets (its parent's, for a property shape of a node shape), read in place where they can be."""
        parents = self.parents.get(shape, [])
        sources = len(parents) + bool(self.targets[shape][0])
        return sources > 1 or any(self.graph.value(p, SH.path) is not None or self.counted(p)
                                  for p in parents)

    def patterns(self, shape: Node) -> tuple[list[str], list[str]]:
        """The target patterns of a shape that is not counted, and their prefixes."""
        patterns, prefixes = self.targets[shape]
        parents = self.parents.get(shape, [])
        return (patterns, prefixes) if patterns or not parents else self.patterns(parents[0])

    def focus(self, shape: Node) -> Focus:
        """The focus nodes of a counted shape (and of its parents), to be counted and written before its checks."""
        patterns, prefixes = self.targets[shape]
        select = _targets_focus(patterns, _head(prefixes)) if patterns else None
        parents = tuple((self.focus(p), self._path(p)) for p in self.parents.get(shape, []))
        text = repr((select, [(f.mark, path) for f, path in parents]))
        return Focus(_mark(text), select.select if select else None, parents)

    def _path(self, shape: Node) -> str | None:
        path = self.graph.value(shape, SH.path)
        return None if path is None else _path(self.graph, path)


def _head(prefixes: list[str]) -> str:
    return "\n".join(p for p in dict.fromkeys(prefixes) if p)


@cache
def compile_shapes(shapes: tuple[Node, ...], graph: Graph | None = None) -> tuple[Check, ...]:
    """One check per constraint of the shapes named in `shapes` (and of the property shapes they hold, at
    any depth), each with its focus nodes: its own targets and the focus or value nodes of the active shapes
    that hold it. A construct this engine does not check raises UnsupportedConstraint."""
    compiled = _Shapes(shapes_graph() if graph is None else graph, shapes)
    checks: list[Check] = []
    for shape in compiled.names:
        if _deactivated(compiled.graph, shape):
            continue
        checks += _shape_checks(compiled, shape)
    return tuple(checks)


def _shape_checks(compiled: _Shapes, shape: Node) -> list[Check]:
    graph = compiled.graph
    if compiled.counted(shape):
        focus = compiled.focus(shape)
        return _focus_checks(graph, shape, "", focus, focus.pattern)
    patterns, prefixes = compiled.patterns(shape)
    head = _head(prefixes)
    if not patterns:  # no focus nodes: its constraints must still be ones we know
        _focus_checks(graph, shape, head, None, "?this ?nothing ?nothing .")
        return []
    return [check for focus, pattern in _focuses(patterns, head)
            for check in _focus_checks(graph, shape, head, focus, pattern)]
