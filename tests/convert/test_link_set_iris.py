"""Issue 19: a link set cannot publish a broken IRI. Every subject and object is an absolute IRI after CURIE
expansion with the set's own curie_map; a CURIE whose prefix the set does not declare (`exrach:FA-0004`,
`FA:0005`) has the form of an IRI of scheme 'exrach' and used to be published as `<exrach:FA-0004>`."""

from pathlib import Path

import pytest
from rdflib import OWL, SKOS

from footprints_graph.convert.linksets import LinkSetError, read_link_sets
from footprints_graph.convert.records import convert_tables
from support import ROOT

ID = "https://w3id.org/footprints-graph/id/"
SSSOM_HEADER = """# curie_map:
#   fpid: https://w3id.org/footprints-graph/id/
# mapping_set_id: https://archive.example.org/mappings/test.sssom.tsv
# license: https://creativecommons.org/licenses/by/4.0/
subject_id\tpredicate_id\tobject_id\tmapping_justification\tconfidence\tauthor_label\tmapping_date
"""
ROW = "fpid:person/kim-won-ho\tskos:exactMatch\t{object}\tsemapv:ManualMappingCuration\t0.8\tAn Archivist\t2026-03-01\n"
CSV_HEADER = "subject,predicate,object,author,date,confidence\n"


@pytest.fixture(scope="module")
def records():
    return convert_tables(ROOT / "data")


def problems_of(folder: Path, records) -> list[str]:
    with pytest.raises(LinkSetError) as error:
        read_link_sets(folder, records)
    return error.value.problems


@pytest.mark.parametrize("obj", ["exrach:FA-0004", "FA:0005"])
def test_an_object_with_an_undeclared_prefix_is_refused_with_file_and_line(tmp_path, records, obj):
    (tmp_path / "partner.sssom.tsv").write_text(SSSOM_HEADER + ROW.format(object=obj))
    prefix = obj.split(":")[0] + ":"
    assert problems_of(tmp_path, records) == [
        f"{tmp_path / 'partner.sssom.tsv'}:6: object {obj!r}: the prefix {prefix!r} is not declared in the curie_map "
        "(declared: fpid); declare it, or write the full IRI (https://…)"]


def test_a_subject_with_an_undeclared_prefix_says_so_not_only_that_it_is_unknown(tmp_path, records):
    row = ROW.format(object="https://archive.example.org/victims/9").replace("fpid:", "fp-id:")
    (tmp_path / "partner.sssom.tsv").write_text(SSSOM_HEADER + row)
    [problem] = problems_of(tmp_path, records)
    assert "subject 'fp-id:person/kim-won-ho': the prefix 'fp-id:' is not declared" in problem


def test_a_csv_link_set_has_no_curie_map_so_its_objects_are_full_iris(tmp_path, records):
    row = f"{ID}person/kim-won-ho,owl:sameAs,exrach:FA-0004,Someone,2026-03-01,\n"
    (tmp_path / "partner.csv").write_text(CSV_HEADER + row)
    [problem] = problems_of(tmp_path, records)
    assert problem.startswith(f"{tmp_path / 'partner.csv'}:2: object 'exrach:FA-0004': the prefix 'exrach:' is not "
                              "declared in the curie_map (declared: none)")


def test_nothing_of_a_set_with_one_broken_iri_is_read(tmp_path, records):
    rows = ROW.format(object="https://archive.example.org/victims/9") + ROW.format(object="exrach:FA-0004")
    (tmp_path / "partner.sssom.tsv").write_text(SSSOM_HEADER + rows)
    assert [p.split(": ")[0].rsplit(":", 1)[1] for p in problems_of(tmp_path, records)] == ["7"]


def test_a_declared_prefix_and_a_urn_give_absolute_iris(tmp_path, records):
    header = SSSOM_HEADER.replace("#   fpid:", "#   exrach: https://archive.example.org/victims/\n#   fpid:")
    urn = "urn:uuid:6f1c2a4e-0000-4000-8000-000000000005"
    (tmp_path / "partner.sssom.tsv").write_text(header + ROW.format(object="exrach:FA-0004") + ROW.format(object=urn))
    [link_set] = read_link_sets(tmp_path, records)
    objects = {str(o) for _s, p, o in link_set.triples if p in (SKOS.exactMatch, OWL.sameAs)}
    assert objects == {"https://archive.example.org/victims/FA-0004", urn}
