"""Issue 19: VoID names each partner's dataset as the objects target of its linksets, when the link set's
SSSOM header names it (object_source); a set that does not name it gets no guessed target."""

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, VOID

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.releases.build import build
from footprints_graph.web import create_app

ROOT = Path(__file__).resolve().parents[3]
LINKS = ROOT / "tests" / "data" / "links"
ID = "https://w3id.org/footprints-graph/id/"
PARTNER_DATASET = "https://archive.example.org/victims/"


@pytest.fixture(scope="module")
def void(tmp_path_factory, copy_data) -> Graph:
    data = copy_data(tmp_path_factory.mktemp("linked"))
    (data / "links").mkdir(exist_ok=True)
    archive = (LINKS / "partner-archive.sssom.tsv").read_text(encoding="utf-8")
    named = archive.replace("# license:", f"# object_source: {PARTNER_DATASET}\n# license:", 1)
    (data / "links" / "partner-archive.sssom.tsv").write_text(named, encoding="utf-8")
    shutil.copy(LINKS / "partner-registry.csv", data / "links")
    home = tmp_path_factory.mktemp("home")
    build(data, home)
    answer = create_app(EndpointConfig(home=home)).test_client().get("/.well-known/void", headers={"Accept": "text/turtle"})
    return Graph().parse(data=answer.data, format="turtle")


def targets(void: Graph, link_set: str) -> set[str]:
    linksets = [ls for ls in void.subjects(DCTERMS.source, URIRef(ID + f"graph/links.{link_set}"))]
    assert linksets
    return {str(t) for ls in linksets for t in void.objects(ls, VOID.objectsTarget)}


def test_each_linkset_of_a_set_that_names_its_dataset_targets_it(void):
    assert targets(void, "partner-archive") == {PARTNER_DATASET}


def test_a_set_that_does_not_name_its_dataset_gets_no_guess(void):
    assert targets(void, "partner-registry") == set()
