"""Synthetic records: deterministic, in the seed's proportions, inside each category's legal window, all
under the synthetic namespace, built by the real converter, and never mixed with the real records."""

import csv
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from footprints_graph.cli import main
from footprints_graph.convert.synth import CATEGORIES, MARKER, NOTICE, synthesize, write_synthetic
from footprints_graph.convert.synth_model import DISPUTED_EVERY
from footprints_graph.convert.synth_reference import LIBRARY_STAND_INS, WIKIDATA_SANDBOX, synthetic_text
from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.sparql.library import library
from footprints_graph.iris import DEFAULT_BASE, SYNTHETIC_BASE
from footprints_graph.releases.build import build
from footprints_graph.releases.views.library import LibraryAnswers
from footprints_graph.store.embedded import open_store
from footprints_graph.web import create_app
from support import ROOT

SAMPLE = 20_000  # large enough for proportions to settle, small enough to draw in about a second
SMALL = 200  # the build every library query must answer on (issue 15): a handful of POWs, one detainee
PAGE_AGE_GROUPS = {"10s": 12679, "20s": 56437, "30s": 17063, "40s": 5329, "50s": 2517}
PROJECT_IRI = re.compile(r"https://w3id\.org/footprints-graph/[^\s>\"]*")


@pytest.fixture(scope="module")
def tables() -> dict[str, list[dict[str, str]]]:
    return synthesize(SAMPLE, seed=7).rows


@pytest.fixture(scope="module")
def synthetic_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "records"
    write_synthetic(out, SMALL, seed=3)
    return build(out, tmp_path_factory.mktemp("home"), SYNTHETIC_BASE)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path):
    write_synthetic(tmp_path / "a", 300, seed=1)
    write_synthetic(tmp_path / "b", 300, seed=1)
    write_synthetic(tmp_path / "c", 300, seed=2)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a")["people.csv"] != _files(tmp_path / "c")["people.csv"]


def _first_listings(tables) -> dict[str, dict[str, str]]:
    people = {}
    for row in tables["people"]:
        people.setdefault(row["person"], row)
    return people


def test_categories_follow_the_seed_mostly_wartime_then_post_war_few_pows_and_detainees(tables):
    counts = Counter(row["category"] for row in _first_listings(tables).values())
    weights = {c.notation: c.weight for c in CATEGORIES}
    for category, weight in weights.items():
        assert counts[category] >= 1
        assert abs(counts[category] / SAMPLE - weight / sum(weights.values())) < 0.002, counts
    assert counts["wartime-abductee"] > counts["post-war-abductee"] > counts["prisoner-of-war"] >= counts["detainee"]


def test_wartime_ages_follow_the_pages_age_groups(tables):
    wartime = {key for key, row in _first_listings(tables).items() if row["category"] == "wartime-abductee"}
    acts = [row for row in tables["events"] if row.get("person") in wartime and row["event_type"] == "abduction"]
    groups = Counter(f"{int(row['age']) // 10 * 10}s" for row in acts)
    for group, count in PAGE_AGE_GROUPS.items():
        assert abs(groups[group] / len(acts) - count / sum(PAGE_AGE_GROUPS.values())) < 0.002, groups


def _span(text: str) -> tuple[date, date]:
    """The first and last day a partial date (YYYY, YYYY-MM, YYYY-MM-DD) can mean."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return date(*parts), date(*parts)
    if len(parts) == 2:
        following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return date(parts[0], parts[1], 1), date.fromordinal(following.toordinal() - 1)
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def test_every_act_date_falls_in_its_categorys_legal_window(tables):
    """A partial date must overlap the window, as the shapes read it; the day it was drawn from lies inside."""
    windows = {c.notation: c.window for c in CATEGORIES}
    category = {key: row["category"] for key, row in _first_listings(tables).items()}
    acts = [row for row in tables["events"] if row.get("person") and row.get("age")]
    for row in acts:
        first, last = _span(row["date"])
        window = windows[category[row["person"]]]
        assert first <= window[1] and window[0] <= last, row
    assert windows["wartime-abductee"] == (date(1950, 6, 25), date(1953, 7, 27))
    assert windows["post-war-abductee"][0] == date(1953, 7, 28) and windows["detainee"][0] == date(2013, 1, 1)


def test_some_dates_are_only_a_year_or_a_month(tables):
    precision = Counter(len(row["date"].split("-")) for row in tables["events"] if row.get("date"))
    assert all(precision[n] / sum(precision.values()) > 0.15 for n in (1, 2, 3)), precision


def test_records_carry_sources_credits_family_links_and_dated_statuses(tables):
    documents = {row["key"]: row["label"] for row in tables["documents"]}
    assert all(documents[row["source"]].startswith(NOTICE) for table in ("people", "events", "statuses")
               for row in tables[table])
    assert all(row["credited_to"] for row in _first_listings(tables).values())
    notes = [row["note"] for row in tables["people"] if row.get("note")]
    assert len(notes) > SAMPLE * 0.02 and all(n.startswith("Taken together with their ") for n in notes)
    assert all(row["as_of"] and row["status"] for row in tables["statuses"])
    assert len(tables["statuses"]) == SAMPLE


def _figure_counts(tables, dataset: str, *dimensions: str) -> Counter:
    return Counter({tuple(f[d] for d in dimensions): int(f["count"]) for f in tables["figures"]
                    if f["dataset"] == dataset})


def test_the_outcome_figures_count_the_synthetic_victims_themselves(tables):
    """Issue 15: the figures the library's outcome queries read (still detained, post-war by subgroup, POWs who
    escaped or died) say what the synthetic records say, counted here from the statuses and events."""
    category = {person: row["category"] for person, row in _first_listings(tables).items()}
    acts, later = {}, {}
    for event in tables["events"]:
        if event.get("occupation") is not None and event.get("age"):
            acts[event["person"]] = event
        elif event.get("person"):
            later[event["person"]] = event
    held = Counter(category[s["person"]] for s in tables["statuses"] if s["status"] == "detained")
    assert _figure_counts(tables, "synthetic-still-detained", "victim_category", "outcome") == Counter(
        {(c, "still-detained"): n for c, n in held.items()})
    subgroups = {"fisherman": "fishermen", "airline passenger": "kal-aircraft", "airline crew member": "kal-aircraft",
                 "soldier": "military-and-police", "police officer": "military-and-police",
                 "student": "others-in-the-south", "business person": "others-in-the-south"}
    outcome = {"repatriation": "repatriated", "escape-and-return": "escaped-and-returned", None: "still-detained"}
    post_war = [p for p, c in category.items() if c == "post-war-abductee"]
    expected = Counter((subgroups[acts[p]["occupation"]], "taken") for p in post_war) + Counter(
        (subgroups[acts[p]["occupation"]], outcome[later.get(p, {}).get("event_type")]) for p in post_war)
    assert _figure_counts(tables, "synthetic-post-war-by-subgroup", "subgroup", "outcome") == expected
    pows = [later[p] for p, c in category.items() if c == "prisoner-of-war" and p in later]
    escapes = [e for e in pows if e["event_type"] == "escape-and-return"]
    assert _figure_counts(tables, "synthetic-pow-outcomes", "outcome") == Counter(
        {("escaped-and-returned",): len(escapes), ("deceased",): sum(e["event_type"] == "death" for e in pows)})
    assert _figure_counts(tables, "synthetic-pow-escapes-by-year", "ref_year") == Counter(
        (e["date"][:4],) for e in escapes)
    assert escapes and held["post-war-abductee"] and len(expected) > 4

def test_media_items_about_each_category_credited_as_the_real_ones(tables):
    categories = Counter(row["category"] for row in _first_listings(tables).values())
    media = Counter(item["victim_category"] for item in tables["media"] if item["media_type"] != "newspaper")
    assert media == Counter({c: -(-n // 1000) for c, n in categories.items()})  # one per thousand, rounded up
    organisations = {row["key"] for row in tables["organisations"]}
    assert all(item["credited_to"] in organisations and item["credit"] and item["title"].startswith(NOTICE)
               for item in tables["media"] if item["media_type"] != "newspaper")


def test_a_perpetrators_claim_printed_in_a_newspaper_as_the_real_one(tables):
    (claim,) = tables["claims"]
    newspapers = {m["key"]: m for m in tables["media"] if m["media_type"] == "newspaper"}
    assert claim["published_in"] in newspapers and newspapers[claim["published_in"]]["title"].startswith(NOTICE)
    assert claim["statement"] in newspapers[claim["published_in"]]["title"]
    claimant = next(o for o in tables["organisations"] if o["key"] == claim["claimant"])
    assert claimant["organisation_type"] == "armed-force" and "(synthetic" in claimant["label"]


def test_some_second_listings_give_another_category_as_sources_do(tables):
    """One second listing in DISPUTED_EVERY, the first among them, puts the person in the category their own is
    most often confused with (a detainee among post-war abductees, as the real records do for one person)."""
    first = _first_listings(tables)
    confused = {c.notation: c.confused_with for c in CATEGORIES}
    seconds = [row for row in tables["people"] if row is not first[row["person"]]]
    disputed = [row for row in seconds if row["category"] != first[row["person"]]["category"]]
    assert disputed[0] is seconds[0] and len(disputed) == -(-len(seconds) // DISPUTED_EVERY)
    assert all(row["category"] == confused[first[row["person"]]["category"]] for row in disputed)


def test_the_fixed_records_are_invented_and_name_no_real_body_or_document(tables):
    """Organisations, instruments and UN-style documents are stand-ins: none shares a name, abbreviation, symbol
    or Wikidata item with the real records, and the Wikidata links are Wikidata's own sandbox items."""
    real_names, real_symbols, real_links = set(), set(), set()
    for name in ("organisations", "instruments", "documents"):
        with (ROOT / "data" / f"{name}.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                real_names |= {n.lower() for n in [row["label"], *row.get("alt_labels", "").split("|")] if n}
                real_symbols.add(row.get("un_symbol")), real_links.add(row.get("same_as"))
    for name in ("organisations", "instruments"):
        for row in tables[name]:
            names = [row["label"], *row.get("alt_labels", "").split("|")]
            assert "synthetic" in row["label"].lower() and not {n.lower() for n in names} & real_names, row
    symbols = {row["un_symbol"] for name in ("documents", "instruments") for row in tables[name] if row.get("un_symbol")}
    assert symbols and all(symbol.startswith("SYN/") for symbol in symbols) and not symbols & real_symbols
    links = {row["same_as"] for row in tables["organisations"] if row.get("same_as")}
    assert links == set(WIKIDATA_SANDBOX) and not links & real_links

def test_names_are_hangul_and_romanized_and_never_a_name_from_the_real_records(tables):
    with (ROOT / "data" / "people.csv").open(encoding="utf-8") as handle:
        real = {name.lower() for row in csv.DictReader(handle) for name in [row["name"], *row["alt_names"].split("|")]}
    for row in _first_listings(tables).values():
        assert re.fullmatch(r"[\uac00-\ud7a3]{3}", row["alt_names"]), row
        assert re.fullmatch(r"[A-Z][a-z]* [A-Z][a-z]+-[a-z]+", row["name"]), row
    assert not {row["name"].lower() for row in tables["people"]} & real


def test_a_small_synth_builds_through_the_real_converter_and_passes_the_shapes(synthetic_build):
    summary = synthetic_build.summary
    assert summary["graphs"][SYNTHETIC_BASE + "graph/people"]["records"] > SMALL * 0.9
    assert summary["records"] > SMALL * 3  # a person, their act and their status at least
    media_items = summary["graphs"][SYNTHETIC_BASE + "graph/media"]["records"]
    # a media item has no address column, so each gets the warning every real media item gets (a source's link)
    assert summary["validation"] == {"conforms": True, "violations": 0, "warnings": media_items, "infos": 0}
    report = json.loads((synthetic_build.release / "validation.json").read_text(encoding="utf-8"))
    assert {(r["record"].split("/")[-2], x["source_shape"].rsplit("#", 1)[1]) for r in report["records"]
            for x in r["results"]} == {("media", "SourceDocumentShape-link")}


@pytest.mark.parametrize("query", library(SYNTHETIC_BASE), ids=lambda q: q.name)
def test_every_library_query_a_synthetic_site_serves_finds_something_and_is_carried(synthetic_build, query):
    """Issue 15: the benchmark times answers, not empty ones. A synthetic site's library asks synth's stand-in
    where a query's example names a real person, body or document, and the release carries that text's answer."""
    store = open_store(synthetic_build.release / "store")
    rows = list(store.query(query.text, use_default_graph_as_union=True))
    assert rows, f"{query.name} found nothing in {SMALL} synthetic victims"
    stored = LibraryAnswers(synthetic_build.release / "views").find(query.text)
    assert stored is not None and stored.rows == len(rows)


def test_a_synthetic_site_serves_each_stand_in_where_a_real_one_serves_the_real_example():
    real = {q.name: q.text for q in library()}
    synthetic = {q.name: q.text for q in library(SYNTHETIC_BASE)}
    assert real == {q.name: q.text for q in library(DEFAULT_BASE)}
    for name, (example, stand_in) in LIBRARY_STAND_INS.items():
        assert real[name].count(example) == 1 and stand_in not in real[name]
        assert synthetic[name] == synthetic_text(name, real[name]) and example not in synthetic[name]
    assert {n: t for n, t in synthetic.items() if n not in LIBRARY_STAND_INS} == {
        n: t for n, t in real.items() if n not in LIBRARY_STAND_INS}


def test_a_synthetic_site_offers_the_stand_in_and_answers_it_from_the_release(synthetic_build):
    client = create_app(EndpointConfig(home=synthetic_build.release.parent.parent, base=SYNTHETIC_BASE,
                                       query_timeout=5)).test_client()
    text = client.get("/queries/sourced-to-a-hrc-25-63.rq").get_data(as_text=True)
    real, stand_in = LIBRARY_STAND_INS["sourced-to-a-hrc-25-63"]
    assert stand_in in text and real not in text
    answer = client.get("/sparql", query_string={"query": text}, headers={"Accept": "text/csv"})
    stored = LibraryAnswers(synthetic_build.release / "views").find(text)
    assert answer.status_code == 200 and answer.get_data() == stored.file(ox.QueryResultsFormat.CSV).read_bytes()
    assert stored.rows > 0


def test_every_synthetic_iri_and_graph_is_in_the_synthetic_namespace(synthetic_build):
    dump = (synthetic_build.release / "dumps" / "footprints.nq").read_text(encoding="utf-8")
    minted = {iri for iri in PROJECT_IRI.findall(dump) if not iri.startswith(
        ("https://w3id.org/footprints-graph/ontology", "https://w3id.org/footprints-graph/vocab"))}
    assert minted and all(iri.startswith(SYNTHETIC_BASE) for iri in minted)
    assert DEFAULT_BASE not in dump
    graphs = {g.value for g in open_store(synthetic_build.release / "store").named_graphs()}
    assert graphs - {"https://w3id.org/footprints-graph/ontology"} <= {
        SYNTHETIC_BASE + f"graph/{t}" for t in ("people", "events", "statuses", "documents", "organisations",
                                                  "datasets", "figures", "media", "instruments", "claims",
                                                  "findings", "inconsistencies")}


def test_every_synthetic_person_cites_a_document_that_says_it_is_not_real(synthetic_build):
    rows = open_store(synthetic_build.release / "store").query(f"""
        PREFIX fp: <https://w3id.org/footprints-graph/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?person WHERE {{ ?person a fp:Victim FILTER NOT EXISTS {{
          ?person dct:source/rdfs:label ?label FILTER(STRSTARTS(STR(?label), "{NOTICE}")) }} }}""",
        use_default_graph_as_union=True)
    assert list(rows) == []


def test_a_build_of_the_real_records_holds_no_synthetic_iri(built_release):
    assert b"/synthetic/" not in (built_release / "dumps" / "footprints.nq").read_bytes()


def test_synth_refuses_to_write_among_other_files(tmp_path, capsys):
    (tmp_path / "people.csv").write_text("person,name,category,source\n", encoding="utf-8")
    assert main(["synth", "--victims", "10", "--out", str(tmp_path)]) == 2
    assert MARKER in capsys.readouterr().err
    assert (tmp_path / "people.csv").read_text(encoding="utf-8") == "person,name,category,source\n"


def test_synth_rewrites_its_own_earlier_output(tmp_path, capsys):
    assert main(["synth", "--victims", "10", "--seed", "1", "--out", str(tmp_path / "s")]) == 0
    assert main(["synth", "--victims", "20", "--seed", "1", "--out", str(tmp_path / "s")]) == 0
    assert '"statuses": 20' in capsys.readouterr().out
