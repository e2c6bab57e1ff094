"""The RDF Data Cube Recommendation's integrity constraints IC-1 … IC-21 (W3C, 2014, section 11), run on the
built graph after the Recommendation's normalization algorithm, as a statistics tool reading our figures
would (issue 18). Each query here is written for this project from the Recommendation's text; each selects
what breaks its constraint, so the test can say which observation fails which constraint. A small cube of
our own proves that every constraint does fire when broken."""

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, Namespace
from rdflib.namespace import QB

from footprints_graph import resources
from support.dumps import dump_graph

PREFIXES = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
PREFIX qb:   <http://purl.org/linked-data/cube#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
"""

# The normalization algorithm: phase 1 closes types and the qb:componentProperty shortcut, phase 2 pushes
# values attached at data set or slice level (and a slice's dimension values) down to the observations.
NORMALIZATION = """
INSERT { ?o a qb:Observation } WHERE { [] qb:observation ?o } ;
INSERT { ?o a qb:Observation } WHERE { ?o qb:dataSet [] } ;
INSERT { ?s a qb:Slice } WHERE { [] qb:slice ?s } ;
INSERT { ?cs qb:componentProperty ?p . ?p a qb:DimensionProperty } WHERE { ?cs qb:dimension ?p } ;
INSERT { ?cs qb:componentProperty ?p . ?p a qb:MeasureProperty } WHERE { ?cs qb:measure ?p } ;
INSERT { ?cs qb:componentProperty ?p . ?p a qb:AttributeProperty } WHERE { ?cs qb:attribute ?p } ;
INSERT { ?obs ?comp ?value } WHERE {
  ?spec qb:componentProperty ?comp ; qb:componentAttachment qb:DataSet .
  ?dataset qb:structure/qb:component ?spec ; ?comp ?value . ?obs qb:dataSet ?dataset } ;
INSERT { ?obs ?comp ?value } WHERE {
  ?spec qb:componentProperty ?comp ; qb:componentAttachment qb:Slice .
  ?dataset qb:structure/qb:component ?spec ; qb:slice ?slice . ?slice ?comp ?value ; qb:observation ?obs } ;
INSERT { ?obs ?comp ?value } WHERE {
  ?spec qb:componentProperty ?comp . ?comp a qb:DimensionProperty .
  ?dataset qb:structure/qb:component ?spec ; qb:slice ?slice . ?slice ?comp ?value ; qb:observation ?obs } ;
INSERT { ?obs ?comp ?value } WHERE {
  ?spec qb:componentProperty ?comp ; qb:componentAttachment qb:MeasureProperty .
  ?dataset qb:structure/qb:component ?spec . ?obs qb:dataSet ?dataset ; qb:measureType ?measure .
  ?measure ?comp ?value }
"""

OBSERVATION_STRUCTURE = "?obs qb:dataSet/qb:structure ?dsd ."

# Each constraint as the things that break it.
CONSTRAINTS = {
    "IC-1 unique data set": """SELECT ?obs WHERE { ?obs a qb:Observation .
        { FILTER NOT EXISTS { ?obs qb:dataSet [] } } UNION { ?obs qb:dataSet ?a, ?b FILTER(?a != ?b) } }""",
    "IC-2 unique structure": """SELECT ?ds WHERE { ?ds a qb:DataSet .
        { FILTER NOT EXISTS { ?ds qb:structure ?dsd . ?dsd a qb:DataStructureDefinition } }
        UNION { ?ds qb:structure ?a, ?b FILTER(?a != ?b) } }""",
    "IC-3 structure has a measure": """SELECT ?dsd WHERE { ?dsd a qb:DataStructureDefinition
        FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty [ a qb:MeasureProperty ] } }""",
    "IC-4 dimensions have a range": """SELECT ?dim WHERE { ?dim a qb:DimensionProperty
        FILTER NOT EXISTS { ?dim rdfs:range [] } }""",
    "IC-5 coded dimensions have a code list": """SELECT ?dim WHERE { ?dim a qb:DimensionProperty ;
        rdfs:range skos:Concept FILTER NOT EXISTS { ?dim qb:codeList [] } }""",
    "IC-6 only attributes are optional": """SELECT ?dsd ?p WHERE { ?dsd qb:component ?cs .
        ?cs qb:componentProperty ?p ; qb:componentRequired "false"^^xsd:boolean
        FILTER NOT EXISTS { ?p a qb:AttributeProperty } }""",
    "IC-7 slice keys belong to a structure": """SELECT ?key WHERE { ?key a qb:SliceKey
        FILTER NOT EXISTS { [ a qb:DataStructureDefinition ] qb:sliceKey ?key } }""",
    "IC-8 slice keys use the structure's components": """SELECT ?key ?p WHERE { ?key a qb:SliceKey ;
        qb:componentProperty ?p . ?dsd qb:sliceKey ?key
        FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty ?p } }""",
    "IC-9 unique slice structure": """SELECT ?slice WHERE { ?slice a qb:Slice .
        { FILTER NOT EXISTS { ?slice qb:sliceStructure [] } }
        UNION { ?slice qb:sliceStructure ?a, ?b FILTER(?a != ?b) } }""",
    "IC-10 slice dimensions complete": """SELECT ?slice ?dim WHERE {
        ?slice qb:sliceStructure/qb:componentProperty ?dim FILTER NOT EXISTS { ?slice ?dim [] } }""",
    "IC-11 all dimensions present": """SELECT ?obs ?dim WHERE { """ + OBSERVATION_STRUCTURE + """
        ?dsd qb:component/qb:componentProperty ?dim . ?dim a qb:DimensionProperty
        FILTER NOT EXISTS { ?obs ?dim [] } }""",
    # sameTerm, not =: two values a tool cannot order (a gYear and a date) still tell observations apart.
    "IC-12 no duplicate observations": """SELECT ?obs1 ?obs2 WHERE {
        ?obs1 qb:dataSet ?ds . ?obs2 qb:dataSet ?ds . FILTER(STR(?obs1) < STR(?obs2))
        FILTER NOT EXISTS { ?ds qb:structure/qb:component/qb:componentProperty ?dim .
          ?dim a qb:DimensionProperty . ?obs1 ?dim ?v1 .
          FILTER NOT EXISTS { ?obs2 ?dim ?v2 FILTER(sameTerm(?v1, ?v2)) } } }""",
    "IC-13 required attributes present": """SELECT ?obs ?attr WHERE { """ + OBSERVATION_STRUCTURE + """
        ?dsd qb:component ?cs . ?cs qb:componentProperty ?attr ; qb:componentRequired "true"^^xsd:boolean .
        ?attr a qb:AttributeProperty FILTER NOT EXISTS { ?obs ?attr [] } }""",
    "IC-14 all measures present": """SELECT ?obs ?measure WHERE { """ + OBSERVATION_STRUCTURE + """
        FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty qb:measureType }
        ?dsd qb:component/qb:componentProperty ?measure . ?measure a qb:MeasureProperty
        FILTER NOT EXISTS { ?obs ?measure [] } }""",
    "IC-15 measure dimension consistent": """SELECT ?obs WHERE { """ + OBSERVATION_STRUCTURE + """
        ?obs qb:measureType ?measure . ?dsd qb:component/qb:componentProperty qb:measureType
        FILTER NOT EXISTS { ?obs ?measure [] } }""",
    "IC-16 single measure on a measure-dimension observation": """SELECT ?obs ?other WHERE {
        """ + OBSERVATION_STRUCTURE + """ ?obs qb:measureType ?measure ; ?other [] .
        ?dsd qb:component/qb:componentProperty qb:measureType , ?other . ?other a qb:MeasureProperty
        FILTER(?other != ?measure) }""",
    "IC-17 all measures present in a measure-dimension cube": """SELECT ?obs ?measure WHERE {
        ?obs qb:dataSet ?ds ; qb:measureType [] . ?ds qb:structure ?dsd .
        ?dsd qb:component/qb:componentProperty ?measure . ?measure a qb:MeasureProperty
        FILTER NOT EXISTS { ?other qb:dataSet ?ds ; qb:measureType ?measure
          FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty ?dim . ?dim a qb:DimensionProperty .
            FILTER(?dim != qb:measureType) ?obs ?dim ?value FILTER NOT EXISTS { ?other ?dim ?value } } } }""",
    "IC-18 consistent data set links": """SELECT ?obs WHERE { ?ds qb:slice/qb:observation ?obs
        FILTER NOT EXISTS { ?obs qb:dataSet ?ds } }""",
    "IC-19 codes from the code list": """SELECT ?obs ?dim ?value WHERE { """ + OBSERVATION_STRUCTURE + """
        ?dsd qb:component/qb:componentProperty ?dim . ?dim a qb:DimensionProperty ; qb:codeList ?list .
        ?obs ?dim ?value .
        { ?list a skos:ConceptScheme FILTER NOT EXISTS { ?value a skos:Concept ; skos:inScheme ?list } }
        UNION { ?list a skos:Collection FILTER NOT EXISTS { ?value a skos:Concept . ?list skos:member+ ?value } } }""",
}

# IC-20 and IC-21 walk a hierarchical code list along its own parent-child property (IC-21: the inverse of
# one), which SPARQL cannot take from a variable: the Recommendation instantiates the query once per
# property, and so do we.
HIERARCHY_CONSTRAINTS = {
    "IC-20 codes reachable from the hierarchy's root": ("?list qb:parentChildProperty ?pcp FILTER(isIRI(?pcp))", "PCP*"),
    "IC-21 codes reachable from the hierarchy's root (inverse)": ("?list qb:parentChildProperty [ owl:inverseOf ?pcp ]",
                                                                  "^PCP*"),
}
HIERARCHIES = "SELECT DISTINCT ?pcp WHERE { ?list a qb:HierarchicalCodeList . PATTERN }"
HIERARCHY_QUERY = """SELECT ?obs ?dim ?value WHERE { VALUES ?pcp { PCP } """ + OBSERVATION_STRUCTURE + """
    ?dsd qb:component/qb:componentProperty ?dim . ?dim a qb:DimensionProperty ; qb:codeList ?list .
    ?list a qb:HierarchicalCodeList . PATTERN . ?obs ?dim ?value
    FILTER NOT EXISTS { ?list qb:hierarchyRoot/PATH ?value } }"""

# Not one of the 21, but what a tool driven by the structure needs as well: every component an observation
# uses is declared by its structure, or the tool never shows it.
UNDECLARED_COMPONENTS = """SELECT ?obs ?p WHERE { """ + OBSERVATION_STRUCTURE + """ ?obs ?p [] .
    { ?p a qb:DimensionProperty } UNION { ?p a qb:MeasureProperty } UNION { ?p a qb:AttributeProperty }
    FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty ?p } }"""


def normalized(graph: Graph) -> Graph:
    graph.update(PREFIXES + NORMALIZATION)
    return graph


def violations(graph: Graph) -> dict[str, list[tuple]]:
    """Constraint name → the rows that break it, for every constraint some row breaks."""
    found = {name: list(graph.query(PREFIXES + query)) for name, query in CONSTRAINTS.items()}
    found["every component used is declared"] = list(graph.query(PREFIXES + UNDECLARED_COMPONENTS))
    for name, (pattern, path) in HIERARCHY_CONSTRAINTS.items():
        for (pcp,) in graph.query(PREFIXES + HIERARCHIES.replace("PATTERN", pattern)):
            query = HIERARCHY_QUERY.replace("PATTERN", pattern).replace("PATH", path).replace("PCP", pcp.n3())
            found[name] = found.get(name, []) + list(graph.query(PREFIXES + query))
    return {name: rows for name, rows in found.items() if rows}


@pytest.fixture(scope="module")
def built_cube(built_release) -> Graph:
    """The published figures as a tool reads them: every named graph of the dump, with the ontology that
    declares the structures, normalized."""
    graph = dump_graph(built_release) + resources.ontology_graph()
    return normalized(graph)


def test_the_published_figures_pass_every_integrity_constraint(built_cube):
    assert len(set(built_cube.subjects(RDF.type, QB.Observation))) >= 50, "the dump holds the figures"
    assert violations(built_cube) == {}


# A cube of our own, valid, for the test that each constraint fires.
EX = Namespace("https://example.org/cube/")


def small_cube() -> Graph:
    graph = Graph()
    dsd, scheme = EX.structure, EX.colours
    graph.add((dsd, RDF.type, QB.DataStructureDefinition))
    for predicate, component in ((QB.dimension, EX.colour), (QB.dimension, EX.year), (QB.measure, EX.persons),
                                 (QB.attribute, EX.note)):
        spec = BNode()
        graph.add((dsd, QB.component, spec))
        graph.add((spec, predicate, component))
    graph.add((EX.colour, RDFS.range, SKOS.Concept))
    graph.add((EX.colour, QB.codeList, scheme))
    graph.add((EX.year, RDFS.range, XSD.gYear))
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for colour in (EX.red, EX.blue):
        graph.add((colour, RDF.type, SKOS.Concept))
        graph.add((colour, SKOS.inScheme, scheme))
    graph.add((EX.data, RDF.type, QB.DataSet))
    graph.add((EX.data, QB.structure, dsd))
    for name, colour, count in (("o1", EX.red, 3), ("o2", EX.blue, 4)):
        graph.add((EX[name], QB.dataSet, EX.data))
        graph.add((EX[name], EX.colour, colour))
        graph.add((EX[name], EX.year, Literal("2020", datatype=XSD.gYear)))
        graph.add((EX[name], EX.persons, Literal(count)))
    return graph


def required(graph: Graph, component) -> None:
    spec = next(s for s in graph.objects(EX.structure, QB.component) if (s, None, component) in graph)
    graph.add((spec, QB.componentRequired, Literal(True)))


def optional_dimension(graph: Graph) -> None:
    spec = next(s for s in graph.objects(EX.structure, QB.component) if (s, None, EX.year) in graph)
    graph.add((spec, QB.componentRequired, Literal(False)))


def with_slice(graph: Graph, *, key_declared=True, key_component=EX.year, structure=True, value=True,
               observation_in_dataset=True) -> None:
    graph.add((EX.key, RDF.type, QB.SliceKey))
    graph.add((EX.key, QB.componentProperty, key_component))
    if key_declared:
        graph.add((EX.structure, QB.sliceKey, EX.key))
    graph.add((EX.data, QB.slice, EX.slice))
    if structure:
        graph.add((EX.slice, QB.sliceStructure, EX.key))
    if value:
        graph.add((EX.slice, EX.year, Literal("2020", datatype=XSD.gYear)))
    graph.add((EX.slice, QB.observation, EX.o3 if not observation_in_dataset else EX.o1))


def measure_dimension(graph: Graph, *, second_value=False, both_measures=True) -> None:
    spec = BNode()
    graph.add((EX.structure, QB.component, spec))
    graph.add((spec, QB.dimension, QB.measureType))
    graph.add((QB.measureType, RDFS.range, QB.MeasureProperty))
    spec = BNode()
    graph.add((EX.structure, QB.component, spec))
    graph.add((spec, QB.measure, EX.weight))
    graph.add((EX.o1, QB.measureType, EX.weight))
    graph.add((EX.o2, QB.measureType, EX.persons))
    graph.remove((EX.o1, EX.persons, None))
    if not both_measures:
        graph.remove((EX.o2, QB.measureType, None))
        graph.add((EX.o2, QB.measureType, EX.weight))
        graph.add((EX.o2, EX.weight, Literal(9)))
    if second_value:
        graph.add((EX.o1, EX.weight, Literal(5)))
        graph.add((EX.o1, EX.persons, Literal(5)))


def hierarchy(graph: Graph, inverse: bool) -> None:
    graph.remove((EX.colour, QB.codeList, None))
    graph.add((EX.colour, QB.codeList, EX.tree))
    graph.add((EX.tree, RDF.type, QB.HierarchicalCodeList))
    graph.add((EX.tree, QB.hierarchyRoot, EX.red))
    if inverse:
        inverse_of_broader = BNode()
        graph.add((EX.tree, QB.parentChildProperty, inverse_of_broader))
        graph.add((inverse_of_broader, OWL.inverseOf, EX.broader))
        graph.add((EX.blue, EX.broader, EX.purple))  # blue's parent is purple, not the root red
    else:
        graph.add((EX.tree, QB.parentChildProperty, EX.narrower))  # the root red has no children


BREAKAGES = {
    "IC-1 unique data set": lambda g: g.add((EX.o1, QB.dataSet, EX.other)),
    "IC-2 unique structure": lambda g: g.remove((EX.data, QB.structure, None)),
    "IC-3 structure has a measure": lambda g: g.remove((None, QB.measure, EX.persons)),
    "IC-4 dimensions have a range": lambda g: g.remove((EX.year, RDFS.range, None)),
    "IC-5 coded dimensions have a code list": lambda g: g.remove((EX.colour, QB.codeList, None)),
    "IC-6 only attributes are optional": optional_dimension,
    "IC-7 slice keys belong to a structure": lambda g: with_slice(g, key_declared=False),
    "IC-8 slice keys use the structure's components": lambda g: with_slice(g, key_component=EX.size),
    "IC-9 unique slice structure": lambda g: with_slice(g, structure=False),
    "IC-10 slice dimensions complete": lambda g: with_slice(g, value=False),
    "IC-11 all dimensions present": lambda g: g.remove((EX.o1, EX.year, None)),
    "IC-12 no duplicate observations": lambda g: (g.remove((EX.o2, EX.colour, None)), g.add((EX.o2, EX.colour, EX.red))),
    "IC-13 required attributes present": lambda g: required(g, EX.note),
    "IC-14 all measures present": lambda g: g.remove((EX.o1, EX.persons, None)),
    "IC-15 measure dimension consistent": lambda g: (measure_dimension(g), g.remove((EX.o2, EX.persons, None))),
    "IC-16 single measure on a measure-dimension observation": lambda g: measure_dimension(g, second_value=True),
    "IC-17 all measures present in a measure-dimension cube": lambda g: measure_dimension(g, both_measures=False),
    "IC-18 consistent data set links": lambda g: with_slice(g, observation_in_dataset=False),
    "IC-19 codes from the code list": lambda g: g.remove((EX.blue, SKOS.inScheme, None)),
    "IC-20 codes reachable from the hierarchy's root": lambda g: hierarchy(g, inverse=False),
    "IC-21 codes reachable from the hierarchy's root (inverse)": lambda g: hierarchy(g, inverse=True),
    "every component used is declared": lambda g: (g.add((EX.flag, RDF.type, QB.AttributeProperty)),
                                                   g.add((EX.o1, EX.flag, Literal("x")))),
}


def test_the_small_cube_is_valid():
    assert violations(normalized(small_cube())) == {}


@pytest.mark.slow  # 21 normalizations of a cube: the checks' own test (the published figures are checked fast)
@pytest.mark.parametrize("constraint", BREAKAGES)
def test_each_constraint_fires_when_broken(constraint):
    graph = small_cube()
    BREAKAGES[constraint](graph)
    assert constraint in violations(normalized(graph))


def test_every_constraint_of_the_recommendation_is_checked():
    checked = {name.split()[0] for name in [*CONSTRAINTS, *HIERARCHY_CONSTRAINTS]}
    assert checked == {f"IC-{n}" for n in range(1, 22)}
    assert set(BREAKAGES) == {*CONSTRAINTS, *HIERARCHY_CONSTRAINTS, "every component used is declared"}
