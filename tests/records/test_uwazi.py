"""Uwazi exports (entity JSON, CSV export and import files) → RDF, on the Uwazi fixtures of tests/data/uwazi/
(a made-up FOOTPRINTS-style collection in Uwazi's export format; origin in tests/data/README.md)."""

import json
import re
import time
from dataclasses import replace
from decimal import Decimal

import pytest
from rdflib import RDF, RDFS, BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from footprints_graph.convert.uwazi import convert_uwazi, load_mapping
from footprints_graph.errors import RecordError
from footprints_graph.records.uwazi import (
    PROPERTY_TYPES,
    observed_thesauri,
    read_uwazi_csv,
    read_uwazi_json,
    read_uwazi_schema,
    shared_ids_by_title,
)
from footprints_graph.vocab import FP, FPV
from support import ROOT, TEST_DATA

UWAZI = TEST_DATA / "uwazi"
BASE = "https://w3id.org/footprints-graph/id/"
ID = Namespace(f"{BASE}uwazi/")
EX = Namespace("https://example.org/uwazi-fixture#")
SCHEMA = Namespace("https://schema.org/")
# sharedIds of the fixtures: entities.json, then search.json.
VICTIM, DOCUMENT, PLACE, FAMILIES, ARCHIVE = "a7k2vq9xw3", "d3n8r5tj1p", "p5h4t2b8wz", "o6f1a9c3md", "o8g2b7d4ne"
SEO, HEO, CAMP = "s2y9e4s1kq", "h8n3w6e1rt", "c1mp8x3ya"
TOPICS, SEX = "66a1c0de5f3b2a0012c0a003", "66a1c0de5f3b2a0012c0a002"  # thesaurus _ids in dictionaries.json
MALE = "7c1e4b2a-5d3f-4a8e-9b61-2f0d8c7a5e34"


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def schema():
    return read_uwazi_schema(UWAZI / "templates.json", UWAZI / "dictionaries.json")


@pytest.fixture(scope="module")
def mapping():
    return load_mapping(UWAZI / "mapping.toml")


@pytest.fixture(scope="module")
def sample(schema):
    return read_uwazi_json(UWAZI / "entities.json", schema)


@pytest.fixture(scope="module")
def search():
    return read_uwazi_json(UWAZI / "search.json", language="en")


@pytest.fixture(scope="module")
def doc_mapping():
    return load_mapping(UWAZI / "entity-doc-mapping.toml")


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    """The front end's entity as an exported one would be: it has a sharedId, and its link an absolute URL."""
    raw = json.loads((UWAZI / "entity-doc.json").read_text(encoding="utf-8"))
    raw["doc"].update(sharedId="yungasang", language="en", published=True)
    raw["doc"]["metadata"]["source"][0]["value"]["url"] = "https://archive.example.org/notes/42"
    path = tmp_path_factory.mktemp("doc") / "entity-doc.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return read_uwazi_json(path)


@pytest.fixture(params=["America/Lima", "Asia/Seoul"])
def local_time(request, monkeypatch):
    """Local time zones west and east of UTC: dates must not depend on them."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def triples(records):
    return {t for r in records for t in r.triples}


def record_of(records, shared_id):
    return next(r for r in records if r.subject.endswith(f".{shared_id}"))


def ntriples(records):
    return "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for r in records for s, p, o in r.triples)


def objects(found, subject, predicate):
    return {o for s, p, o in found if (s, p) == (subject, predicate)}


def converted_types(export, mapping):
    """The property types whose values add triples: each property is converted alone and compared with the
    entity converted without metadata."""
    types = set()
    for entity in export.entities:
        baseline = triples(convert_uwazi(replace(export, entities=(replace(entity, metadata={}),)), mapping))
        for name, values in entity.metadata.items():
            alone = replace(export, entities=(replace(entity, metadata={name: values}),))
            if triples(convert_uwazi(alone, mapping)) - baseline:
                types.add(entity.template.property(name).type)
    return types


def edited_json(tmp_path, source, edit):
    raw = json.loads((UWAZI / source).read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / source
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def edited_mapping(tmp_path, old, new):
    text = (UWAZI / "mapping.toml").read_text(encoding="utf-8")
    assert old in text  # the edit must change the mapping, or the test proves nothing
    (tmp_path / "m.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_mapping(tmp_path / "m.toml")


# ---------------------------------------------------------------- every file reads, every type converts


def test_every_fixture_file_reads(schema, sample, search, doc):
    assert len(schema.templates) == 4 and len(schema.thesauri) == 5
    assert [e.language for e in sample.entities[:3]] == ["en", "ko", "ja"]
    assert len(sample.entities) == 8 and len(search.entities) == 3
    # 19 properties in the file; the preview one holds no value.
    assert len(read_uwazi_json(UWAZI / "entity-doc.json").entities[0].metadata) == 18
    csv_export = read_uwazi_csv(UWAZI / "search.csv", search.schema, date_format="YYYY-MM-DD")
    assert [e.title for e in csv_export.entities] == ["Seo Ye-si", "Heo Gu", "Fictional Camp No. 7"]


def test_every_property_type_converts(sample, search, mapping, doc, doc_mapping):
    every_type = set(PROPERTY_TYPES) - {"preview"}
    assert converted_types(sample, mapping) == every_type
    assert converted_types(search, mapping) == every_type - {"markdown", "media", "multidaterange", "nested"}
    assert converted_types(doc, doc_mapping) == every_type - {"numeric", "generatedid"}
    assert (len(convert_uwazi(sample, mapping)), len(convert_uwazi(search, mapping))) == (5, 3)


# ---------------------------------------------------------------- what the collection's entities become


@pytest.fixture(scope="module")
def sample_triples(sample, mapping):
    return triples(convert_uwazi(sample, mapping))


def test_date_is_the_utc_day(sample, mapping, local_time):
    found = triples(convert_uwazi(sample, mapping))
    assert (ID[f"fixture.{DOCUMENT}"], DCTERMS.date, Literal("2001-06-15", datatype=XSD.date)) in found
    assert (ID[f"fixture.{VICTIM}"], SCHEMA.birthDate, Literal("1931-03-02", datatype=XSD.date)) in found


def test_multidaterange_keeps_start_end_pairs(sample_triples):
    victim = ID[f"fixture.{VICTIM}"]
    first, second = ID[f"fixture.{VICTIM}.detention-periods.1"], ID[f"fixture.{VICTIM}.detention-periods.2"]
    for term in (first, second):
        assert {(victim, EX.detention, term), (term, RDF.type, EX.Detention),
                (term, DCTERMS.source, URIRef("https://uwazi.example.org/"))} <= sample_triples
    assert objects(sample_triples, first, FP.startDate) == {Literal("1950-07-20", datatype=XSD.date)}
    assert objects(sample_triples, first, FP.endDate) == {Literal("1953-07-27", datatype=XSD.date)}
    assert objects(sample_triples, second, FP.startDate) == {Literal("1953-08-01", datatype=XSD.date)}
    assert objects(sample_triples, second, FP.endDate) == set()  # still open


def test_group_left_out_of_a_copy_comes_from_the_thesaurus(sample):
    english, korean = sample.entities[0], sample.entities[1]
    assert english.language == "en" and english.metadata["topics"][0].parent.id == "g1ab2cd3ef"
    assert english.metadata["topics"][0].parent.label == "Abduction"  # the thesaurus's own label
    assert korean.metadata["topics"][0].parent.label == "납치"


def test_select_in_a_group_is_a_narrower_concept(sample_triples):
    scheme = f"{BASE}uwazi/fixture/thesaurus/{TOPICS}"
    term, group = URIRef(f"{scheme}/s4ea5fi6sh"), URIRef(f"{scheme}/g1ab2cd3ef")
    assert (ID[f"fixture.{VICTIM}"], DCTERMS.subject, term) in sample_triples
    assert {(term, SKOS.broader, group), (term, SKOS.inScheme, URIRef(scheme)), (group, RDF.type, SKOS.Concept),
            (group, SKOS.prefLabel, Literal("납치", lang="ko")), (group, SKOS.prefLabel, Literal("Abduction", lang="en")),
            (term, SKOS.prefLabel, Literal("At sea", lang="en")),
            (URIRef(scheme), RDFS.label, Literal("Topics"))} <= sample_triples
    top_level = URIRef(f"{scheme}/f9am1se2ch")
    assert objects(sample_triples, top_level, SKOS.broader) == set()


def test_mapped_select_is_our_concept_and_class(sample_triples):
    victim = ID[f"fixture.{VICTIM}"]
    assert {(victim, FP.victimCategory, FP.WartimeAbductee), (victim, RDF.type, FP.WartimeAbductee),
            (victim, RDF.type, FP.Victim)} <= sample_triples
    assert objects(sample_triples, victim, SCHEMA.gender) == {URIRef(f"{BASE}uwazi/fixture/thesaurus/{SEX}/{MALE}")}


def test_relationship_is_the_target_entity(sample_triples):
    document, victim = ID[f"fixture.{DOCUMENT}"], ID[f"fixture.{VICTIM}"]
    assert objects(sample_triples, document, DCTERMS.creator) == {ID[f"fixture.{FAMILIES}"]}
    assert objects(sample_triples, document, SCHEMA.about) == {victim, ID[f"fixture.{PLACE}"]}
    assert objects(sample_triples, victim, FP.creditedTo) == {ID[f"fixture.{FAMILIES}"], ID[f"fixture.{ARCHIVE}"]}


def test_relationship_can_give_target_and_inherited_values(sample_triples):
    victim, home = ID[f"fixture.{VICTIM}"], ID[f"fixture.{VICTIM}.home-town.1-1"]
    assert objects(sample_triples, victim, EX.homeTown) == {ID[f"fixture.{PLACE}"]}
    assert {(victim, SCHEMA.homeLocation, home), (home, RDF.type, FP.Place),
            (home, SCHEMA.latitude, Literal("38.05", datatype=XSD.decimal))} <= sample_triples


def test_language_copies_are_one_resource(sample, mapping):
    records = convert_uwazi(sample, mapping)
    victim = record_of(records, VICTIM)
    assert sum(r.subject == victim.subject for r in records) == 1
    labels = objects(victim.triples, victim.subject, RDFS.label)
    assert labels == {Literal("Ko Ga-sang", lang="en"), Literal("고가상", lang="ko"), Literal("コ・ガサン", lang="ja")}
    summaries = {o.language for s, p, o in victim.triples if p == DCTERMS.abstract}
    assert summaries == {"en", "ko", "ja"}
    occupations = objects(victim.triples, ID[f"fixture.{VICTIM}.abduction"], FP.occupationAtTime)
    assert occupations == {Literal("Fisherman", lang="en"), Literal("어부", lang="ko"), Literal("漁師", lang="ja")}


def test_event_node_gathers_its_properties(sample_triples):
    victim, abduction = ID[f"fixture.{VICTIM}"], ID[f"fixture.{VICTIM}.abduction"]
    place = ID[f"fixture.{VICTIM}.abduction.place-of-abduction-geolocation.1"]
    assert {(abduction, RDF.type, FP.Abduction), (abduction, FP.victim, victim),
            (abduction, FP.date, Literal("1950-07-15", datatype=XSD.date)),
            (abduction, FP.startDate, Literal("1950-07-10", datatype=XSD.date)),
            (abduction, FP.endDate, Literal("1950-07-20", datatype=XSD.date)),
            (abduction, FP.ageAtTime, Literal(19)), (abduction, FP.place, place),
            (place, RDFS.label, Literal("Fictional Harbour"))} <= sample_triples


def test_files_links_and_identifiers(sample_triples):
    victim = ID[f"fixture.{VICTIM}"]
    archive = URIRef("https://archive.example.org/records/a7k2")
    assert {(victim, SCHEMA.image, URIRef("https://uwazi.example.org/api/files/1716383920512x7k2q9.jpg")),
            (victim, SCHEMA.associatedMedia, URIRef("https://media.example.org/testimony-a7k2.mp4")),  # no time links
            (victim, SCHEMA.url, archive), (archive, RDFS.label, Literal("기록", lang="ko")),
            (victim, DCTERMS.identifier, Literal("FPT-0001"))} <= sample_triples
    assert objects(sample_triples, victim, EX.sightedOn) == {
        Literal("1952-05-03", datatype=XSD.date), Literal("1961-10-09", datatype=XSD.date)}


def test_nested_rows_are_numbered_nodes(sample_triples):
    row = ID[f"fixture.{VICTIM}.reports-nested.2"]
    assert {(ID[f"fixture.{VICTIM}"], EX.report, row), (row, RDF.type, EX.ReportReference),
            (row, DCTERMS.identifier, Literal("R-20")), (row, EX.year, Literal(2004))} <= sample_triples
    assert objects(sample_triples, ID[f"fixture.{VICTIM}.reports-nested.1"], DCTERMS.identifier) == {
        Literal("R-12"), Literal("R-13")}
    assert not any(isinstance(node, BNode) for t in sample_triples for node in t)


def test_every_entity_says_where_it_comes_from(sample, mapping):
    report = record_of(convert_uwazi(sample, mapping), DOCUMENT)
    assert report.graph == URIRef(f"{BASE}graph/uwazi-fixture") and not report.restricted
    assert report.origin.record == f"#3 {DOCUMENT}"
    # dct:modified is the latest editDate of the two copies (the Korean one).
    assert {(report.subject, PROV.wasDerivedFrom, URIRef(f"https://uwazi.example.org/entity/{DOCUMENT}")),
            (report.subject, FP.uwaziSharedId, Literal(DOCUMENT)),
            (report.subject, FP.uwaziTemplate, Literal("Document")),
            (report.subject, DCTERMS.modified, Literal("2024-05-31T16:08:37.171Z", datatype=XSD.dateTime, normalize=False)),
            (report.subject, DCTERMS.source, URIRef("https://uwazi.example.org/")),
            (report.subject, RDF.type, SCHEMA.Report)} <= set(report.triples)


def test_search_results_types(search, mapping):
    found = triples(convert_uwazi(search, mapping))
    seo, heo, camp = ID[f"fixture.{SEO}"], ID[f"fixture.{HEO}"], ID[f"fixture.{CAMP}"]
    place = ID[f"fixture.{SEO}.place-of-capture-geolocation.1"]
    inherited_place, captivity = ID[f"fixture.{SEO}.camp.1-1"], ID[f"fixture.{SEO}.captivity.1"]
    assert {(heo, SCHEMA.birthDate, Literal("1932-01-05", datatype=XSD.date)),
            (camp, EX.capacity, Literal(300)), (seo, DCTERMS.identifier, Literal("POW-0042")),
            (seo, FP.place, place), (place, RDF.type, FP.Place), (place, RDFS.label, Literal("Fictional Ridge")),
            (place, SCHEMA.latitude, Literal("38.3", datatype=XSD.decimal)),
            (seo, SCHEMA.location, inherited_place),
            (inherited_place, SCHEMA.longitude, Literal("127.5", datatype=XSD.decimal)),
            (seo, EX.campCode, Literal("FC-7", lang="en")), (seo, EX.fellowPrisoner, heo),
            (seo, EX.captivity, captivity), (captivity, FP.endDate, Literal("1953-07-27", datatype=XSD.date)),
            (seo, RDF.type, FP.PrisonerOfWar)} <= found
    # The camp itself is not linked: the mapping takes only what the relationship inherits.
    assert camp not in objects(found, seo, SCHEMA.location)


def test_doc_entity_types(doc, doc_mapping):
    found = triples(convert_uwazi(doc, doc_mapping))
    victim, detention = ID["doc.yungasang"], ID["doc.yungasang.detention"]
    scheme = f"{BASE}uwazi/doc/thesaurus/categoryList"
    assert {(victim, FP.victimCategory, FP.WartimeAbductee), (victim, RDF.type, FP.WartimeAbductee),
            (victim, DCTERMS.subject, URIRef(f"{scheme}/seaborne")),
            (URIRef(f"{scheme}/seaborne"), SKOS.broader, URIRef(f"{scheme}/abduction")),
            (victim, DCTERMS.subject, FPV["status/alive"]),  # by label, ignoring case and spacing
            (victim, DCTERMS.subject, URIRef("https://example.org/uwazi-doc#fishing")),  # by Group::Label
            (detention, RDF.type, FP.Event), (detention, FP.victim, victim),
            (detention, FP.startDate, Literal("1950-09-01", datatype=XSD.date)),
            (detention, FP.endDate, Literal("1950-09-12", datatype=XSD.date)),
            (detention, FP.place, ID["doc.yungasang.detention.location.2"]),
            (ID["doc.yungasang.detention.location.2"], RDFS.label, Literal("quay")),
            (victim, SCHEMA.image, URIRef("https://doc.example.org/api/files/portrait.jpg")),
            (victim, SCHEMA.url, URIRef("https://archive.example.org/notes/42")),
            (URIRef("https://archive.example.org/notes/42"), RDFS.label, Literal("Archive note", lang="en")),
            (victim, DCTERMS.relation, ID["doc.place2"]), (victim, DCTERMS.relation, ID["doc.wit1"]),
            (victim, DCTERMS.description, Literal("heard the engine", lang="en")),
            # the second witness has no home: the third one's place is numbered 3-1
            (ID["doc.yungasang.witness-place.3-1"], SCHEMA.latitude, Literal("37.5", datatype=XSD.decimal)),
            (ID["doc.yungasang.entries.2"], DCTERMS.identifier, Literal(4))} <= found
    # A keyword the mapping does not name is a concept of its own thesaurus, which the file does not define.
    assert (victim, DCTERMS.subject, URIRef(f"{BASE}uwazi/doc/thesaurus/keywordList/kw3")) in found


def test_doc_property_left_out_of_its_mapping_is_skipped_only_when_asked(tmp_path, doc, doc_mapping):
    text = (UWAZI / "entity-doc-mapping.toml").read_text(encoding="utf-8")
    (tmp_path / "m.toml").write_text(text.replace('unmapped = "skip"', 'unmapped = "error"'), encoding="utf-8")
    error = error_of(lambda: convert_uwazi(doc, load_mapping(tmp_path / "m.toml")))
    assert error.origin.field == "witness_keywords" and "properties not in the mapping" in error.problem
    assert len(convert_uwazi(doc, doc_mapping)) == 1


# ---------------------------------------------------------------- CSV


def test_csv_export_agrees_with_the_search_results(search, mapping, local_time):
    # The CSV has no sharedIds and no thesaurus ids: both come from the JSON of the same entities.
    json_schema = replace(search.schema, thesauri=observed_thesauri(search) | dict(search.schema.thesauri))
    csv_export = read_uwazi_csv(UWAZI / "search.csv", json_schema, date_format="YYYY-MM-DD",
                                shared_ids=shared_ids_by_title(search))
    from_csv, from_json = triples(convert_uwazi(csv_export, mapping)), triples(convert_uwazi(search, mapping))
    # An export writes a geolocation as lat|lon without its label: that one value is all the CSV loses.
    place = ID[f"fixture.{SEO}.place-of-capture-geolocation.1"]
    assert from_json - from_csv == {(place, RDFS.label, Literal("Fictional Ridge"))}
    assert from_csv - from_json == set()
    assert all(e.published for e in csv_export.entities) and csv_export.ignored_columns == ()


def test_import_csv_quirks(schema):
    export = read_uwazi_csv(UWAZI / "import-victims.csv", schema, "Victim", date_format="dd/MM/yyyy")
    first, second, third = export.entities
    assert (first.origin.line, second.origin.line, third.origin.line) == (3, 4, 5)  # line 2 is blank
    assert first.metadata["date_of_abduction"] == (-614304000,)  # header date.of.abduction; 15/07/1950
    assert third.metadata["date_of_abduction"] == (-567907200,)  # 03/01/1952 is 3 January
    assert first.metadata["age_at_abduction"] == (19,) and first.metadata["occupation"] == ("Fisherman",)
    assert first.metadata["place_of_abduction_geolocation"][0].lat == Decimal("38.05")
    assert "place_of_abduction_geolocation" not in second.metadata
    assert third.metadata["place_of_abduction_geolocation"][0].lon == 0
    assert [(t.id, t.label) for t in first.metadata["topics"]] == [("s4ea5fi6sh", "At sea"), ("f9am1se2ch", "Family search")]
    assert first.metadata["sex"][0].id == third.metadata["sex"][0].id == MALE  # "male  ", "MALE"
    assert len(first.metadata["detention_periods"]) == 2 and first.metadata["detention_periods"][1].end is None
    assert second.metadata["period_of_abduction"][0].start is None
    assert "record_number" not in first.metadata  # Uwazi generates it on import
    assert export.ignored_columns == ("notes for editors", "language")
    assert not any(e.published for e in export.entities)  # Uwazi imports entities unpublished


def test_language_columns_of_selects(schema):
    export = read_uwazi_csv(UWAZI / "import-thesauri.csv", schema, "Victim")
    by_title = {(e.title, e.language): e.metadata for e in export.entities}
    assert len(export.entities) == 7 and ("row_4", "ko") not in by_title  # row_4 fills no Korean column

    def labels(title, name):
        return [(t.parent.label if t.parent else None, t.label, t.id) for t in by_title[title, "ko"].get(name, ())]

    assert labels("row_1", "sex") == [(None, "Male", MALE)]  # select labels come from the default language
    assert labels("row_2", "topics") == [("Abduction", "On land", "l7an8dx9qo"), (None, "Family search", "f9am1se2ch")]
    assert labels("row_2", "category") == [(None, "Detainee", "d6h3ju8kfo")]
    assert labels("row_3", "sex") == [(None, "Unknown", None)]  # a new label: Uwazi would add it
    assert labels("row_3", "topics") == [("Detention", "Hospital", None)]
    assert labels("row_3", "category") == []
    assert by_title["row_4", "en"] == {"occupation": ("teacher",)}


def test_language_columns_make_language_copies(schema):
    export = read_uwazi_csv(UWAZI / "import-languages.csv", schema, "Document")
    copies = [(e.language, e.title, e.metadata["abstract"][0]) for e in export.entities[:2]]
    assert copies == [("en", "Example report 1", "Summary 1"), ("ko", "예시 보고서 1", "요약 1")]
    assert [e.metadata["document_type"][0].id for e in export.entities[::2]] == ["r1ep2or3tz", "l8et9te0rs", "t5es6ti7my"]
    assert len(export.entities) == 6 and export.ignored_columns == ()  # file__xx and attachments are for ZIP imports


def test_import_csv_with_ids_and_known_thesaurus_converts(schema, mapping):
    export = read_uwazi_csv(UWAZI / "import-update.csv", schema, "Victim", shared_ids={"Fictional Harbour": PLACE})
    record = convert_uwazi(export, mapping)[0]
    assert record.restricted and record.subject == ID[f"fixture.{VICTIM}"]
    assert {(record.subject, SCHEMA.gender, URIRef(f"{BASE}uwazi/fixture/thesaurus/{SEX}/{MALE}")),
            (record.subject, EX.homeTown, ID[f"fixture.{PLACE}"]),
            (ID[f"fixture.{VICTIM}.detention-periods.1"], FP.endDate, Literal("1953-07-27", datatype=XSD.date)),
            (ID[f"fixture.{VICTIM}.detention-periods.2"], FP.startDate, Literal("1953-08-01", datatype=XSD.date))} \
        <= set(record.triples)


# ---------------------------------------------------------------- determinism, restriction


def test_conversion_is_deterministic(schema, mapping):
    first = convert_uwazi(read_uwazi_json(UWAZI / "entities.json", schema), mapping)
    second = convert_uwazi(read_uwazi_json(UWAZI / "entities.json", schema), mapping)
    assert ntriples(first) == ntriples(second)
    assert all(r.triples == sorted(r.triples, key=lambda t: tuple(x.n3() for x in t)) for r in first)


def test_unpublished_entity_is_restricted(tmp_path, schema, mapping):
    path = edited_json(tmp_path, "entities.json", lambda raw: raw["rows"][4].update(published=False))
    records = convert_uwazi(read_uwazi_json(path, schema), mapping)
    assert record_of(records, DOCUMENT).restricted  # one of its two copies is unpublished
    assert not record_of(records, VICTIM).restricted


# ---------------------------------------------------------------- bad input says where


def error_of(call):
    with pytest.raises(RecordError) as caught:
        call()
    return caught.value


def set_metadata(index, name, value):
    return lambda raw: raw["rows"][index]["metadata"].update({name: value})


@pytest.mark.parametrize("edit, field, problem", [
    (set_metadata(3, "date", [{"value": "abc"}]), "date", "date 'abc' is not a time in Unix seconds"),
    (set_metadata(3, "document_type", [{"value": "nope", "label": "Nope"}]), "document_type",
     "value 'nope' (Nope) is not in thesaurus 'Document type'"),
    (set_metadata(3, "pages", [{"value": "x"}]), "pages", "template 'Document' has no property 'pages'"),
    (lambda raw: raw["rows"][3].update(template="000000000000000000000000"), "template",
     "template '000000000000000000000000' is not among the templates"),
])
def test_bad_json_value_is_named(tmp_path, schema, edit, field, problem):
    error = error_of(lambda: read_uwazi_json(edited_json(tmp_path, "entities.json", edit), schema))
    assert error.origin.record == f"#3 {DOCUMENT}" and error.origin.field == field
    assert error.origin.file.endswith("entities.json") and problem in error.problem


def test_bad_geolocation_is_named(tmp_path):
    def edit(raw):
        raw["searchResults"]["rows"][0]["metadata"].update(
            place_of_capture_geolocation=[{"value": {"lat": 95, "lon": 2, "label": ""}}])

    error = error_of(lambda: read_uwazi_json(edited_json(tmp_path, "search.json", edit)))
    assert (error.origin.record, error.origin.field) == (f"#0 {SEO}", "place_of_capture_geolocation")
    assert "out of range" in error.problem


@pytest.mark.parametrize("cells, field, problem", [
    ({"Template": "Prisoner of war", "Date of birth": "1930/13/45"}, "Date of birth",
     "date '1930/13/45' is not in format YYYY-MM-DD (nor LL, YYYY MM DD, YYYY/MM/DD, YYYY)"),
    ({"Template": "Prisoner of war", "Place of capture": "38.3"}, "Place of capture",
     "geolocation '38.3' is not 'latitude|longitude'"),
    ({"Template": "Camp", "Capacity": "many"}, "Capacity", "numeric 'many' is not a number"),
    ({"Template": "Hero"}, "Template", "template 'Hero' is not among the templates"),
    ({"Template": "Camp", "Published": "Maybe"}, "Published", "'Maybe' is neither 'Published' nor 'Unpublished'"),
])
def test_bad_csv_value_is_named(tmp_path, search, cells, field, problem):
    header = (UWAZI / "search.csv").read_text(encoding="utf-8").splitlines()[0]
    row = {"Title": "x", "Date added": "2024-05-01", "Published": "Published"} | cells
    path = tmp_path / "export.csv"
    path.write_text(f"{header}\n\n{','.join(row.get(h, '') for h in header.split(','))}\n", encoding="utf-8")
    error = error_of(lambda: read_uwazi_csv(path, search.schema, date_format="YYYY-MM-DD"))
    assert (error.origin.file, error.origin.line, error.origin.record, error.origin.field) == (str(path), 3, "x", field)
    assert problem in error.problem


def test_csv_line_counts_lines_inside_quoted_cells(tmp_path, schema):
    path = tmp_path / "import.csv"
    path.write_text('Title,Occupation,Date of abduction\none,"two\nlines",1950/07/15\ntwo,,15-07-1950\n', encoding="utf-8")
    error = error_of(lambda: read_uwazi_csv(path, schema, "Victim"))
    assert (error.origin.line, error.origin.record, error.origin.field) == (4, "two", "Date of abduction")
    assert "date '15-07-1950' is not in format YYYY/MM/DD" in error.problem


def test_property_not_in_the_mapping_is_named(tmp_path, sample):
    line = 'properties.date = { predicate = "dct:date" }\n'
    error = error_of(lambda: convert_uwazi(sample, edited_mapping(tmp_path, line, "")))
    assert (error.origin.record, error.origin.field) == (f"#3 {DOCUMENT}", "date")
    assert "properties not in the mapping for template 'Document': date" in error.problem
    (tmp_path / "m.toml").write_text((tmp_path / "m.toml").read_text(encoding="utf-8").replace(
        'unmapped = "error"', 'unmapped = "skip"'), encoding="utf-8")
    found = triples(convert_uwazi(sample, load_mapping(tmp_path / "m.toml")))
    assert not any(p == DCTERMS.date for _, p, _ in found) and any(p == DCTERMS.creator for _, p, _ in found)


def test_template_not_in_the_mapping_is_named(tmp_path, sample):
    error = error_of(lambda: convert_uwazi(sample, edited_mapping(tmp_path, '[templates."Place"]', '[templates."Places"]')))
    assert (error.origin.record, error.origin.field) == (f"#5 {PLACE}", "template")
    assert "template 'Place' is not in the mapping" in error.problem


@pytest.mark.parametrize("edit, problem", [
    (lambda raw: raw["rows"][6].update(sharedId=f"{FAMILIES}-2"), f"sharedId '{FAMILIES}-2' has characters outside [a-z0-9]"),
    (lambda raw: raw["rows"][6].update(sharedId=FAMILIES.upper()),
     f"sharedId '{FAMILIES.upper()}' has characters outside [a-z0-9]"),
    (lambda raw: raw["rows"][6].pop("sharedId"), "the entity has no sharedId"),
])
def test_bad_shared_id_is_rejected(tmp_path, schema, mapping, edit, problem):
    export = read_uwazi_json(edited_json(tmp_path, "entities.json", edit), schema)
    error = error_of(lambda: convert_uwazi(export, mapping))
    assert error.origin.record.startswith("#6") and error.origin.field == "sharedId" and problem in error.problem


def test_relationship_target_with_a_bad_shared_id_is_rejected(tmp_path, schema, mapping):
    # A target id the IRI cannot hold must stop the import, not be "fixed" into another entity's IRI.
    edit = set_metadata(0, "credited_to", [{"value": f"{FAMILIES},", "label": "Example Families' Association"}])
    export = read_uwazi_json(edited_json(tmp_path, "entities.json", edit), schema)
    error = error_of(lambda: convert_uwazi(export, mapping))
    assert error.origin.field == "credited_to" and f"'{FAMILIES},'" in error.problem


def test_doc_as_the_front_end_holds_it_is_rejected_where_it_is_incomplete(doc_mapping):
    raw_doc = read_uwazi_json(UWAZI / "entity-doc.json")
    assert "no sharedId" in error_of(lambda: convert_uwazi(raw_doc, doc_mapping)).problem
    with_id = replace(raw_doc, entities=(replace(raw_doc.entities[0], shared_id="yungasang"),))
    error = error_of(lambda: convert_uwazi(with_id, doc_mapping))
    assert error.origin.field == "source" and "link URL 'records/42' is not an absolute URL" in error.problem


@pytest.mark.parametrize("toml, field, problem", [
    ('collection = "c"\ninstance_url = "https://x.org"\nsource = "s"\nunmaped = "skip"', "unmaped", "unknown key(s) unmaped"),
    ('collection = "C.x"\ninstance_url = "https://x.org"\nsource = "s"', "collection", "must match"),
    ('collection = "c"\ninstance_url = "https://x.org"\nsource = "s"\n[templates.T.properties.p]\npredicate = "foaf:name"',
     "predicate", "'foaf:name' is not a full IRI or a CURIE"),
    ('collection = "c"\ninstance_url = "https://x.org"\nsource = "s"\n[templates.T.properties.p]\n'
     'scheme = "fpv:victim-categories"\nconcepts = { A = "abductee" }', "concepts", "no concept with skos:notation 'abductee'"),
    ('collection = "c"\ninstance_url = "https://x.org"\nsource = "s"\n[templates.T.properties.p]\non = "abduction"',
     "on", "event 'abduction' is not declared"),
    ('collection = "c"\ninstance_url = "https://x.org"\nsource = "s"\n[templates.T]\ntitle_languages = { en = "ko Latn" }',
     "title_languages", "neither a language tag"),
])
def test_bad_mapping_is_named(tmp_path, toml, field, problem):
    (tmp_path / "m.toml").write_text(toml, encoding="utf-8")
    error = error_of(lambda: load_mapping(tmp_path / "m.toml"))
    assert error.origin.file == str(tmp_path / "m.toml")
    assert error.origin.field == field and problem in error.problem


# ---------------------------------------------------------------- the FOOTPRINTS example mapping


def test_footprints_example_mapping_converts_a_victim():
    """A made-up FOOTPRINTS-style collection in the shape of the example mapping's templates."""
    export = read_uwazi_json(UWAZI / "footprints-example.json")
    records = convert_uwazi(export, load_mapping(ROOT / "data" / "uwazi" / "footprints-victims.toml"))
    found = triples(records)
    victim, abduction = ID["nkfootprints.f2p8k4x7qa"], ID["nkfootprints.f2p8k4x7qa.abduction"]
    place = ID["nkfootprints.f2p8k4x7qa.abduction.place-of-abduction-geolocation.1"]
    status, families = ID["nkfootprints.f2p8k4x7qa.status"], ID["nkfootprints.f9o3r6g1zb"]
    footprints = URIRef(f"{BASE}document/footprints-database")
    # The English copy's title is a romanized Korean name; the Japanese copy's title is left out.
    assert objects(found, victim, RDFS.label) == {Literal("Ko Ga-sang", lang="ko-Latn"), Literal("고가상", lang="ko")}
    assert {(abduction, FP.ageAtTime, Literal(19)), (abduction, DCTERMS.source, footprints),
            (abduction, FP.startDate, Literal("1950-07-10", datatype=XSD.date)),
            (abduction, FP.occupationAtTime, Literal("어부", lang="ko")),
            (status, RDF.type, FP.StatusAssessment), (status, FP.statusOf, victim),
            (status, FP.status, FPV["status/detained"]), (status, FP.asOf, Literal("2014-01-01", datatype=XSD.date)),
            (victim, SCHEMA.image, URIRef("https://nkfootprints.info/api/files/f2p8k4x7qa.jpg"))} <= found
    assert {(victim, RDF.type, FP.Victim), (victim, RDF.type, FP.WartimeAbductee),
            (victim, FP.victimCategory, FP.WartimeAbductee), (abduction, RDF.type, FP.Abduction),
            (abduction, FP.victim, victim), (abduction, FP.date, Literal("1950-07-15", datatype=XSD.date)),
            (abduction, FP.place, place), (place, RDFS.label, Literal("Fictional Harbour")),
            (victim, FP.creditedTo, families), (victim, DCTERMS.identifier, Literal("FP-T-0001")),
            (victim, DCTERMS.source, footprints),
            (victim, PROV.wasDerivedFrom, URIRef("https://nkfootprints.info/entity/f2p8k4x7qa"))} <= found
    assert {(families, RDF.type, FP.Organisation), (families, FP.organisationType, FPV["organisation-types/families-union"]),
            (families, SCHEMA.url, URIRef("https://families.example.org/"))} <= found


def test_uwazi_terms_are_declared_in_the_ontology():
    text = (ROOT / "ontology" / "uwazi.ttl").read_text(encoding="utf-8")
    source = (ROOT / "footprints_graph" / "convert" / "uwazi.py").read_text(encoding="utf-8")
    used = set(re.findall(r"\bFP\.(uwazi\w+)", source))
    assert used == {"uwaziSharedId", "uwaziTemplate"}
    for term in used:
        block = text[text.index(f"fp:{term} a "):].split(" .\n", 1)[0]
        assert "@en" in block and "@ko" in block and "skos:definition" in block
        assert "rdfs:isDefinedBy <https://w3id.org/footprints-graph/ontology/uwazi>" in block
