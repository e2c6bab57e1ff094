"""Back to Uwazi (issue 8): `footprints-graph export --uwazi-csv OUT` writes Uwazi CSV import files that the
Uwazi importer (records/uwazi/csv.py) reads back to the same records the store holds."""

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from footprints_graph.cli import main
from footprints_graph.iris import PREFIXES
from footprints_graph.records.uwazi import read_uwazi_csv, read_uwazi_schema
from footprints_graph.releases.reconciliation import date_bounds
from footprints_graph.releases.uwazi_export import TEMPLATES, uwazi_range

FILES = {t.name: t.file for t in TEMPLATES}


@pytest.fixture(scope="module")
def exported(built_home, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("uwazi")
    assert main(["export", "--uwazi-csv", str(out), "--home", str(built_home)]) == 0
    return out


@pytest.fixture(scope="module")
def parsed(exported) -> dict[str, dict[str, object]]:
    """template → {record IRI: the entity's English copy}, read by the Uwazi importer."""
    schema = read_uwazi_schema(exported / "templates.json", exported / "thesauri.json")
    found = {}
    for name, file in FILES.items():
        export = read_uwazi_csv(exported / file, schema, template=name)
        assert export.ignored_columns == (), f"{file}: columns the template lacks"
        found[name] = {e.metadata["footprints_graph_iri"][0].url: e for e in export.entities if e.language == "en"}
    return found


def select(store, query: str) -> list[dict[str, str]]:
    rows = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    return [{v.value: row[v].value for v in rows.variables if row[v] is not None} for row in rows]


def grouped(store, query: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in select(store, query):
        found.setdefault(row["s"], set()).add(row["v"])
    return found


def day(seconds: int | None) -> date | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC).date()


def labels(values) -> set[str]:
    return {getattr(v, "label", None) or getattr(v, "title", None) or v for v in values}


# ---------------------------------------------------------------- the files


def test_one_file_per_template_and_their_definitions(exported):
    assert sorted(p.name for p in exported.iterdir()) == sorted([*FILES.values(), "templates.json", "thesauri.json"])


def test_headers_follow_uwazi_import_conventions(exported):
    with (exported / "victims.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:2] == ["Title__en", "Title__ko"]
    kim = next(r for r in rows if r["Title__en"] == "Kim Jung-Wook")
    assert kim["Victim category"] == "detainee|post-war abductee"
    assert kim["Date of act"] == "2013/10/01:" and kim["Date of act as stated"] == "2013-10/.."
    assert kim["Status as of"] == "2024/03/27"
    ahn = next(r for r in rows if r["Title__en"] == "Ahn Ho-Cheol")
    assert ahn["Date of act"] == "1950/06/25:1953/07/27"


@pytest.mark.parametrize("interval,expected", [
    ("2013-10/..", "2013/10/01:"), ("1950-06-25/1953-07-27", "1950/06/25:1953/07/27"),
    ("2014", "2014/01/01:2014/12/31"), ("2016-02", "2016/02/01:2016/02/29"), ("../2020", ":2020/12/31"),
])
def test_partial_dates_become_the_days_they_cover(interval, expected):
    assert uwazi_range(interval) == expected


# ---------------------------------------------------------------- the round trip


VICTIM_FACTS = {  # Uwazi property → SPARQL binding ?s (the person) and ?v (the value), English labels
    "alternative_names": "?s a fp:Victim ; skos:altLabel ?v",
    "victim_category": "?s fp:victimCategory ?c . ?c rdfs:label ?v FILTER(lang(?v) = 'en')",
    "credited_to": "?s fp:creditedTo ?o . ?o skos:prefLabel ?v FILTER(lang(?v) = 'en')",
    "act": "?e fp:victim ?s ; a ?t . ?t skos:inScheme fpv:act-types ; rdfs:label ?v FILTER(lang(?v) = 'en')",
    "status": "?a fp:statusOf ?s ; fp:status ?c . ?c rdfs:label ?v FILTER(lang(?v) = 'en')",
    "sources": "?s a fp:Victim ; dct:source ?d . ?d skos:prefLabel ?v FILTER(lang(?v) = 'en')",
}


@pytest.mark.parametrize("prop", sorted(VICTIM_FACTS))
def test_victims_round_trip(store, parsed, prop):
    expected = grouped(store, f"SELECT ?s ?v WHERE {{ {VICTIM_FACTS[prop]} }}")
    victims = parsed["Victim"]
    for iri, entity in victims.items():
        values = entity.metadata.get(prop, ())
        got = labels(values) if prop != "alternative_names" else set(values[0].split("|")) if values else set()
        assert got == expected.get(iri, set()), (iri, prop)


def test_victims_are_all_there_with_their_names(store, parsed):
    names = {r["s"]: r["v"] for r in select(store, "SELECT ?s ?v WHERE { ?s a fp:Victim ; skos:prefLabel ?v }")}
    assert {iri: e.title for iri, e in parsed["Victim"].items()} == names


def test_act_dates_round_trip_with_their_precision(store, parsed):
    """The Uwazi range covers the days the stated dates can mean; the text column keeps the statement."""
    rows = select(store, """SELECT ?s ?date ?start ?end WHERE { ?e fp:victim ?s ; a/skos:inScheme fpv:act-types .
        OPTIONAL { ?e fp:date ?date } OPTIONAL { ?e fp:startDate ?start } OPTIONAL { ?e fp:endDate ?end } }""")
    assert rows
    for row in rows:
        entity = parsed["Victim"][row["s"]]
        first, last = row.get("date") or row.get("start"), row.get("date") or row.get("end")
        (stated,) = entity.metadata["date_of_act_as_stated"]
        assert stated == row.get("date", f"{first or '..'}/{last or '..'}")
        (uwazi,) = entity.metadata["date_of_act"]
        assert day(uwazi.start) == (date_bounds(first)[0] if first else None)
        assert day(uwazi.end) == (date_bounds(last)[1] if last else None)


def test_status_dates_round_trip(store, parsed):
    rows = select(store, "SELECT ?s ?v WHERE { ?a fp:statusOf ?s ; fp:asOf ?v }")
    assert rows
    for row in rows:
        assert [day(s) for s in parsed["Victim"][row["s"]].metadata["status_as_of"]] == [date.fromisoformat(row["v"])]


def test_relationships_name_entities_of_the_target_template(parsed):
    """Uwazi links a relationship by the target's title, so every title must be one the import creates."""
    titles = {name: {e.title for e in entities.values()} for name, entities in parsed.items()}
    for template in TEMPLATES:
        for column in (c for c in template.columns if c.type == "relationship"):
            for entity in parsed[template.name].values():
                refs = {ref.title for ref in entity.metadata.get(column.name, ())}
                assert refs <= titles[column.target], (template.name, column.label, refs - titles[column.target])


def test_organisations_and_documents_round_trip(store, parsed):
    organisations = {r["s"] for r in select(store, "SELECT ?s WHERE { ?s a fp:Organisation }")}
    documents = {r["s"] for r in select(store, "SELECT DISTINCT ?s WHERE { ?s a/rdfs:subClassOf* fp:SourceDocument }")}
    assert set(parsed["Organisation"]) == organisations
    assert set(parsed["Source document"]) == documents
    kwafu = parsed["Organisation"]["https://w3id.org/footprints-graph/id/organisation/kwafu"]
    assert set(kwafu.metadata["alternative_names"][0].split("|")) == {"KWAFU", "Korean War Abductees' Family Union"}
    report = parsed["Source document"]["https://w3id.org/footprints-graph/id/document/a-hrc-25-63"]
    assert report.metadata["un_document_symbol"] == ("A/HRC/25/63",)


def test_a_hangul_title_becomes_a_korean_copy(parsed, exported):
    schema = read_uwazi_schema(exported / "templates.json", exported / "thesauri.json")
    export = read_uwazi_csv(exported / "documents.csv", schema, template="Source document")
    korean = [e for e in export.entities if e.language == "ko"]
    data = Path(__file__).resolve().parents[2] / "data"
    with (data / "instruments.csv").open(encoding="utf-8", newline="") as file:
        official_names = [row["label_ko"] for row in csv.DictReader(file) if row["label_ko"]]  # issue 14
    assert sorted(e.title for e in korean) == sorted(["북한에 의한 실종피해자 데이터베이스", *official_names])


def test_export_without_a_release_is_unusable_input(tmp_path, capsys):
    assert main(["export", "--uwazi-csv", str(tmp_path / "out"), "--home", str(tmp_path / "empty")]) == 2
    assert "no release" in capsys.readouterr().err
