"""Releases as dataset versions (issue 8): release.json says which version follows which, what changed per
named graph, and the size and SHA-256 of every dump, as DCAT; the dumps stay byte-identical."""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, RDF, XSD

from footprints_graph.releases import description as release_description
from footprints_graph.releases.build import build
from footprints_graph.releases.description import (
    CONTRIBUTION,
    DESCRIPTION_FILE,
    changes,
    contributions,
    describe_release,
    release_iri,
)
from footprints_graph.store.embedded import DUMP_FORMATS
from support import ROOT

ID = "https://w3id.org/footprints-graph/id/"
SPDX = Namespace("http://spdx.org/rdf/terms#")
# The added person is made up ("Park Min-su" is a placeholder name), so a fictional association credits it and a
# fictional list is its source: test data never credits a real organisation or cites a real document.
NEW_ORGANISATION = ("example-families-association,Example Families' Association (a fictional organisation),,,"
                    "families-union,,,,example-family-list,\n")
NEW_DOCUMENT = ("example-family-list,\"Example families' association, list of abductees (not a real document)\",,,"
                "victim-list,example-families-association,,,https://example.org/abductee-list,,example-family-list,\n")
NEW_PERSON = ("example-park-min-su,Park Min-su,,post-war-abductee,example-families-association,example-family-list,false,"
              "Test record: a made-up person.\n")
NEW_EVENT = ("example-park-min-su-abduction,,abduction,example-park-min-su,,,1953-07-28,,category-definition,,,,,,,"
             "example-family-list,\n")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _drop_lines(path: Path, prefix: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(prefix)]
    assert len(kept) < len(lines)
    path.write_text("".join(kept), encoding="utf-8")


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory, copy_data) -> tuple[Path, Path]:
    """Release A from data/; release B after one person changed, one added (with the fictional association that
    credits it and its list) and one removed (with their acts)."""
    work = tmp_path_factory.mktemp("releases")
    data = copy_data(work)
    first = build(data, work / "home").release
    _edit(data / "people.csv", "ko-hyun-chul,Ko Hyun-chul,,", "ko-hyun-chul,Ko Hyun-chul,Go Hyeon-cheol,")
    for file, row in (("organisations.csv", NEW_ORGANISATION), ("documents.csv", NEW_DOCUMENT),
                      ("people.csv", NEW_PERSON), ("events.csv", NEW_EVENT)):
        (data / file).write_text((data / file).read_text(encoding="utf-8") + row, encoding="utf-8")
    _drop_lines(data / "people.csv", "kim-hui-jin,")
    _drop_lines(data / "events.csv", "kim-hui-jin-abduction,")
    second = build(data, work / "home").release
    return first, second


def description(release: Path) -> dict:
    return json.loads((release / DESCRIPTION_FILE).read_text(encoding="utf-8"))


def test_the_second_release_follows_the_first(two_releases):
    first, second = two_releases
    assert "previousVersion" not in description(first)
    assert description(second)["previousVersion"] == release_iri(first.name)
    assert description(second)["version"] == second.name


def test_the_change_summary_names_what_changed_per_graph(two_releases):
    graphs = description(two_releases[1])["changes"]["graphs"]
    people, events = graphs[ID + "graph/people"], graphs[ID + "graph/events"]
    assert people["added"] == {"count": 1, "records": [ID + "person/example-park-min-su"]}
    assert people["removed"] == {"count": 1, "records": [ID + "person/kim-hui-jin"]}
    assert people["changed"] == {"count": 1, "records": [ID + "person/ko-hyun-chul"]}
    assert events["removed"] == {"count": 1, "records": [ID + "event/kim-hui-jin-abduction"]}
    assert events["added"] == {"count": 1, "records": [ID + "event/example-park-min-su-abduction"]}
    assert events["changed"]["count"] == 0
    for kind, key in (("organisations", "organisation/example-families-association"),
                      ("documents", "document/example-family-list")):  # who credits the new person, and where
        assert graphs[ID + f"graph/{kind}"]["added"] == {"count": 1, "records": [ID + key]}
    # nothing else changed
    assert set(graphs) == {ID + f"graph/{kind}" for kind in ("people", "events", "organisations", "documents")}
    assert description(two_releases[1])["changes"]["totals"] == {"added": 4, "removed": 2, "changed": 1}


def test_the_first_release_adds_everything(two_releases):
    first = description(two_releases[0])
    summary = json.loads((two_releases[0] / "summary.json").read_text())
    for graph, counts in summary["graphs"].items():
        if counts["records"]:
            assert first["changes"]["graphs"][graph]["added"]["count"] == counts["records"], graph


def test_every_dump_has_its_size_and_checksum(two_releases):
    release = two_releases[1]
    distributions = {d["downloadURL"]: d for d in description(release)["distributions"]}
    assert set(distributions) == {f"dumps/{name}" for name in DUMP_FORMATS}
    for url, entry in distributions.items():
        data = (release / url).read_bytes()
        assert entry["byteSize"] == len(data)
        assert entry["checksum"]["checksumValue"] == hashlib.sha256(data).hexdigest()


def test_the_description_is_dcat_in_json_ld(two_releases):
    release = two_releases[1]
    graph = Graph().parse(data=(release / DESCRIPTION_FILE).read_text(), format="json-ld",
                          base=release.as_uri() + "/")
    dataset = URIRef(release_iri(release.name))
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert graph.value(dataset, DCAT.version) == Literal(release.name)
    distributions = list(graph.objects(dataset, DCAT.distribution))
    assert len(distributions) == len(DUMP_FORMATS)
    for distribution in distributions:
        assert graph.value(distribution, DCAT.downloadURL).startswith(release.as_uri() + "/dumps/")
        assert graph.value(distribution, DCAT.byteSize).datatype == XSD.nonNegativeInteger
        checksum = graph.value(distribution, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert len(str(graph.value(checksum, SPDX.checksumValue))) == 64


def test_the_time_is_only_in_release_json(two_releases, tmp_path):
    """The same records built elsewhere, later, give the same dumps byte for byte."""
    first = two_releases[0]
    again = build(ROOT / "data", tmp_path / "home").release
    assert again.name == first.name
    for name in DUMP_FORMATS:
        assert (again / "dumps" / name).read_bytes() == (first / "dumps" / name).read_bytes()
    assert json.loads((again / "summary.json").read_text()) == json.loads((first / "summary.json").read_text())


def test_a_rebuild_of_the_same_records_keeps_the_first_description(two_releases, tmp_path):
    home = tmp_path / "home"
    release = build(ROOT / "data", home).release
    written = (release / DESCRIPTION_FILE).read_text()
    build(ROOT / "data", home)
    assert (release / DESCRIPTION_FILE).read_text() == written


def test_describe_release_takes_the_time_it_is_given(two_releases):
    issued = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert describe_release(two_releases[1], two_releases[0], issued)["issued"] == "2026-11-29T12:00:00+00:00"


def test_changes_lists_at_most_a_hundred_records_but_counts_all():
    current = {"g": {f"r{i:04}": "x" for i in range(250)}}
    summary = changes(current, {})
    assert summary["graphs"]["g"]["added"]["count"] == 250 and len(summary["graphs"]["g"]["added"]["records"]) == 100


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
def test_contributions_are_counted_across_the_blocks_the_dump_is_read_in(tmp_path, monkeypatch, block):
    """A contribution's type line may straddle two blocks (counted once), and a dump's other lines do not count."""
    activity = "<https://example.org/contribution/{}> " + CONTRIBUTION + "<https://example.org/graph> .\n"
    other = "<https://example.org/p/{}> <http://www.w3.org/2000/01/rdf-schema#label> \"prov#Activity\" " \
            "<https://example.org/graph> .\n"
    lines = [(activity if n % 3 == 0 else other).format(n) for n in range(100)]
    (tmp_path / "dumps").mkdir()
    (tmp_path / "dumps" / "footprints.nq").write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(release_description, "BLOCK", block)
    assert contributions(tmp_path) == sum(CONTRIBUTION in line for line in lines) == 34
