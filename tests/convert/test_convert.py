"""Cell values, keys and IRIs: the small rules every record goes through."""

import subprocess
import sys
import zipfile
from importlib.metadata import entry_points

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from footprints_graph.convert import values
from footprints_graph.convert.records import convert_tables
from footprints_graph.errors import RecordError
from footprints_graph.iris import KeyError_, mint, slug
from footprints_graph.records.tables import TableSpec, read_table
from support import ROOT


@pytest.mark.parametrize("text,datatype", [("1953", XSD.gYear), ("2013-10", XSD.gYearMonth), ("1950-06-25", XSD.date)])
def test_partial_dates_keep_their_precision(text, datatype):
    assert values.partial_date(text) == Literal(text, datatype=datatype)


@pytest.mark.parametrize("text", ["2013-02-30", "2013-00", "53", "1953/07/27", "27 July 1953", ""])
def test_impossible_or_malformed_dates_are_refused(text):
    with pytest.raises(ValueError):
        values.partial_date(text)


@pytest.mark.parametrize("text", ["-1", "1.5", "50,000", "121"])
def test_ages_are_whole_numbers_from_0_to_120(text):
    with pytest.raises(ValueError):
        values.age(text)


def test_names_are_tagged_hangul_or_romanized():
    assert values.personal_name("김정욱").language == "ko"
    assert values.personal_name("Kim Jung-wook").language == "ko-Latn"


def test_iris_are_a_function_of_kind_and_key_only():
    assert mint("person", "kim-jung-wook") == mint("person", "kim-jung-wook")
    assert str(mint("person", "kim-jung-wook")) == "https://w3id.org/footprints-graph/id/person/kim-jung-wook"
    assert slug("Kim Jung-Wook") == "kim-jung-wook"
    for bad in ("Kim", "kim jung", "kim--jung", "", "김정욱"):
        with pytest.raises(KeyError_):
            mint("person", bad)


def test_a_row_with_more_cells_than_the_header_is_refused_with_its_line(tmp_path):
    table = tmp_path / "findings.csv"
    table.write_text("key,about\nok,wartime-abductee\nbad,detainee,extra\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"findings.csv:3.*more cells"):
        list(read_table(table, TableSpec("findings", "key", ("about",))))


def test_the_wheel_ships_the_ontology_shapes_and_queries(tmp_path):
    # Built with the hatchling of the test extra, asking no package index: a test never reaches another host.
    offline = ["--no-build-isolation", "--no-deps", "--no-index"]
    subprocess.run([sys.executable, "-m", "pip", "wheel", *offline, "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    assert "footprints_graph/ontology/footprints.ttl" in names
    assert "footprints_graph/shapes/footprints-shapes.ttl" in names
    assert {n.split("/")[-1] for n in names if n.startswith("footprints_graph/ontology/")} >= {
        "vocabularies.ttl", "alignments.ttl", "external-terms.ttl"}


def test_every_console_script_target_imports():
    scripts = [ep for ep in entry_points(group="console_scripts") if ep.value.startswith("footprints_graph")]
    assert scripts
    for script in scripts:
        assert callable(script.load())


def test_a_quote_credited_to_two_sources_is_refused_with_its_line(data):
    """Issue 14: a statement belongs to the one source that says it; a document it cites is cited_source."""
    findings = data / "findings.csv"
    text = findings.read_text(encoding="utf-8")
    findings.write_text(text.replace("footprints-south-korean-victims,a-hrc-25-63",
                                     "footprints-south-korean-victims|a-hrc-25-63,"), encoding="utf-8")
    with pytest.raises(RecordError, match=r"findings.csv:2.*exactly one source.*cited_source"):
        convert_tables(data)
