"""The researchers' query library (queries/*.rq): every query says what it answers and runs, and each one's
answer matches the answer computed independently from the record tables in data/ (read with csv)."""

import csv
import json
import re
from collections import Counter, defaultdict

import pyoxigraph as ox
import pytest

from footprints_graph.endpoint.sparql.evaluation import evaluate
from footprints_graph.endpoint.sparql.library import library, library_query
from footprints_graph.endpoint.sparql.protocol import QueryOperation, format_named
from support import ROOT

ID = "https://w3id.org/footprints-graph/id/"


def table(name: str) -> list[dict[str, str]]:
    with (ROOT / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def split(cell: str) -> list[str]:
    return [v for v in cell.split("|") if v]


def key(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


def answer(store, name: str, text: str | None = None) -> list[dict[str, str]]:
    """The query's rows as {variable: value} through the endpoint's own code path (SPARQL JSON)."""
    text = text or library_query(name).text
    result = json.loads(evaluate(store, QueryOperation(text), lambda kind: format_named("json", kind)).body)
    return [{k: v["value"] for k, v in row.items()} for row in result["results"]["bindings"]]


def figures(**conditions: str) -> list[dict[str, str]]:
    return [f for f in table("figures") if all(f[k] == v for k, v in conditions.items())]


# ----------------------------------------------------------------------------- the library itself


def test_the_library_holds_at_least_fifteen_queries():
    assert len(library()) >= 15


@pytest.mark.parametrize("query", library(), ids=lambda q: q.name)
def test_each_query_says_what_question_it_answers(query):
    first_lines = query.text.splitlines()[:2]
    assert first_lines[0].startswith("# title: ") and len(query.title) > 10
    assert first_lines[1].startswith("# question: ") and query.question.endswith("?")


@pytest.mark.parametrize("query", library(), ids=lambda q: q.name)
def test_each_query_runs_on_the_built_store(store, query):
    rows = answer(store, query.name)
    assert rows, f"{query.name} found nothing"


# ----------------------------------------------------------------------------- each answer


def test_wartime_abductees_by_age_group(store):
    expected = {f["age_group"]: (f["population"], int(f["count"]))
                for f in figures(victim_category="wartime-abductee") if f["age_group"]}
    got = {r["ageGroup"]: (r["population"], int(r["count"])) for r in answer(store, "wartime-abductees-by-age-group")}
    assert got == expected
    assert got["20s"] == ("persons", 56437)


def test_pows_escaped_by_year(store):
    expected = {f["ref_year"]: (f["population"], int(f["count"]))
                for f in figures(victim_category="prisoner-of-war") if f["ref_year"]}
    got = {r["year"]: (r["population"], int(r["count"])) for r in answer(store, "pows-escaped-by-year")}
    assert got == expected
    assert {p for p, _ in got.values()} == {"persons"} and sum(n for _, n in got.values()) == 80


def test_what_became_of_the_pows_who_escaped(store):
    expected = {(f["outcome"], int(f["count"]), f["as_of"]) for f in figures(victim_category="prisoner-of-war")
                if f["outcome"] in ("escaped-and-returned", "deceased", "alive") and not f["ref_year"]
                and f["population"] == "persons"}
    got = {(r["outcome"], int(r["count"]), r["asOf"]) for r in answer(store, "pow-escapees-fate")}
    assert {r["population"] for r in answer(store, "pow-escapees-fate")} == {"persons"}
    assert got == expected
    assert {("escaped-and-returned", 80, "2014"), ("deceased", 71, "2024"), ("alive", 9, "2024")} <= got


def test_who_is_still_detained_and_since_when(store):
    expected = Counter({(f["victim_category"], f["population"], int(f["count"]), f["as_of"])
                        for f in figures(outcome="still-detained") if not f["subgroup"]})  # one row per count
    rows = answer(store, "still-detained-by-category")
    assert Counter((r["category"], r["population"], int(r["count"]), r["asOf"]) for r in rows) == expected
    starts = defaultdict(list)
    for event in table("events"):
        if event["victim_group"] and event["start_date"]:
            starts[event["victim_group"]].append(event["start_date"])
    assert {r["category"]: r["since"] for r in rows} == {c: min(starts[c]) for c, _, _, _ in expected}
    assert [int(r["count"]) for r in rows if r["category"] == "post-war-abductee"] == [516]


def test_status_of_the_named_detainees(store):
    latest = {}
    for status in sorted(table("statuses"), key=lambda s: s["as_of"]):
        latest[status["person"]] = (status["status"], status["as_of"])
    since = {e["person"]: e["start_date"] for e in table("events") if e["event_type"] == "arbitrary-detention" and e["person"]}
    expected = {person: (*state, since.get(person)) for person, state in latest.items()}
    got = {key(r["person"]): (r["status"], r["asOf"], r.get("detainedSince")) for r in answer(store, "named-detainees")}
    assert got == expected
    assert len(got) == 6


FACT = ("victim_category", "outcome", "subgroup", "age_group", "ref_year", "count", "count_lower", "count_upper",
        "qualifier", "as_of", "population")
FACT_VARIABLES = ("category", "outcome", "subgroup", "ageGroup", "refYear", "count", "lowerBound", "upperBound",
                  "qualifier", "asOf", "population")


def test_every_figure_once_per_fact_with_all_its_dimensions_and_the_documents_that_state_it(store):
    """Issue 14: a fact two sources state (3,835 taken, page and MOU) is one row naming both; a figure of family
    members or of one year says so."""
    expected = defaultdict(lambda: (set(), set(), set(), set()))
    for f in table("figures"):
        figures_, documents, cited, locators = expected[tuple(f[c] for c in FACT)]
        figures_.add(f["key"]), documents.update(split(f["source"])), cited.update(split(f["cited_source"]))
        locators.update(filter(None, [f["locator"]]))
    rows = answer(store, "figures-with-sources")
    got = {tuple(r.get(v, "") for v in FACT_VARIABLES):
           (*({key(i) for i in r.get(c, "").split()} for c in ("figures", "documents", "citedDocuments")),
            set(filter(None, r.get("locators", "").split(" | ")))) for r in rows}
    assert len(rows) == len(got) == len(expected)
    assert all(r.get(c, "") == r.get(c, "").strip(" |") for r in rows
               for c in ("symbols", "urls", "citedDocuments", "locators"))
    assert got == dict(expected)
    taken = got[("post-war-abductee", "taken", "", "", "", "3835", "", "", "exact", "2024", "persons")]
    assert taken[1] == {"footprints-south-korean-victims", "mou-post-war-abductee-2024"}
    family = [fact for fact in got if fact[-1] == "family-members"]  # finding 4: the 430 are not POWs
    assert [(fact[1], fact[5]) for fact in family] == [("escaped-and-returned", "430")]
    assert {fact[-1] for fact in got} == {"persons", "family-members", "reports"}
    assert got[("prisoner-of-war", "escaped-and-returned", "", "", "2004", "14", "", "", "exact", "2020", "persons")][3] == {
        "2020 edition, p. 318"}


@pytest.mark.parametrize("name, organisation", [
    ("KWAFU", "kwafu"), ("Abductees' Family Union", "abductees-family-union"),
    ("Abductees\u2019 Family Union", "abductees-family-union"),  # the page's own spelling (issue 14)
    ("abductees' family union", "abductees-family-union")])
def test_every_person_credited_to_a_given_organisation(store, name, organisation):
    text = library_query("persons-credited-to-organisation").text.replace('LCASE("KWAFU")', f'LCASE("{name}")')
    expected = {p["person"] for p in table("people") if p["credited_to"] == organisation}
    got = {key(r["person"]) for r in answer(store, "persons-credited-to-organisation", text)}
    assert got == expected and len(got) == 4


def _people_names() -> dict[str, set[str]]:
    names = defaultdict(set)
    for p in table("people"):
        names[p["person"]] |= {p["name"], *split(p["alt_names"])}
    return names


@pytest.mark.parametrize("person", sorted(_people_names()))
def test_the_organisations_credited_for_a_person_by_any_of_their_names(store, person):
    expected = {(p["credited_to"], p["category"], p["source"]) for p in table("people")
                if p["person"] == person and p["credited_to"]}
    documents = {d["key"]: d["label"] for d in table("documents")}
    for name in _people_names()[person]:
        text = library_query("organisations-credited-for-a-person").text.replace(
            'LCASE("Kim Jung-wook")', f'LCASE("{name.upper()}")')
        rows = answer(store, "organisations-credited-for-a-person", text)
        got = {(key(r["organisation"]), r["category"], r["source"]) for r in rows}
        assert got == {(o, c, documents[s]) for o, c, s in expected}, name


def test_media_items_with_their_credit_line_and_credited_organisation(store):
    organisations = {o["key"]: o["label"] for o in table("organisations")}
    expected = {(m["key"], m["title"], m["media_type"], m["victim_category"], m["credit"],
                 organisations.get(m["credited_to"], "")) for m in table("media")}
    got = {(key(r["item"]), r["title"], r["type"], r.get("category", ""), r.get("credit", ""),
            r.get("organisationName", "")) for r in answer(store, "media-credits")}
    assert got == expected
    assert ("prisoners-being-taken-away", "Prisoners being taken away", "photograph", "prisoner-of-war",
            "Getty Images", "Getty Images") in got


def test_which_acts_breach_which_instrument(store):
    expected = {(e["key"], i) for e in table("events") for i in split(e["breaches"])}
    got = {(key(r["act"]), key(r["instrument"])) for r in answer(store, "acts-breaching-instruments")}
    assert got == expected


KINDS = {"figures": "figure", "events": "event", "findings": "finding", "organisations": "organisation",
         "documents": "document", "instruments": "instrument", "statuses": "status", "datasets": "dataset",
         "media": "media"}


def _sourced_to(document: str) -> set[str]:
    found = {f"{kind}/{row['key']}" for name, kind in KINDS.items() for row in table(name)
             if document in split(row["source"])}
    for row in table("people"):
        if document in split(row["source"]):
            found |= {f"person/{row['person']}", f"listing/{row['person']}.{row['source']}"}
    return found


def test_everything_sourced_to_a_hrc_25_63(store):
    document = next(d["key"] for d in table("documents") if d["un_symbol"] == "A/HRC/25/63")
    got = {r["thing"].removeprefix(ID) for r in answer(store, "sourced-to-a-hrc-25-63")}
    assert got == _sourced_to(document)


def test_post_war_abductees_by_subgroup_and_outcome(store):
    columns = {"taken": "taken", "repatriated": "repatriated", "escaped-and-returned": "escaped",
               "still-detained": "stillDetained"}
    expected = defaultdict(lambda: dict.fromkeys(columns.values(), 0))
    for f in figures(victim_category="post-war-abductee"):
        if f["subgroup"]:
            expected[f["subgroup"]][columns[f["outcome"]]] += int(f["count"])
    rows = answer(store, "post-war-abductees-by-subgroup")
    got = {r["subgroup"]: {c: int(r[c]) for c in columns.values()} for r in rows}
    assert got == dict(expected)
    assert {r["population"] for r in rows} == {f["population"] for f in figures(victim_category="post-war-abductee")
                                               if f["subgroup"]} == {"persons"}
    assert sum(g["stillDetained"] for g in got.values()) == 516


def test_documents_by_publisher(store):
    expected = Counter(d["publisher"] for d in table("documents") if d["publisher"])
    got = {key(r["publisher"]): int(r["documents"]) for r in answer(store, "documents-by-publisher")}
    assert got == dict(expected)


def test_persons_listed_by_more_than_one_source(store):
    sources = defaultdict(set)
    for p in table("people"):
        sources[p["person"]].add(p["source"])
    expected = {person: len(s) for person, s in sources.items() if len(s) > 1}
    got = {key(r["person"]): int(r["sources"]) for r in answer(store, "persons-listed-by-several-sources")}
    assert got == expected == {"kim-jung-wook": 2}


def test_name_variants_of_each_person(store):
    preferred, names = {}, defaultdict(set)
    for p in table("people"):
        preferred.setdefault(p["person"], p["name"])
        names[p["person"]] |= {p["name"], *split(p["alt_names"])}
    expected = {person: names[person] - {preferred[person]} for person in names}
    got = {key(r["person"]): set(filter(None, r.get("variants", "").split(" | ")))
           for r in answer(store, "name-variants")}
    assert got == expected
    assert got["kim-kook-kie"] == {"Kim Kook-gi", "Kim Kuk-gi"}


def _breakdowns_that_do_not_add_up(figure_rows: list[dict]) -> dict[str, int]:
    """Data set → sum of parts − total, where the parts exceed the total, or differ from it in a complete one."""
    counts = {f["key"]: int(f["count"]) for f in figure_rows if f["count"]}
    differences = {}
    for dataset in table("datasets"):
        if dataset["total"]:
            parts = sum(counts[f["key"]] for f in figure_rows if f["dataset"] == dataset["key"] and f["count"]
                        and f["key"] != dataset["total"])
            difference = parts - counts[dataset["total"]]
            if difference > 0 or (dataset["complete_breakdown"] == "true" and difference):
                differences[dataset["key"]] = difference
    return differences


def test_figures_whose_breakdown_does_not_add_up(store):
    got = {key(r["dataset"]): int(r["difference"]) for r in answer(store, "breakdowns-that-do-not-add-up")}
    assert got == _breakdowns_that_do_not_add_up(table("figures"))
    assert got["post-war-figures"] == 9  # the page's 3,319 + 9 + 516 against its 3,835 (issue 14)


def _category_disagreements() -> dict[str, tuple[str, None, set[str], set[str]]]:
    """Person → the rule, no difference, their listings and the listing sources, where the sources' categories differ."""
    listings = defaultdict(list)
    for p in table("people"):
        listings[p["person"]].append(p)
    return {person: ("categories-differ", None, {f"{person}.{r['source']}" for r in rows}, {r["source"] for r in rows})
            for person, rows in listings.items() if len({r["category"] for r in rows}) > 1}


def test_the_inconsistencies_the_build_records(store):
    """Each breakdown that does not add up, and each person the sources put in different categories, is recorded
    as data: the records involved (total and parts, or listings), the rule, the sources (issue 14)."""
    rows = table("figures")
    expected = {}
    for dataset, difference in _breakdowns_that_do_not_add_up(rows).items():
        total = next(d["total"] for d in table("datasets") if d["key"] == dataset)
        involved = [f for f in rows if f["key"] == total or (f["dataset"] == dataset and f["count"])]
        rule = "parts-exceed-total" if difference > 0 else "parts-differ-from-total"
        expected[dataset] = (rule, difference, {f["key"] for f in involved},
                             {s for f in involved for s in split(f["source"])})
    expected |= _category_disagreements()
    got = {}
    for r in answer(store, "inconsistencies"):
        about = key(r["dataset"]) if "dataset" in r else key(r["involved"].split()[0]).split(".")[0]
        got[about] = (r["rule"], int(r["difference"]) if "difference" in r else None,
                      {key(i) for i in r["involved"].split()}, {key(s) for s in r["sources"].split()})
    assert got == expected
    assert got["post-war-figures"][:2] == ("parts-exceed-total", 9)
    assert got["kim-jung-wook"][0] == "categories-differ"


def _categories_by_source() -> tuple[dict[str, set[str]], Counter, Counter]:
    """Each person's categories as people.csv's rows give them; per category, the persons whose rows agree and
    those whose rows give another category too."""
    categories = defaultdict(set)
    for p in table("people"):
        categories[p["person"]].add(p["category"])
    agreed, disputed = Counter(), Counter()
    for found in categories.values():
        for category in found:
            (agreed if len(found) == 1 else disputed)[category] += 1
    return categories, agreed, disputed


def test_named_persons_by_category_count_nobody_twice(store):
    categories, agreed, disputed = _categories_by_source()
    got = {r["category"]: (int(r["persons"]), int(r["disputedPersons"])) for r in answer(store, "victims-by-category")}
    assert got == {c: (agreed[c], disputed[c]) for c in agreed | disputed}
    disputed_persons = sum(1 for found in categories.values() if len(found) > 1)
    assert sum(n for n, _ in got.values()) + disputed_persons == len(categories)
    assert got["detainee"][1] == got["post-war-abductee"][1] == 1  # Kim Jung-wook: the page and MOU differ


CLASS_COUNTS = """PREFIX fp: <https://w3id.org/footprints-graph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?category (COUNT(DISTINCT ?person) AS ?persons) WHERE {
  ?class skos:inScheme <https://w3id.org/footprints-graph/vocab/victim-categories> ; skos:notation ?category .
  ?person a fp:Victim , ?class .
} GROUP BY ?category"""


def test_a_count_by_class_counts_no_person_twice(store):
    """Finding 5 of issue 14: a person is typed with a category class only where every source agrees, so the
    plain count by rdf:type that a researcher would write gives each person at most once."""
    categories, agreed, _ = _categories_by_source()
    got = {r["category"]: int(r["persons"]) for r in answer(store, "", CLASS_COUNTS)}
    assert got == dict(agreed)
    assert sum(got.values()) == sum(1 for found in categories.values() if len(found) == 1) < len(categories)


def test_named_persons_with_category_and_status_per_source(store):
    documents = {d["key"] for d in table("documents")}
    organisations = {o["key"]: o["label"] for o in table("organisations")}
    statuses = {(s["person"], s["source"]): (s["status"], s["as_of"]) for s in table("statuses")}
    expected = {(p["person"], p["source"], p["name"], p["category"], organisations.get(p["credited_to"], ""),
                 *statuses.get((p["person"], p["source"]), ("", ""))) for p in table("people") if p["source"] in documents}
    got = {(key(r["person"]), key(r["source"]), r["nameAsListed"], r["category"], r.get("creditedTo", ""),
            r.get("status", ""), r.get("statusAsOf", "")) for r in answer(store, "persons-by-source")}
    assert got == expected
    assert ("kim-jung-wook", "mou-detainees-2024-03-27", "Kim Jung-wook", "detainee", "", "detained", "2024-03-27") in got


def test_a_breakdown_that_does_not_add_up_is_reported(built_release):
    """Spoil one part (457 fishermen still detained → 458) in a copy of the graph: the query names its data set."""
    spoilt = ox.Store()
    spoilt.bulk_extend(ox.parse(path=str(built_release / "dumps" / "footprints.nq"), format=ox.RdfFormat.N_QUADS))
    figure = ox.NamedNode(ID + "figure/post-war-detained-fishermen")
    count = ox.NamedNode("https://w3id.org/footprints-graph/ontology#count")
    (old,) = list(spoilt.quads_for_pattern(figure, count, None))
    spoilt.remove(old)
    spoilt.add(ox.Quad(figure, count, ox.Literal("458", datatype=old.object.datatype), old.graph_name))
    rows = [dict(f, count="458") if f["key"] == "post-war-detained-fishermen" else f for f in table("figures")]
    got = {key(r["dataset"]): int(r["difference"]) for r in answer(spoilt, "breakdowns-that-do-not-add-up")}
    assert got == _breakdowns_that_do_not_add_up(rows)
    assert got == {"post-war-detained-by-subgroup": 1, "post-war-figures": 9}


def test_organisations_with_wikidata_links(store):
    expected = {o["key"]: o["same_as"] for o in table("organisations") if o["same_as"]}
    got = {key(r["organisation"]): r["wikidata"] for r in answer(store, "organisations-with-wikidata")}
    assert got == expected


def test_legal_definitions_and_date_windows_per_category(store):
    category = {p["person"]: p["category"] for p in table("people")}
    windows = defaultdict(lambda: ([], []))
    for e in table("events"):
        if e["date_basis"] == "category-definition":
            windows[category[e["person"]]][0].append(e["start_date"])
            windows[category[e["person"]]][1].extend(filter(None, [e["end_date"]]))
    expected = {c: (min(s), max(e) if e else None) for c, (s, e) in windows.items()}
    rows = {r["category"]: r for r in answer(store, "category-definitions")}
    assert {c: (r["windowStart"], r.get("windowEnd")) for c, r in rows.items() if "windowStart" in r} == expected
    assert expected["wartime-abductee"] == ("1950-06-25", "1953-07-27")
    assert "10190" in rows["wartime-abductee"]["definition"] and rows["wartime-abductee"]["korean"] == "전시납북자"
    assert set(rows) == {"prisoner-of-war", "wartime-abductee", "post-war-abductee", "detainee"}


def test_un_documents(store):
    expected = {r["un_symbol"] for name in ("documents", "instruments") for r in table(name) if r["un_symbol"]}
    assert {r["symbol"] for r in answer(store, "un-documents")} == expected


def test_the_wartime_abductee_lists(store):
    expected = {(f["subgroup"], f["outcome"], f["population"], int(f["count"])) for f in figures(dataset="wartime-lists")}
    got = {(r["list"], r["outcome"], r["population"], int(r["count"])) for r in answer(store, "wartime-abductee-lists")}
    assert got == expected
    assert ("list-1953", "listed", "persons", 84532) in got
    assert ("truth-finding-committee-2010", "reports-reviewed", "reports", 5505) in got  # reports, not persons


# ----------------------------------------------------------------------------- the examples of docs/


def _doc_queries(name: str) -> list[str]:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    return re.findall(r"```sparql\n(.*?)```", text, re.DOTALL)


def test_the_examples_of_querying_names_answer_as_the_document_says(store):
    """docs/querying-names.md: Hangul only (no romanization slips in through langMatches), a person by a variant."""
    hangul, variant = _doc_queries("querying-names.md")
    expected = {(f"{kind}/{r['key']}", r["label_ko"]) for name, kind in (("organisations", "organisation"),
                                                                         ("instruments", "instrument"))
                for r in table(name) if r["label_ko"]}
    got = {(r["thing"].removeprefix(ID), r["hangul"]) for r in answer(store, "", hangul)}
    assert got == expected and ("organisation/rok-mou", "통일부") in got
    assert {key(r["person"]) for r in answer(store, "", variant)} == {"kim-jung-wook"}


def test_claims_of_parties_with_claimant_words_number_and_status(store):
    """Issue 14: the KPA's 108,257 is the KPA's claim, found by the library, and no figure of ours."""
    expected = {(c["key"], c["claimant"], c["statement"], c["claimed_count"], c["claim_status"], c["published_in"],
                 c["source"]) for c in table("claims")}
    got = {(key(r["claim"]), key(r["claimant"]), r["words"], r.get("claimedNumber", ""), r["status"],
            key(r.get("publishedIn", "/")), key(r["source"])) for r in answer(store, "claims-of-parties")}
    assert got == expected
    assert ("kpa-108257-prisoners-captured", "kpa", "108,257 prisoners were captured in one year", "108257",
            "unverified-perpetrator-claim", "kpa-108257-prisoners-captured", "kpa-108257-prisoners-captured") in got
    assert "108257" not in {f["count"] for f in table("figures")}
    assert not answer(store, "", "PREFIX fp: <https://w3id.org/footprints-graph/ontology#> "
                                 "SELECT ?x WHERE { ?x fp:count 108257 }")
