"""iris.py's prefix table is the ontology's: every prefix an ontology file declares, with the same IRI, and no
other; the tables cut from it name only declared prefixes."""

import pytest
from rdflib import Graph

from footprints_graph.iris import DECLARED_PREFIXES, PREFIXES, prefixes
from footprints_graph.resources import resource, resource_names


def declared_in(name: str) -> dict[str, str]:
    """The prefixes one ontology file declares (no prefixes of rdflib's own)."""
    graph = Graph(bind_namespaces="none")
    graph.parse(data=resource("ontology", name).read_text(encoding="utf-8"), format="turtle")
    return {prefix: str(namespace) for prefix, namespace in graph.namespaces()}


def test_the_table_is_the_union_of_the_ontology_files_declarations():
    union: dict[str, str] = {}
    for name in resource_names("ontology", ".ttl"):
        for prefix, namespace in declared_in(name).items():
            assert union.setdefault(prefix, namespace) == namespace, f"{name} declares {prefix}: differently"
    assert union == DECLARED_PREFIXES


def test_the_datas_prefixes_are_cut_from_the_table_in_order():
    assert list(PREFIXES) == ["fp", "fpv", "rdf", "rdfs", "owl", "xsd", "skos", "dct", "qb", "prov", "schema"]
    assert all(DECLARED_PREFIXES[p] == iri for p, iri in PREFIXES.items())


def test_an_undeclared_prefix_is_a_key_error_naming_it():
    with pytest.raises(KeyError, match="'sh'"):
        prefixes("fp", "sh")
