"""Uwazi exports (entity JSON, CSV export and import files) → RDF, on the real Uwazi sample files."""

import json
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from footprints_graph.convert.uwazi import convert_uwazi, load_mapping
from footprints_graph.errors import RecordError
from footprints_graph.iris import FP, FPV
from footprints_graph.records.uwazi import (
    PROPERTY_TYPES, UwaziProperty, UwaziSchema, UwaziTemplate, observed_thesauri, read_uwazi_csv, read_uwazi_json,
    read_uwazi_schema, shared_ids_by_title,
)

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "uwazi-samples"
REPO = Path(__file__).resolve().parents[1]
SAMPLES_MAPPING = Path(__file__).resolve().parent / "data" / "uwazi-samples-mapping.toml"
BASE = "https://w3id.org/footprints-graph/id/"
ID = Namespace(f"{BASE}uwazi/")
EX = Namespace("https://example.org/uwazi-samples#")
SCHEMA = Namespace("https://schema.org/")

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"Uwazi samples not found at {SAMPLES}")

# metadataHelpersFixtures.json is a toy from Uwazi's front-end tests: one entity with a value of every type.
# Its template is called "Mecanismo" like a sample template, so it has a collection and mapping of its own.
TOY_MAPPING = """
collection = "toy"
instance_url = "https://toy.example.org"
source = "https://toy.example.org/"
unmapped = "skip"   # relationship5 inherits multiselect values of a thesaurus the toy does not define

[templates.Mecanismo.events.period]
classes = ["fp:Event"]
link = "fp:victim"

[templates.Mecanismo.properties]
text = { predicate = "dct:description" }
markdown = { predicate = "dct:abstract" }
date = { predicate = "fp:date" }
multidate = { predicate = "dct:date" }
daterange = { on = "period" }
multidaterange = { predicate = "dct:temporal", classes = ["fp:Event"] }
select = { predicate = "fp:victimCategory", scheme = "fpv:victim-categories", concepts = { value5 = "wartime-abductee" }, as_type = true }
selectWithCategory = { predicate = "dct:subject" }
multiselect = { predicate = "dct:subject", concepts = { "VALUE   1" = "https://w3id.org/footprints-graph/vocab/status/alive" } }
image = { predicate = "schema:image" }
media = { predicate = "schema:associatedMedia" }
relationship1 = { predicate = "dct:relation" }
relationship2 = { predicate = "dct:relation" }
relationship3 = { predicate = "dct:relation", inherited = { predicate = "dct:description" } }
relationship4 = { inherited = { predicate = "fp:place" } }
geolocation = { predicate = "fp:place", on = "period" }
nested = { predicate = "dct:hasPart", fields = { nestedKey = "dct:identifier" } }
link = {}
"""


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def schema():
    return read_uwazi_schema(SAMPLES / "templates.json", SAMPLES / "dictionaries.json")


@pytest.fixture(scope="module")
def mapping():
    return load_mapping(SAMPLES_MAPPING)


@pytest.fixture(scope="module")
def sample(schema):
    return read_uwazi_json(SAMPLES / "entities.sample.json", schema)


@pytest.fixture(scope="module")
def search():
    return read_uwazi_json(SAMPLES / "exportCsvFixtures.json", language="en")


@pytest.fixture(scope="module")
def toy_mapping(tmp_path_factory):
    path = tmp_path_factory.mktemp("toy") / "toy.toml"
    path.write_text(TOY_MAPPING, encoding="utf-8")
    return load_mapping(path)


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """The toy entity as an exported one would be: it has no sharedId, and its link's url is 'link url'."""
    raw = json.loads((SAMPLES / "metadataHelpersFixtures.json").read_text(encoding="utf-8"))
    raw["doc"].update(sharedId="rudeawakening", language="en", published=True)
    raw["doc"]["metadata"]["link"][0]["value"]["url"] = "https://example.org/link"
    path = tmp_path_factory.mktemp("toy") / "toy.json"
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
    raw = json.loads((SAMPLES / source).read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / source
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def template(name, *properties, content=None):
    """A template for an import CSV from Uwazi's own test fixtures (csvLoaderFixtures.ts, arrangeThesauri.spec)."""
    return UwaziTemplate(name, name, tuple(UwaziProperty(None, n, label, kind, content) for n, label, kind in properties))


# ---------------------------------------------------------------- every file reads, every type converts


def test_every_sample_file_reads(schema, sample, search, toy):
    assert len(schema.templates) == 11 and len(schema.thesauri) == 5
    assert [e.language for e in sample.entities[:3]] == ["en", "es", "ar"]
    assert len(sample.entities) == 8 and len(search.entities) == 2
    assert len(read_uwazi_json(SAMPLES / "metadataHelpersFixtures.json").entities[0].metadata) == 19
    csv_export = read_uwazi_csv(SAMPLES / "exportCsvFixtures.csvExample.csv", search.schema, date_format="YYYY-MM-DD")
    assert [e.title for e in csv_export.entities] == ["Star Lord  Wikipedia", "Scarecrow"]


def test_every_property_type_converts(schema, sample, search, mapping, toy, toy_mapping):
    # entities.sample.json has no link, daterange, image, media, geolocation, generatedid or numeric value;
    # the two other JSON samples have them.
    types = converted_types(sample, mapping) | converted_types(search, mapping) | converted_types(toy, toy_mapping)
    assert types == set(PROPERTY_TYPES) - {"preview"}
    assert {len(convert_uwazi(sample, mapping)), len(convert_uwazi(search, mapping))} == {5, 2}


# ---------------------------------------------------------------- what the sample entities become


@pytest.fixture(scope="module")
def sample_triples(sample, mapping):
    return triples(convert_uwazi(sample, mapping))


def test_date_is_the_utc_day(sample, mapping, local_time):
    found = triples(convert_uwazi(sample, mapping))
    assert (ID["cejil.22i9rte328dxi529"], DCTERMS.date, Literal("2009-07-08", datatype=XSD.date)) in found


def test_multidaterange_keeps_start_end_pairs(sample_triples):
    judge = ID["cejil.1wh2j0h1bawcdi"]
    terms = [ID["cejil.1wh2j0h1bawcdi.mandatos.1"], ID["cejil.1wh2j0h1bawcdi.mandatos.2"]]
    for term, (start, end) in zip(terms, [("1980-01-01", "1985-12-31"), ("1986-01-01", "1989-12-31")]):
        assert {(judge, EX.mandate, term), (term, RDF.type, EX.Mandate), (term, DCTERMS.source, URIRef("https://cejil.uwazi.io/")),
                (term, FP.startDate, Literal(start, datatype=XSD.date)),
                (term, FP.endDate, Literal(end, datatype=XSD.date))} <= sample_triples


def test_group_left_out_of_a_copy_comes_from_the_thesaurus(sample):
    english, spanish = sample.entities[3], sample.entities[4]
    assert english.language == "en" and english.metadata["categor_a"][0].parent.id == "rtaunx7j1t"
    assert spanish.metadata["categor_a"][0].parent.label == "Categoría B"


def test_select_in_a_group_is_a_narrower_concept(sample_triples):
    scheme = f"{BASE}uwazi/cejil/thesaurus/60db1bce1f825922d4e93b94"
    term, group = URIRef(f"{scheme}/a3o8auflqvk"), URIRef(f"{scheme}/rtaunx7j1t")
    assert (ID["cejil.22i9rte328dxi529"], DCTERMS.subject, term) in sample_triples
    assert {(term, SKOS.broader, group), (term, SKOS.inScheme, URIRef(scheme)), (group, RDF.type, SKOS.Concept),
            (group, SKOS.prefLabel, Literal("Categoría B", lang="es")),
            (term, SKOS.prefLabel, Literal("Categoría 1", lang="en")),
            (URIRef(scheme), RDFS.label, Literal("Categorias"))} <= sample_triples


def test_relationship_is_the_target_entity(sample_triples):
    assert (ID["cejil.4y8kfethw87aatt9"], DCTERMS.spatial, ID["cejil.5i87kwgiafw29"]) in sample_triples
    signatories = {o for s, p, o in sample_triples if s == ID["cejil.z4l9pjwiy60cc8fr"] and p == DCTERMS.contributor}
    assert ID["cejil.zim4uiqjut79cnmi"] in signatories and len(signatories) == 6


def test_language_copies_are_one_resource(sample, mapping):
    records = convert_uwazi(sample, mapping)
    case = record_of(records, "4y8kfethw87aatt9")
    assert sum(r.subject == case.subject for r in records) == 1
    labels = {o for s, p, o in case.triples if s == case.subject and p == RDFS.label}
    assert labels == {Literal("Anzualdo Castro", lang=lang) for lang in ("en", "es", "ar")}
    summaries = {o.language for s, p, o in case.triples if p == DCTERMS.abstract}
    assert summaries == {"en", "es", "ar"}


def test_nested_rows_are_numbered_nodes(sample_triples):
    row = ID["cejil.4y8kfethw87aatt9.articulos-violados-nested.2"]
    assert {(ID["cejil.4y8kfethw87aatt9"], EX.articlesViolated, row), (row, EX.cidfp, Literal("I.b)")),
            (row, EX.cadh, Literal("25"))} <= sample_triples
    assert not any(isinstance(node, BNode) for t in sample_triples for node in t)


def test_every_entity_says_where_it_comes_from(sample, mapping):
    order = record_of(convert_uwazi(sample, mapping), "22i9rte328dxi529")
    assert order.graph == URIRef(f"{BASE}graph/uwazi-cejil") and not order.restricted
    assert order.origin.record == "#3 22i9rte328dxi529"
    assert {(order.subject, PROV.wasDerivedFrom, URIRef("https://cejil.uwazi.io/entity/22i9rte328dxi529")),
            (order.subject, FP.uwaziSharedId, Literal("22i9rte328dxi529")),
            (order.subject, FP.uwaziTemplate, Literal("Ordenes de la corte")),
            (order.subject, DCTERMS.modified, Literal("2021-06-29T13:23:23.521Z", datatype=XSD.dateTime, normalize=False)),
            (order.subject, DCTERMS.source, URIRef("https://cejil.uwazi.io/")),
            (order.subject, RDF.type, SCHEMA.CreativeWork)} <= set(order.triples)


def test_search_results_types(search, mapping):
    found = triples(convert_uwazi(search, mapping))
    star, villain = ID["cejil.te3psdbg6tpj5rk9"], ID["cejil.u3oxgkdp59n97ldi"]
    place = ID["cejil.te3psdbg6tpj5rk9.geolocation-geolocation.1"]
    inherited_place = ID["cejil.te3psdbg6tpj5rk9.location.1-1"]
    assert {(villain, SCHEMA.birthDate, Literal("1941-09-23", datatype=XSD.date)),
            (villain, EX.planetsConquered, Literal(39)), (star, DCTERMS.identifier, Literal("FTF8988-8015")),
            (star, SCHEMA.location, place), (place, RDF.type, FP.Place),
            (place, SCHEMA.latitude, Literal("45.974236866039696", datatype=XSD.decimal)),
            (star, SCHEMA.location, inherited_place),
            (inherited_place, SCHEMA.longitude, Literal("37.02", datatype=XSD.decimal)),
            (star, SCHEMA.nationality, Literal("ES", lang="en"))} <= found


def test_toy_entity_types(toy, toy_mapping):
    found = triples(convert_uwazi(toy, toy_mapping))
    doc, period = ID["toy.rudeawakening"], ID["toy.rudeawakening.period"]
    assert {(doc, FP.victimCategory, FP.WartimeAbductee), (doc, RDF.type, FP.WartimeAbductee),
            (doc, DCTERMS.subject, URIRef(f"{BASE}uwazi/toy/thesaurus/thesauriId/value2")),
            (doc, DCTERMS.subject, FPV["status/alive"]),
            (period, RDF.type, FP.Event), (period, FP.victim, doc),
            (period, FP.startDate, Literal("1970-01-01", datatype=XSD.date)),
            (period, FP.endDate, Literal("1970-01-12", datatype=XSD.date)),
            (period, FP.place, ID["toy.rudeawakening.period.geolocation.2"]),
            (ID["toy.rudeawakening.period.geolocation.2"], RDFS.label, Literal("home")),
            (doc, SCHEMA.image, URIRef("https://toy.example.org/imageURL")),
            (doc, SCHEMA.url, URIRef("https://example.org/link")),
            (URIRef("https://example.org/link"), RDFS.label, Literal("link label", lang="en")),
            (doc, DCTERMS.relation, ID["toy.value4"]), (doc, DCTERMS.description, Literal("you?", lang="en")),
            (ID["toy.rudeawakening.relationship4.3-1"], SCHEMA.latitude, Literal("5", datatype=XSD.decimal)),
            (ID["toy.rudeawakening.nested.2"], DCTERMS.identifier, Literal(4))} <= found
    assert not any("relationship5" in str(term) or "linkedEntity" in str(term) for t in found for term in t)


# ---------------------------------------------------------------- CSV


def test_csv_export_agrees_with_the_search_results(search, mapping, local_time):
    # The CSV has no sharedIds and no thesaurus ids: both come from the JSON of the same entities.
    json_schema = replace(search.schema, thesauri=observed_thesauri(search) | dict(search.schema.thesauri))
    csv_export = read_uwazi_csv(SAMPLES / "exportCsvFixtures.csvExample.csv", json_schema,
                                date_format="YYYY-MM-DD", shared_ids=shared_ids_by_title(search))
    from_csv, from_json = triples(convert_uwazi(csv_export, mapping)), triples(convert_uwazi(search, mapping))
    # The template does not say Country inherits, so the CSV's "ES" reads as the title of a target that the
    # mapping (inherited values only) does not link: that one value is all the CSV loses.
    assert from_json - from_csv == {(ID["cejil.te3psdbg6tpj5rk9"], SCHEMA.nationality, Literal("ES", lang="en"))}
    assert from_csv - from_json == set()
    assert all(e.published for e in csv_export.entities) and csv_export.ignored_columns == ()


def test_test_csv_quirks():
    base = template(
        "base template", ("text_label", "text label", "text"), ("header_with_dots", "header.with. dots", "text"),
        ("numeric_label", "numeric label", "numeric"), ("select_label", "Select Label", "select"),
        ("geolocation_geolocation", "geolocation", "geolocation"), ("auto_id", "Auto ID", "generatedid"),
        ("additional_tag_s_", "additional tag(s)", "text"), ("multi_select_label", "Multi Select Label", "multiselect"),
        ("date_label", "Date label", "date"), ("language", "Language", "text"),
    )
    export = read_uwazi_csv(SAMPLES / "test.csv", UwaziSchema({"base": base}, {}), "base template", date_format="dd/MM/yyyy")
    first, second, third = export.entities
    assert (first.origin.line, second.origin.line, third.origin.line) == (3, 4, 5)  # line 2 is blank
    assert first.metadata["header_with_dots"] == ("header with dots value 1",)
    assert first.metadata["numeric_label"] == (1977,) and first.metadata["date_label"] == (1641168000,)  # 2022-01-03
    assert first.metadata["geolocation_geolocation"][0].lat == 1 and "geolocation_geolocation" not in second.metadata
    assert [t.label for t in third.metadata["multi_select_label"]] == ["multivalue1", "multivalue3"]
    assert "auto_id" not in first.metadata and third.metadata["additional_tag_s_"] == ("tag3",)
    assert export.ignored_columns == ("non configured", "not defined type")
    assert not any(e.published for e in export.entities)  # Uwazi imports entities unpublished


def test_arrange_thesauri_csv_quirks():
    arrange = template(
        "arrange", ("unrelated_property", "unrelated property", "text"), ("select_property", "Select Property", "select"),
        ("multiselect_property", "Multiselect Property", "multiselect"), ("no_new_value_select", "no new value select", "select"),
    )
    export = read_uwazi_csv(SAMPLES / "arrangeThesauriTest.csv", UwaziSchema({"a": arrange}, {}), "arrange")
    by_title = {(e.title, e.language): e.metadata for e in export.entities}
    assert len(export.entities) == 50 and {lang for _, lang in by_title} == {"en", "es"}
    labels = lambda title, name: [f"{t.parent.label}::{t.label}" if t.parent else t.label for t in by_title[title, "es"].get(name, ())]  # noqa: E731
    assert labels("select_7", "select_property") == ["b"]  # select labels come from the default language
    assert labels("select_9", "select_property") == []
    assert labels("multiselect_5", "multiselect_property") == ["a", "b"]
    assert labels("multiselect_6", "multiselect_property") == []
    assert labels("multiselect_nested_values_1", "multiselect_property") == ["1::1b", "2::2C", "3::3a", "3::3B", "4::A"]
    assert labels("select_nested_values_5", "select_property") == ["G2::2b"]


def test_language_columns_make_language_copies():
    zip_template = template("zip", ("text_label", "text label", "text"), ("select_label", "select label", "select"))
    export = read_uwazi_csv(SAMPLES / "zipData" / "languages" / "import.csv", UwaziSchema({"z": zip_template}, {}), "zip")
    copies = [(e.language, e.title, e.metadata["text_label"][0]) for e in export.entities[:2]]
    assert copies == [("en", "title_en1", "text_en1"), ("es", "title_es1", "text_es1")]
    assert export.entities[1].metadata["select_label"][0].label == "thesauri1"


def test_import_csv_with_ids_and_known_thesaurus_converts(tmp_path, schema, mapping):
    path = tmp_path / "judges.csv"
    path.write_text("id;Title;Sexo;Mandatos;País\n1wh2j0h1bawcdi;Pedro Nikken;hombre;1980/01/01:1985/12/31;Venezuela\n",
                    encoding="utf-8")
    export = read_uwazi_csv(path, schema, "Juez y/o Comisionado", shared_ids={"Venezuela": "5eozz296h29h33di"})
    record = convert_uwazi(export, mapping)[0]
    assert record.restricted
    assert {(record.subject, SCHEMA.gender,
             URIRef(f"{BASE}uwazi/cejil/thesaurus/58ada34c299e82674854510b/0bee5c20-24c4-416f-b57b-6856d03f1ae5")),
            (record.subject, SCHEMA.nationality, ID["cejil.5eozz296h29h33di"]),
            (ID["cejil.1wh2j0h1bawcdi.mandatos.1"], FP.endDate, Literal("1985-12-31", datatype=XSD.date))} <= set(record.triples)


# ---------------------------------------------------------------- determinism, restriction


def test_conversion_is_deterministic(schema, mapping):
    first = convert_uwazi(read_uwazi_json(SAMPLES / "entities.sample.json", schema), mapping)
    second = convert_uwazi(read_uwazi_json(SAMPLES / "entities.sample.json", schema), mapping)
    assert ntriples(first) == ntriples(second)
    assert all(r.triples == sorted(r.triples, key=lambda t: tuple(x.n3() for x in t)) for r in first)


def test_unpublished_entity_is_restricted(tmp_path, schema, mapping):
    path = edited_json(tmp_path, "entities.sample.json", lambda raw: raw["entities"][4].update(published=False))
    records = convert_uwazi(read_uwazi_json(path, schema), mapping)
    assert record_of(records, "22i9rte328dxi529").restricted  # one of its two copies is unpublished
    assert not record_of(records, "4y8kfethw87aatt9").restricted


# ---------------------------------------------------------------- bad input says where


def error_of(call):
    with pytest.raises(RecordError) as caught:
        call()
    return caught.value


def set_metadata(index, name, value):
    return lambda raw: raw["entities"][index]["metadata"].update({name: value})


@pytest.mark.parametrize("edit, field, problem", [
    (set_metadata(3, "fecha", [{"value": "abc"}]), "fecha", "date 'abc' is not a time in Unix seconds"),
    (set_metadata(3, "tipo", [{"value": "nope", "label": "Nope"}]), "tipo", "value 'nope' (Nope) is not in thesaurus 'Tipos'"),
    (set_metadata(3, "firmas", [{"value": "x"}]), "firmas", "template 'Ordenes de la corte' has no property 'firmas'"),
    (lambda raw: raw["entities"][3].update(template="000000000000000000000000"), "template",
     "template '000000000000000000000000' is not among the templates"),
])
def test_bad_json_value_is_named(tmp_path, schema, edit, field, problem):
    error = error_of(lambda: read_uwazi_json(edited_json(tmp_path, "entities.sample.json", edit), schema))
    assert error.origin.record == "#3 22i9rte328dxi529" and error.origin.field == field
    assert error.origin.file.endswith("entities.sample.json") and problem in error.problem


def test_bad_geolocation_is_named(tmp_path):
    edit = lambda raw: raw["searchResults"]["rows"][0]["metadata"].update(  # noqa: E731
        geolocation_geolocation=[{"value": {"lat": 95, "lon": 2, "label": ""}}])
    error = error_of(lambda: read_uwazi_json(edited_json(tmp_path, "exportCsvFixtures.json", edit)))
    assert (error.origin.record, error.origin.field) == ("#0 te3psdbg6tpj5rk9", "geolocation_geolocation")
    assert "out of range" in error.problem


@pytest.mark.parametrize("row, field, problem", [
    ("x,2017-01-05,Super Villian,,,,,,,,,,,,1941/13/45,,,Published", "DOB",
     "date '1941/13/45' is not in format YYYY-MM-DD (nor LL, YYYY MM DD, YYYY/MM/DD, YYYY)"),
    ('x,2017-01-05,Comic character,,,,,,,,"45.9",,,,,,,Published', "Geolocation", "geolocation '45.9' is not 'latitude|longitude'"),
    ("x,2017-01-05,Super Villian,,,,,,,,,,,many,,,,Published", "Planets conquered", "numeric 'many' is not a number"),
    ("x,2017-01-05,Hero,,,,,,,,,,,,,,,Published", "Template", "template 'Hero' is not among the templates"),
    ("x,2017-01-05,Super Villian,,,,,,,,,,,,,,,Maybe", "Published", "'Maybe' is neither 'Published' nor 'Unpublished'"),
])
def test_bad_csv_value_is_named(tmp_path, search, row, field, problem):
    header = (SAMPLES / "exportCsvFixtures.csvExample.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "export.csv"
    path.write_text(f"{header}\n\n{row}\n", encoding="utf-8")
    error = error_of(lambda: read_uwazi_csv(path, search.schema, date_format="YYYY-MM-DD"))
    assert (error.origin.file, error.origin.line, error.origin.record, error.origin.field) == (str(path), 3, "x", field)
    assert problem in error.problem


def test_csv_line_counts_lines_inside_quoted_cells(tmp_path):
    simple = template("simple", ("simple_text_field", "simple text field", "text"), ("date_field", "Date field", "date"))
    path = tmp_path / "import.csv"
    path.write_text('Title,simple text field,Date field\none,"two\nlines",2020/01/02\ntwo,,02-01-2020\n', encoding="utf-8")
    error = error_of(lambda: read_uwazi_csv(path, UwaziSchema({"s": simple}, {}), "simple"))
    assert (error.origin.line, error.origin.record, error.origin.field) == (4, "two", "Date field")
    assert "date '02-01-2020' is not in format YYYY/MM/DD" in error.problem


def test_property_not_in_the_mapping_is_named(tmp_path, sample):
    text = SAMPLES_MAPPING.read_text(encoding="utf-8").replace('properties.fecha = { predicate = "dct:date" }\n', "", 1)
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    error = error_of(lambda: convert_uwazi(sample, load_mapping(tmp_path / "m.toml")))
    assert (error.origin.record, error.origin.field) == ("#3 22i9rte328dxi529", "fecha")
    assert "properties not in the mapping for template 'Ordenes de la corte': fecha" in error.problem
    skipping = text.replace('unmapped = "error"', 'unmapped = "skip"')
    (tmp_path / "skip.toml").write_text(skipping, encoding="utf-8")
    found = triples(convert_uwazi(sample, load_mapping(tmp_path / "skip.toml")))
    assert not any(p == DCTERMS.date for _, p, _ in found)


def test_template_not_in_the_mapping_is_named(tmp_path, sample):
    text = SAMPLES_MAPPING.read_text(encoding="utf-8").replace('[templates."País"]', '[templates."Pais"]')
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    error = error_of(lambda: convert_uwazi(sample, load_mapping(tmp_path / "m.toml")))
    assert (error.origin.record, error.origin.field) == ("#6 5i87kwgiafw29", "template")
    assert "template 'País' is not in the mapping" in error.problem


@pytest.mark.parametrize("edit, field, problem", [
    (lambda raw: raw["entities"][6].update(sharedId="5i87kwgiafw-29"), "sharedId",
     "sharedId '5i87kwgiafw-29' has characters outside [a-z0-9]"),
    (lambda raw: raw["entities"][6].update(sharedId="5I87KWGIAFW29"), "sharedId",
     "sharedId '5I87KWGIAFW29' has characters outside [a-z0-9]"),
    (lambda raw: raw["entities"][6].pop("sharedId"), "sharedId", "the entity has no sharedId"),
])
def test_bad_shared_id_is_rejected(tmp_path, schema, mapping, edit, field, problem):
    export = read_uwazi_json(edited_json(tmp_path, "entities.sample.json", edit), schema)
    error = error_of(lambda: convert_uwazi(export, mapping))
    assert error.origin.record.startswith("#6") and error.origin.field == field and problem in error.problem


def test_relationship_target_with_a_bad_shared_id_is_rejected(search, tmp_path):
    # Country's target sharedId in the sample ends in a comma; mapped as a link, it must not be "fixed".
    text = SAMPLES_MAPPING.read_text(encoding="utf-8").replace(
        'properties.country = { inherited = { predicate = "schema:nationality" } }',
        'properties.country = { predicate = "schema:nationality" }')
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    error = error_of(lambda: convert_uwazi(search, load_mapping(tmp_path / "m.toml")))
    assert error.origin.field == "country" and "'tf4laogfdcf8ncdi111111,'" in error.problem


def test_toy_as_published_is_rejected_where_it_is_incomplete(toy_mapping):
    raw_toy = read_uwazi_json(SAMPLES / "metadataHelpersFixtures.json")
    assert "no sharedId" in error_of(lambda: convert_uwazi(raw_toy, toy_mapping)).problem
    with_id = replace(raw_toy, entities=(replace(raw_toy.entities[0], shared_id="rudeawakening"),))
    error = error_of(lambda: convert_uwazi(with_id, toy_mapping))
    assert error.origin.field == "link" and "link URL 'link url' is not an absolute URL" in error.problem


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


def test_footprints_example_mapping_converts_a_victim(tmp_path):
    """A made-up FOOTPRINTS-style record in the shape of the example mapping's templates."""
    victim_template = {"_id": "t1", "name": "Victim", "properties": [
        {"_id": "p1", "name": "category", "label": "Category", "type": "select", "content": "th1"},
        {"_id": "p2", "name": "date_of_abduction", "label": "Date of abduction", "type": "date"},
        {"_id": "p3", "name": "place_of_abduction_geolocation", "label": "Place of abduction", "type": "geolocation"},
        {"_id": "p4", "name": "credited_to", "label": "Credited to", "type": "relationship", "content": "t2"},
        {"_id": "p5", "name": "record_number", "label": "Record number", "type": "generatedid"},
        {"_id": "p6", "name": "period_of_abduction", "label": "Period of abduction", "type": "daterange"},
        {"_id": "p7", "name": "age_at_abduction", "label": "Age at abduction", "type": "numeric"},
        {"_id": "p8", "name": "occupation", "label": "Occupation", "type": "text"},
        {"_id": "p9", "name": "status", "label": "Status", "type": "select", "content": "th2"},
        {"_id": "p10", "name": "status_as_of", "label": "Status as of", "type": "date"},
        {"_id": "p11", "name": "summary", "label": "Summary", "type": "markdown"},
        {"_id": "p12", "name": "photo", "label": "Photo", "type": "image"},
        {"_id": "p13", "name": "testimony", "label": "Testimony", "type": "media"},
        {"_id": "p14", "name": "more_information", "label": "More information", "type": "link"},
    ]}
    thesauri = [{"_id": "th1", "name": "Category", "values": [{"id": "wa1", "label": "Wartime abductee"}]},
                {"_id": "th2", "name": "Status", "values": [{"id": "st1", "label": "Detained"}]}]
    entity = {"sharedId": "kim1950", "language": "en", "title": "Kim", "template": "t1", "published": True, "metadata": {
        "category": [{"value": "wa1", "label": "Wartime abductee"}],
        "date_of_abduction": [{"value": -616032000}],
        "place_of_abduction_geolocation": [{"value": {"lat": 37.57, "lon": 126.98, "label": "Seoul"}}],
        "credited_to": [{"value": "kwafu1", "label": "KWAFU"}],
        "record_number": [{"value": "FP-0001"}],
        "age_at_abduction": [{"value": 24}],
        "status": [{"value": "st1", "label": "Detained"}],
        "status_as_of": [{"value": 1388534400}],
        "photo": [{"value": "/api/files/kim.jpg"}],
    }}
    path = tmp_path / "victims.json"
    japanese = dict(entity, language="ja", title="キム")
    path.write_text(json.dumps({"templates": [victim_template], "thesauris": thesauri, "rows": [entity, japanese]}),
                    encoding="utf-8")
    record = convert_uwazi(read_uwazi_json(path), load_mapping(REPO / "data" / "uwazi" / "footprints-victims.toml"))[0]
    victim, abduction = ID["nkfootprints.kim1950"], ID["nkfootprints.kim1950.abduction"]
    place = ID["nkfootprints.kim1950.abduction.place-of-abduction-geolocation.1"]
    status = ID["nkfootprints.kim1950.status"]
    assert {o for s, p, o in record.triples if (s, p) == (victim, RDFS.label)} == {Literal("Kim", lang="ko-Latn")}
    assert {(abduction, FP.ageAtTime, Literal(24)), (abduction, DCTERMS.source, URIRef(f"{BASE}document/footprints-database")), (status, RDF.type, FP.StatusAssessment),
            (status, FP.statusOf, victim), (status, FP.status, FPV["status/detained"]),
            (status, FP.asOf, Literal("2014-01-01", datatype=XSD.date)),
            (victim, SCHEMA.image, URIRef("https://nkfootprints.info/api/files/kim.jpg"))} <= set(record.triples)
    assert {(victim, RDF.type, FP.Victim), (victim, RDF.type, FP.WartimeAbductee),
            (victim, FP.victimCategory, FP.WartimeAbductee), (abduction, RDF.type, FP.Abduction),
            (abduction, FP.victim, victim), (abduction, FP.date, Literal("1950-06-25", datatype=XSD.date)),
            (abduction, FP.place, place), (place, RDFS.label, Literal("Seoul")),
            (victim, FP.creditedTo, ID["nkfootprints.kwafu1"]), (victim, DCTERMS.identifier, Literal("FP-0001")),
            (victim, DCTERMS.source, URIRef(f"{BASE}document/footprints-database")),
            (victim, PROV.wasDerivedFrom, URIRef("https://nkfootprints.info/entity/kim1950"))} <= set(record.triples)


def test_uwazi_terms_are_declared_in_the_ontology():
    text = (REPO / "ontology" / "uwazi.ttl").read_text(encoding="utf-8")
    source = (REPO / "footprints_graph" / "convert" / "uwazi.py").read_text(encoding="utf-8")
    used = set(re.findall(r"\bFP\.(uwazi\w+)", source))
    assert used == {"uwaziSharedId", "uwaziTemplate"}
    for term in used:
        block = text[text.index(f"fp:{term} a "):].split(" .\n", 1)[0]
        assert "@en" in block and "@ko" in block and "skos:definition" in block
        assert "rdfs:isDefinedBy <https://w3id.org/footprints-graph/ontology/uwazi>" in block
