"""The library queries rewritten to scale (issue 15) answer on synthetic records what the record tables say, read
with csv: a person's latest of several statuses, every person an organisation is credited with, the persons per
category and the age-group figures. The real records give one status per person and credit four persons; the
synthetic ones give hundreds, and a later status to every fifth person (added here, as a source would)."""

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from test_queries import answer, key

from footprints_graph.convert.synth import ORGANISATIONS, write_synthetic
from footprints_graph.endpoint.sparql.library import library_query
from footprints_graph.iris import SYNTHETIC_BASE
from footprints_graph.releases.build import build
from footprints_graph.store.embedded import open_store

VICTIMS = 400
LATER = "2024-12-31"  # no synthetic status is dated after synth's cutoff, so this one is always the latest


def _read(records: Path, name: str) -> list[dict[str, str]]:
    with (records / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _add_later_statuses(records: Path) -> None:
    """A second, later status for every fifth person: 'deceased' where the first said otherwise."""
    statuses = _read(records, "statuses")
    later = [{**row, "key": f"{row['key']}-later", "status": "alive" if row["status"] == "deceased" else "deceased",
              "as_of": LATER} for row in statuses[::5] if row["as_of"] < LATER]
    with (records / "statuses.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, list(statuses[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(statuses + later)


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "records"
    write_synthetic(folder, VICTIMS, seed=15)
    _add_later_statuses(folder)
    return folder


@pytest.fixture(scope="module")
def synthetic_store(records, tmp_path_factory):
    return open_store(build(records, tmp_path_factory.mktemp("home"), SYNTHETIC_BASE).release / "store")


@pytest.fixture(scope="module")
def published(records) -> list[dict[str, str]]:
    """The people table's rows of persons the public store holds (restricted ones stay with the curators)."""
    return [p for p in _read(records, "people") if p["restricted"] != "true"]


def test_each_named_detainee_has_the_latest_of_their_statuses(synthetic_store, records, published):
    persons = {p["person"] for p in published}
    latest = {}
    for status in sorted(_read(records, "statuses"), key=lambda s: s["as_of"]):
        latest[status["person"]] = (status["status"], status["as_of"])
    since = {e["person"]: e["start_date"] for e in _read(records, "events")
             if e["event_type"] == "arbitrary-detention" and e["start_date"]}
    expected = {person: (*state, since.get(person)) for person, state in latest.items() if person in persons}
    rows = answer(synthetic_store, "named-detainees")
    got = {key(r["person"]): (r["status"], r["asOf"], r.get("detainedSince")) for r in rows}
    assert got == expected and len(rows) == len(expected)
    assert sum(as_of == LATER for _, as_of, _ in got.values()) >= VICTIMS // 5 - 5  # the later statuses won


@pytest.mark.parametrize("organisation, label", [(o[0], o[1]) for o in ORGANISATIONS[:3]])
def test_every_person_credited_to_a_synthetic_organisation(synthetic_store, published, organisation, label):
    name = label.upper().replace("'", "\u2019")  # another case, the typographic apostrophe
    text = library_query("persons-credited-to-organisation").text.replace('LCASE("KWAFU")', f'LCASE("{name}")')
    expected = {(p["person"], p["category"]) for p in published if p["credited_to"] == organisation}
    got = {(key(r["person"]), r["category"]) for r in answer(synthetic_store, "", text)}
    assert got == expected and got


def test_the_organisations_credited_for_a_synthetic_person_by_a_variant_name(synthetic_store, records, published):
    documents = {d["key"]: d["label"] for d in _read(records, "documents")}
    listed_twice = [p for p in published if not p["credited_to"]][:3]  # a second source's spelling
    assert listed_twice
    for variant in listed_twice:
        named = {p["person"] for p in published
                 if variant["name"].lower() in {n.lower() for n in [p["name"], *p["alt_names"].split("|")]}}
        expected = {(p["credited_to"], p["category"], documents[p["source"]]) for p in published
                    if p["person"] in named and p["credited_to"]}
        text = library_query("organisations-credited-for-a-person").text.replace(
            'LCASE("Kim Jung-wook")', f'LCASE("{variant["name"].upper()}")')
        got = {(key(r["organisation"]), r["category"], r["source"]) for r in answer(synthetic_store, "", text)}
        assert got == expected and got, variant["name"]

def _categories(published: list[dict[str, str]]) -> dict[str, set[str]]:
    categories = defaultdict(set)
    for p in published:
        categories[p["person"]].add(p["category"])
    return categories


def test_persons_per_category_each_counted_once(synthetic_store, published):
    """Those whose sources agree are counted in their category; those a second source lists under another category
    (synth's disputed listings) in the disputed column of each."""
    categories = _categories(published)
    agreed = Counter(next(iter(found)) for found in categories.values() if len(found) == 1)
    disputed = Counter(category for found in categories.values() if len(found) > 1 for category in found)
    got = {r["category"]: (int(r["persons"]), int(r["disputedPersons"]))
           for r in answer(synthetic_store, "victims-by-category")}
    assert got == {category: (agreed[category], disputed[category]) for category in agreed | disputed}
    assert sum(persons for persons, _ in got.values()) + disputed.total() // 2 == len(categories)
    assert disputed


def test_the_inconsistencies_recorded_on_synthetic_records(synthetic_store, records, published):
    """The persons whose listings disagree, and the yearbook whose stale total its parts exceed: as the record
    tables give them, and the breakdown's difference as breakdowns-that-do-not-add-up computes it."""
    figures = _read(records, "figures")
    yearbook = sum(int(f["count"]) for f in figures if f["dataset"] == "synthetic-union-yearbook")
    total = next(int(f["count"]) for f in figures if f["key"] == "synthetic-union-wartime-total")
    differ = {person for person, found in _categories(published).items() if len(found) > 1}
    rows = answer(synthetic_store, "inconsistencies")
    assert {key(r["involved"].split()[0]).split(".")[0] for r in rows if r["rule"] == "categories-differ"} == differ
    assert [(r["rule"], key(r["dataset"]), int(r["difference"])) for r in rows if "dataset" in r] == [
        ("parts-exceed-total", "synthetic-union-yearbook", yearbook - total)]
    assert [(key(r["dataset"]), int(r["difference"])) for r in answer(synthetic_store, "breakdowns-that-do-not-add-up")
            ] == [("synthetic-union-yearbook", yearbook - total)]
    assert differ and yearbook > total


def test_the_synthetic_wartime_lists(synthetic_store, records):
    expected = {(f["subgroup"], f["outcome"], int(f["count"])) for f in _read(records, "figures")
                if f["victim_category"] == "wartime-abductee" and f["subgroup"]}
    got = {(r["list"], r["outcome"], int(r["count"])) for r in answer(synthetic_store, "wartime-abductee-lists")}
    assert got == expected and len(got) == 2


def test_the_synthetic_acts_that_breach_instruments(synthetic_store, records):
    expected = {(e["key"], i) for e in _read(records, "events") for i in e["breaches"].split("|") if i}
    got = {(key(r["act"]), key(r["instrument"])) for r in answer(synthetic_store, "acts-breaching-instruments")}
    assert got == expected and expected


def test_synthetic_un_documents_claims_and_wikidata_links(synthetic_store, records):
    symbols = {r["un_symbol"] for name in ("documents", "instruments") for r in _read(records, name) if r["un_symbol"]}
    assert {r["symbol"] for r in answer(synthetic_store, "un-documents")} == symbols
    links = {(o["key"], o["same_as"]) for o in _read(records, "organisations") if o["same_as"]}
    got = {(key(r["organisation"]), r["wikidata"]) for r in answer(synthetic_store, "organisations-with-wikidata")}
    assert got == links and links
    claims = {(c["key"], c["claimant"], int(c["claimed_count"])) for c in _read(records, "claims")}
    got = {(key(r["claim"]), key(r["claimant"]), int(r["claimedNumber"])) for r in
           answer(synthetic_store, "claims-of-parties")}
    assert got == claims and claims


def test_wartime_abductees_by_age_group(synthetic_store, records):
    expected = {f["age_group"]: int(f["count"]) for f in _read(records, "figures")
                if f["victim_category"] == "wartime-abductee" and f["age_group"]}
    got = {r["ageGroup"]: int(r["count"]) for r in answer(synthetic_store, "wartime-abductees-by-age-group")}
    assert got == expected and sum(got.values()) > VICTIMS // 2

def _figures(records: Path, dataset: str) -> list[dict[str, str]]:
    return [f for f in _read(records, "figures") if f["dataset"] == dataset]


def test_the_outcome_queries_answer_from_the_synthetic_figures(synthetic_store, records):
    """still detained per category, post-war abductees by subgroup, what became of the POWs who escaped: the
    figures synth counts from its victims (the age-group and category figures carry no outcome of these)."""
    held = {(f["victim_category"], int(f["count"])) for f in _figures(records, "synthetic-still-detained")}
    assert {(r["category"], int(r["count"])) for r in answer(synthetic_store, "still-detained-by-category")} == held
    taken = {f["subgroup"]: int(f["count"]) for f in _figures(records, "synthetic-post-war-by-subgroup")
             if f["outcome"] == "taken"}
    got = {r["subgroup"]: int(r["taken"]) for r in answer(synthetic_store, "post-war-abductees-by-subgroup")}
    assert got == taken and held and taken
    fate = {(f["outcome"], int(f["count"])) for f in _figures(records, "synthetic-pow-outcomes")}
    assert {(r["outcome"], int(r["count"])) for r in answer(synthetic_store, "pow-escapees-fate")} == fate
    escapes = {(f["ref_year"], int(f["count"])) for f in _figures(records, "synthetic-pow-escapes-by-year")}
    assert {(r["year"], int(r["count"])) for r in answer(synthetic_store, "pows-escaped-by-year")} == escapes

def test_persons_listed_by_several_synthetic_sources(synthetic_store, published):
    sources = defaultdict(set)
    for p in published:
        sources[p["person"]].add(p["source"])
    expected = {person: len(s) for person, s in sources.items() if len(s) > 1}
    got = {key(r["person"]): int(r["sources"]) for r in answer(synthetic_store, "persons-listed-by-several-sources")}
    assert got == expected and len(got) > VICTIMS // 20

def test_synthetic_media_items_with_their_credit_line_and_credited_organisation(synthetic_store, records):
    organisations = {o["key"]: o["label"] for o in _read(records, "organisations")}
    expected = {(m["key"], m["title"], m["media_type"], m["victim_category"], m["credit"],
                 organisations.get(m["credited_to"])) for m in _read(records, "media")}  # a newspaper: nobody
    got = {(key(r["item"]), r["title"], r["type"], r["category"], r["credit"], r.get("organisationName"))
           for r in answer(synthetic_store, "media-credits")}
    assert got == expected and got


def test_name_variants_of_each_synthetic_person(synthetic_store, published):
    preferred, names = {}, defaultdict(set)
    for p in published:
        preferred.setdefault(p["person"], p["name"])
        names[p["person"]] |= {p["name"], *filter(None, p["alt_names"].split("|"))}
    expected = {person: names[person] - {preferred[person]} for person in names}
    got = {key(r["person"]): set(filter(None, r.get("variants", "").split(" | ")))
           for r in answer(synthetic_store, "name-variants")}
    assert got == expected and sum(len(v) > 1 for v in got.values()) > VICTIMS // 20  # a hangul and a spelling


def test_synthetic_persons_as_each_source_lists_them_with_that_sources_statuses(synthetic_store, records, published):
    """Every listing once per status its own source gives (two where a later status was added), or once bare."""
    organisations = {o["key"]: o["label"] for o in _read(records, "organisations")}
    statuses = defaultdict(set)
    for s in _read(records, "statuses"):
        statuses[s["person"], s["source"]].add((s["status"], s["as_of"]))
    expected = {(p["person"], p["source"], p["name"], p["category"], organisations.get(p["credited_to"], ""), *status)
                for p in published for status in statuses.get((p["person"], p["source"])) or {("", "")}}
    got = [(key(r["person"]), key(r["source"]), r["nameAsListed"], r["category"], r.get("creditedTo", ""),
            r.get("status", ""), r.get("statusAsOf", "")) for r in answer(synthetic_store, "persons-by-source")]
    assert set(got) == expected and len(got) == len(expected)
    assert sum(1 for row in got if row[-1] == LATER) >= VICTIMS // 5 - 5
