"""The pages for people (issue 5) on the Flask test client: every page's status, language and content; the
home page's figures and charts; record pages; browse facets; search; the query editor; checking a submission;
English and Korean; and how many store queries each page makes."""

import csv
import re
from collections import Counter, defaultdict

import pytest

from footprints_graph.endpoint.linked_data import records as records_module
from footprints_graph.endpoint.linked_data.documentation import RELATIONS
from footprints_graph.endpoint.linked_data.records import KINDS as RECORD_KINDS
from footprints_graph.endpoint.messages import EN, KO
from footprints_graph.endpoint.sparql.library import library
from footprints_graph.iris import KINDS
from footprints_graph.server import compile_templates
from footprints_graph.validate import Severity
from footprints_graph.web import EndpointConfig, create_app
from footprints_graph.web import browse as browse_module
from support import ROOT
from support.html import hrefs, labelled, main_of, parse, text

TEMPLATES = ROOT / "footprints_graph" / "web" / "templates"
EXAMPLES = ROOT / "data" / "examples"
ID = "https://w3id.org/footprints-graph/id/"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
KOREAN_BROWSER = {**HTML, "Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}
PAGES = ["/", "/browse", "/search", "/search?q=kim", "/sparql", "/queries", "/queries/victims-by-category",
         "/ontology", "/shapes", "/.well-known/void", "/dumps/", "/validation", "/validate",
         "/id/person/kim-jung-wook", "/id/event/kim-jung-wook-detention", "/id/document/a-hrc-25-63",
         "/id/organisation/abductees-family-union", "/id/figure/wartime-age-20s",
         "/id/listing/kim-jung-wook.footprints-south-korean-victims", "/vocab/outcomes/deceased"]
# links that lead to files or data rather than pages, which need no language
DATA_LINK = re.compile(r"\.(ttl|nt|rdf|jsonld|trig|nq|n3|rq|json)(\?|#|$)|format=|^/dumps/.|^/reconcile|^/static/")


def page(client, path: str, headers=HTML):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
    assert response.headers["Content-Type"].startswith("text/html")
    return response


def bars(document, chart: str) -> list[tuple[str, int, float]]:
    """(label, data-value, height) of the bars of one chart."""
    svg = document.find("svg", attrs={"data-chart": chart})
    return [(bar["data-label"], int(bar["data-value"]), float(bar["height"]))
            for bar in svg.find_all("rect", class_="bar")]


# ----------------------------------------------------------------------------- every page, both languages


@pytest.mark.parametrize("path", PAGES)
def test_every_page_in_english_and_korean(client, path):
    english = page(client, path)
    assert '<html lang="en">' in english.text and english.headers["Content-Language"] == "en"
    assert "Accept-Language" in english.headers["Vary"]
    korean = page(client, f"{path}{'&' if '?' in path else '?'}lang=ko")
    assert '<html lang="ko">' in korean.text and "본문 바로가기" in korean.text
    by_browser = page(client, path, KOREAN_BROWSER)
    assert '<html lang="ko">' in by_browser.text and by_browser.headers["Content-Language"] == "ko"


@pytest.mark.parametrize("path", PAGES)
def test_a_chosen_language_is_kept_in_every_link_to_a_page(client, path):
    document = parse(page(client, f"{path}{'&' if '?' in path else '?'}lang=ko").text)
    links = [a["href"] for a in document.find_all("a", href=True)
             if a["href"].startswith("/") and not a.has_attr("hreflang")]
    pages = [h for h in links if not DATA_LINK.search(h)]
    assert pages and all("lang=ko" in h for h in pages), [h for h in pages if "lang=ko" not in h]


def test_the_language_switch_links_to_the_same_page_in_the_other_language(client):
    def switches(path: str, language: str) -> list[str]:
        return [a["href"] for a in parse(page(client, path).text).find_all("a", hreflang=language)]
    assert "/browse?category=detainee&lang=ko" in switches("/browse?category=detainee", "ko")
    assert "/browse?lang=en" in switches("/browse?lang=ko", "en")


def test_a_record_page_etag_differs_by_language(client):
    english = client.get("/id/person/kim-jung-wook", headers=HTML)
    korean = client.get("/id/person/kim-jung-wook", headers=KOREAN_BROWSER)
    assert english.headers["ETag"] != korean.headers["ETag"]
    again = client.get("/id/person/kim-jung-wook", headers={**KOREAN_BROWSER, "If-None-Match": english.headers["ETag"]})
    assert again.status_code == 200


def test_the_message_tables_have_the_same_keys_and_every_key_asked_for():
    assert set(EN) == set(KO)
    assert all(EN[k].count("{") == KO[k].count("{") for k in EN), "placeholders differ"
    asked = {k for f in TEMPLATES.rglob("*.html") for k in re.findall(r'_\("([a-z_\-]+)"\s*[,)]', f.read_text())}
    asked |= {k for f in TEMPLATES.parent.glob("*.py") for k in re.findall(r'words\("([a-z_\-]+)"', f.read_text())}
    asked |= {f"kind_{k}" for k in set(RECORD_KINDS.values())} | {f"group_{k}" for k in (*KINDS, "other")}
    asked |= {f"facet_{f}" for f in browse_module.FACET_NAMES} | {f"severity_{s.label.lower()}" for s in Severity}
    asked |= {f"match_{m}" for m in ("exact", "variant", "prefix", "similar")}
    asked |= {"relation_" + label.replace(" ", "_") for label, _ in RELATIONS}
    asked |= {f"figure_{q}" for q in ("exact", "at-least", "more-than", "range")}
    assert asked - set(EN) == set()


# ----------------------------------------------------------------------------- home


def test_the_home_page_says_what_the_data_is_and_who_keeps_it(client):
    html = page(client, "/").text
    assert "South Korean victims of North Korea" in html
    assert 'href="/id/organisation/tjwg"' in html and 'href="/id/document/footprints-database"' in html
    for target in ("/sparql", "/dumps/", "/ontology", "/shapes", "/.well-known/void", "/validation", "/validate",
                   "/browse", "/search"):
        assert f'href="{target}"' in html


def test_the_home_page_gives_each_category_its_figures_with_date_and_source(client):
    home = parse(page(client, "/").text)
    card = labelled(home, "category-prisoner-of-war")
    figure = card.find("a", href="/id/figure/pow-not-repatriated")
    assert figure.get_text() == "at least 50,000" and figure.next_sibling.startswith(" not repatriated")
    assert "1953-07-27" in text(card) and "/id/document/footprints-south-korean-victims" in hrefs(card)
    wartime = labelled(home, "category-wartime-abductee")
    assert "90,000–100,000" in text(wartime) and "/browse?category=wartime-abductee" in hrefs(wartime)


def _persons_by_category() -> Counter:
    """From data/people.csv: each person under the one category all its rows give, or under categories-differ
    (the consistency rule) when its rows disagree; every person once."""
    categories = defaultdict(set)
    with (ROOT / "data" / "people.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            categories[row["person"]].add(row["category"])
    return Counter(found.pop() if len(found) == 1 else "categories-differ" for found in categories.values())


def test_the_home_page_counts_each_person_under_one_category_or_as_disputed(client):
    home = parse(page(client, "/").text)
    expected = _persons_by_category()
    for category, n in expected.items():
        if category != "categories-differ":
            card = labelled(home, f"category-{category}")
            assert EN["named_persons"].format(n=n) in text(card)
    disputed = home.find("a", href="/browse?category=categories-differ")
    assert disputed.get_text() == EN["named_persons_disputed"].format(n=expected["categories-differ"])


def test_the_charts_draw_the_figures_of_the_graph(client):
    html = parse(page(client, "/").text)
    ages = bars(html, "wartime-by-age-group")
    assert [(label, value) for label, value, _ in ages] == [("10s", 12679), ("20s", 56437), ("30s", 17063),
                                                           ("40s", 5329), ("50s", 2517)]
    tallest = max(ages, key=lambda bar: bar[2])
    assert tallest[1] == 56437 and all(abs(h / tallest[2] - v / 56437) < 0.01 for _, v, h in ages)
    years = {label: value for label, value, _ in bars(html, "pow-escapes-by-year")}
    assert sum(years.values()) == 80 and years["2004"] == 14 and next(iter(years)) == "1994"
    assert [(label, value) for label, value, _ in bars(html, "pow-escapee-fate")] == [("deceased", 71), ("verified alive", 9)]
    assert [v for _, v, _ in bars(html, "post-war-by-outcome")] == [3835, 3310, 9, 516]
    subgroups = bars(html, "post-war-by-subgroup")
    assert sum(v for _, v, _ in subgroups) == 3835 and ("repatriated by North Korea", 3263) in [b[:2] for b in subgroups]


def test_every_chart_is_an_image_with_a_title_a_description_and_a_table(client):
    home = parse(page(client, "/").text)
    charts = home.find_all("figure", class_="chart")
    assert len(charts) == 5
    for chart in charts:
        image = chart.find(role="img")
        assert image.find("title", id=True) and image.find("desc", id=True) and chart.find("table")
        assert image.has_attr("aria-labelledby") and re.search(r"as of \d{4}", text(chart))
    assert "12,679" in text(home.find("figure", id="chart-wartime-by-age-group").find("table"))


def test_the_korean_home_page_uses_the_korean_labels_of_the_graph(client):
    html = page(client, "/?lang=ko").text
    for label in ("국군포로", "전시납북자", "전후납북자", "억류자"):
        assert f'lang="ko">{label}</a>' in html
    assert "북한에 의한 한국인 피해자" in html and "납북 당시 연령대별 전시납북자" in html
    assert 'data-label="20대" ' in html and 'data-value="56437"' in html


# ----------------------------------------------------------------------------- record pages


def test_a_person_page_lays_out_names_listings_acts_and_statuses_with_their_sources(client):
    main = main_of(page(client, "/id/person/kim-jung-wook").text)
    assert "Kim Jung-Wook" in text(main) and "Kim Jong-wook" in text(main) and "variant" in text(main)
    listings = labelled(main, "listings-heading")
    assert "/id/organisation/abductees-family-union" in hrefs(listings)  # the credited organisation
    assert "https://nkfootprints.info/en/page/a8qsigmjdnd/south-korean-victims" in hrefs(listings)  # read the source
    assert len([h for h in hrefs(listings) if h.startswith("/id/document/")]) == 2
    acts = labelled(main, "acts-heading")
    assert "since 2013-10" in text(acts) and "stated by the source" in text(acts)
    assert "/id/document/mou-detainees-2024-03-27" in hrefs(acts)
    statuses = labelled(main, "status-heading")
    assert "detained" in text(statuses) and "2024-03-27" in text(statuses)


def test_a_record_page_says_how_to_cite_it_and_links_its_data(client):
    cite = labelled(main_of(page(client, "/id/person/kim-jung-wook").text), "cite-heading")
    assert f"{ID}person/kim-jung-wook" in text(cite) and "Release" in text(cite) and "CC BY 4.0" in text(cite)
    assert {"/id/person/kim-jung-wook.ttl", "/id/person/kim-jung-wook.jsonld"} <= set(hrefs(cite))


def test_a_figure_page_quotes_its_source(client):
    main = main_of(page(client, "/id/figure/pow-escapees-deceased-2024").text)
    assert main.h1.get_text() == "71 deceased · victims · prisoner of war not repatriated · escaped and returned"
    assert main.find("p", class_="big-number").get_text() == "71" and "/id/dataset/pow-escapee-fate-2024" in hrefs(main)
    assert "As of 2024, 71 POWs have passed away" in text(main.blockquote)
    assert {"/vocab/outcomes/deceased", "/id/document/footprints-south-korean-victims"} <= set(hrefs(main))
    assert "at least 50,000" in text(main_of(page(client, "/id/figure/pow-not-repatriated").text))


def test_a_figure_page_says_what_population_it_counts(client):
    """Finding 4 of issue 14: the 430 who escaped are family members of POWs, not POWs."""
    main = main_of(page(client, "/id/figure/pow-family-members-escaped").text)
    assert main.h1.get_text().startswith("more than 430 escaped and returned · family members of victims · ")
    assert "/vocab/populations/family-members" in hrefs(main)
    assert "/vocab/populations/persons" in hrefs(main_of(page(client, "/id/figure/pow-escaped-and-returned").text))


def test_a_quote_is_captioned_with_the_one_source_that_says_it_and_the_document_it_cites_stands_apart(client):
    """Issue 14: the page's 3,319 is the page's sentence; MOU's statistics, which the page cites, say 3,310."""
    main = main_of(page(client, "/id/figure/post-war-returned-page").text)
    caption = main.figcaption
    assert "In the words of" in text(caption) and "/id/document/footprints-south-korean-victims" in hrefs(caption)
    assert "mou-post-war-abductee-2024" not in str(caption)
    cited_row = main.find("th", string="Documents the source cites").find_parent("tr")
    assert "/id/document/mou-post-war-abductee-2024" in hrefs(cited_row)


def test_a_figure_page_says_where_in_its_source_it_stands(client):
    """Issue 14: the page of the 2020 Defense White Paper is a locator of the figure, not a comment."""
    main = main_of(page(client, "/id/figure/pow-escaped-2004").text)
    row = main.find("th", string="Where in the source").find_parent("tr")
    assert text(row) == "Where in the source 2020 edition, p. 318"


def test_a_figure_page_names_the_inconsistency_it_takes_part_in(client):
    """Issue 14: the page's 3,319 + 9 + 516 against its 3,835 is recorded as data and shown on each figure."""
    for figure in ("post-war-taken", "post-war-returned-page"):
        main = main_of(page(client, f"/id/figure/{figure}").text)
        row = main.find("th", string="Inconsistent with").find_parent("tr")
        assert hrefs(row) == ["/id/inconsistency/post-war-figures-parts-exceed-total"]
        assert "the parts add up to 9 more than the total" in text(row)
    assert main_of(page(client, "/id/figure/post-war-taken-mou").text).find("th", string="Inconsistent with") is None


def test_a_document_page_gives_its_identifier_its_address_what_it_sources_and_what_cites_it(client):
    main = main_of(page(client, "/id/document/a-hrc-25-63").text)
    assert "A/HRC/25/63" in text(main) and "https://undocs.org/A/HRC/25/63" in hrefs(main)
    sourced, cited_for = labelled(main, "sourced-heading"), labelled(main, "cited-for-heading")
    assert "/id/figure/pow-not-repatriated" not in hrefs(sourced)  # the page's words, not the report's
    figures = cited_for.find("h3", string=re.compile(r"^Figures \(")).find_next_sibling("ul")
    assert "/id/figure/pow-not-repatriated" in hrefs(figures)


def test_an_organisation_page_lists_what_is_credited_to_it(client):
    credited = labelled(main_of(page(client, "/id/organisation/abductees-family-union").text), "credited-heading")
    people = credited.find("h3", string="People (4)").find_next_sibling("ul")
    assert "/id/person/kim-jung-wook" in hrefs(people) and credited.find("h3", string="Listings (4)")


def test_an_act_page_gives_its_date_basis_and_source(client):
    main = main_of(page(client, "/id/event/ahn-ho-cheol-abduction").text)
    assert "between 1950-06-25 and 1953-07-27" in text(main)
    assert "bounded by the category's legal definition" in text(main)
    assert {"/id/person/ahn-ho-cheol", "/id/document/footprints-south-korean-victims"} <= set(hrefs(main))


# ----------------------------------------------------------------------------- browse


def counts(html: str, facet: str) -> dict[str, int]:
    """The count shown beside each value of one facet."""
    return {value["data-key"]: int(value.find(attrs={"data-count": True})["data-count"])
            for value in parse(html).find_all("a", attrs={"data-facet": facet})}


def total(html: str) -> int:
    return int(parse(html).find(attrs={"data-total": True})["data-total"])


def test_browse_counts_every_facet_from_the_store(client):
    html = page(client, "/browse").text
    assert total(html) == 13
    assert counts(html, "category") == _persons_by_category()  # sums to the total: no one twice
    assert counts(html, "status") == {"detained": 6}
    assert counts(html, "year") == {"1950-1953": 4, "1953-": 3, "2013": 1, "2014": 2, "2016": 3}
    assert counts(html, "organisation")["organisation/kwafu"] == 4
    assert counts(html, "source")["document/footprints-south-korean-victims"] == 8


def test_browse_facets_combine(client):
    html = page(client, "/browse?category=categories-differ&source=document/mou-detainees-2024-03-27").text
    assert total(html) == 1 and "/id/person/kim-jung-wook" in hrefs(main_of(html))
    assert counts(html, "year") == {"2013": 1} and counts(html, "category") == {"categories-differ": 1}
    removing = parse(html).find("a", class_="chip")["href"]
    assert "source=document" in removing and "category=" not in removing
    assert total(page(client, "/browse?year=2016&status=detained").text) == 3
    assert total(page(client, "/browse?year=2014&year=2016").text) == 0  # values of one facet combine too


def test_browse_pages_through_results(client, monkeypatch):
    monkeypatch.setattr(browse_module, "PAGE_SIZE", 5)
    first, last = page(client, "/browse").text, page(client, "/browse?page=3").text
    assert parse(first).find("a", rel="next")["href"] == "/browse?page=2" and "Page 1 of 3" in text(parse(first))
    assert len([h for h in hrefs(main_of(last)) if h.startswith("/id/person/")]) == 3
    assert parse(last).find("a", rel="prev")
    assert "Page 3 of 3" in page(client, "/browse?page=99").text


def test_browse_refuses_a_key_it_cannot_filter_by(client):
    assert client.get("/browse?source=document/x> } DROP ALL {", headers=HTML).status_code == 400
    assert client.get("/browse?year=1950') }", headers=HTML).status_code == 400


# ----------------------------------------------------------------------------- search


@pytest.mark.parametrize("text", ["Kim Jung-wook", "kim jungwook", "KIM JUNG WOOK", "Kim Jong-wook", "Jung-wook Kim",
                                  "김정욱", "kim  jung - wook"])
def test_search_finds_a_person_by_any_spelling(client, text):
    first = parse(page(client, f"/search?q={text}").text).find("li", attrs={"data-id": True})
    assert first["data-id"] == "person/kim-jung-wook"


def test_search_finds_documents_and_organisations(client):
    documents = page(client, "/search?q=Unification").text
    assert 'data-id="document/mou-post-war-abductee-2024"' in documents and 'id="hits-documents"' in documents
    assert 'data-id="organisation/tjwg"' in page(client, "/search?q=TJWG").text
    assert "A/HRC/25/63" in page(client, "/search?q=A/HRC/25/63").text


@pytest.mark.parametrize("text, found", [
    ("통일부", "organisation/rok-mou"), ("납북자가족모임", "organisation/abductees-family-union"),
    ("6·25전쟁납북인사가족협의회", "organisation/kwafu"), ("조선인민군", "organisation/kpa")])
def test_search_finds_an_organisation_by_its_official_korean_name(client, text, found):
    """Issue 14: the Korean names REFERENCE gives as each body's own are labels the search reads (the documents
    an organisation publishes are listed too, and come first: they are not matched by name)."""
    hits = parse(page(client, f"/search?q={text}").text).find_all("li", attrs={"data-id": True})
    first = next((h for h in hits if not h.find(class_="how-publisher")), None)
    assert first is not None and first["data-id"] == found


def _published_by(organisation: str) -> set[str]:
    with (ROOT / "data" / "documents.csv").open(encoding="utf-8", newline="") as file:
        return {f"document/{d['key']}" for d in csv.DictReader(file) if d["publisher"] == organisation}


def test_search_finds_documents_by_their_publishers_korean_name(client):
    """Issue 14: MOU's documents have no Korean title; "통일부" finds them through their publisher."""
    html = parse(page(client, "/search?q=통일부").text)
    documents = labelled(html, "hits-documents").find_all("li", attrs={"data-id": True})
    assert {d["data-id"] for d in documents} == _published_by("rok-mou")
    assert all(EN["match_publisher"] in text(d) for d in documents)


def _claims() -> list[dict[str, str]]:
    with (ROOT / "data" / "claims.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.mark.parametrize("form", ["digits", "thousands"])
def test_search_finds_a_partys_claim_by_its_number(client, form):
    """Issue 14, finding 2: the KPA's claim is found by "108257" and by "108,257"."""
    for claim in _claims():
        number = claim["claimed_count"] if form == "digits" else f"{int(claim['claimed_count']):,}"
        hits = labelled(parse(page(client, f"/search?q={number}").text), "hits-claims")
        assert f"claim/{claim['key']}" in {h["data-id"] for h in hits.find_all("li", attrs={"data-id": True})}
    assert 'id="hits-claims"' not in page(client, "/search?q=108258").text


def test_search_without_a_name_or_with_too_long_a_one(client):
    assert main_of(page(client, "/search").text).find("ol") is None
    assert client.get("/search?q=" + "x" * 300, headers=HTML).status_code == 400
    assert "Nothing matches" in page(client, "/search?q=zzqqxx").text


# ----------------------------------------------------------------------------- the query editor


def test_the_editor_offers_the_library_with_its_texts(client):
    html = page(client, "/sparql").text
    assert '<textarea id="query" name="query"' in html and 'src="/static/editor.js"' in html
    assert all(f'<option value="{q.name}"' in html for q in library())
    assert "victims-by-category" in parse(html).find("script", id="library-queries").string
    chosen = page(client, "/sparql?library=wartime-abductees-by-age-group").text
    assert "SELECT ?ageGroup ?ageGroupLabel" in chosen


def test_a_query_from_a_browser_shows_a_table_with_local_links(client):
    query = library()[[q.name for q in library()].index("named-detainees")].text
    response = client.get("/sparql", query_string={"query": query}, headers=HTML)
    html = response.text
    document = parse(html)
    assert response.status_code == 200 and total(html) == 6
    assert "/id/person/kim-jung-wook" in hrefs(document.find(id="results-table"))
    downloads = document.find(string=re.compile("Download the results")).find_parent("section")
    assert all(any(f"format={name}" in h for h in hrefs(downloads)) for name in ("json", "xml", "csv", "tsv"))
    assert document.find(id="share-link")["value"].startswith("http://localhost/sparql?query=")


def test_construct_and_ask_from_a_browser(client):
    construct = page(client, "/sparql?query=CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2").text
    assert "<th scope=\"col\">subject</th>" in construct and "format=ttl" in construct and "format=jsonld" in construct
    assert 'data-boolean="true"' in page(client, "/sparql?query=ASK {}").text


def test_a_bad_query_from_a_browser_shows_it_again_with_the_error(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"}, headers=HTML)
    assert response.status_code == 400 and "SELECT ?x WHERE { ?x</textarea>" in response.text


def test_programs_still_get_results_in_their_format(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"})
    assert response.get_json() == {"head": {}, "boolean": True}


# ----------------------------------------------------------------------------- checking a submission


def submit(client, headers=HTML, **fields):
    data = {k: v for k, v in fields.items() if k != "files"}
    if "files" in fields:
        data["files"] = [(path.open("rb"), path.name) for path in fields["files"]]
    return client.post("/validate", data=data, headers=headers, content_type="multipart/form-data")


def test_an_uploaded_bad_submission_is_reported_by_record_with_fixes(client):
    response = submit(client, files=[EXAMPLES / "bad-missing-source.ttl"])
    html = response.text
    assert response.status_code == 200 and "Does not conform" in html and 'data-violations="1"' in html
    record = parse(html).find(class_="record-report")
    assert f"{ID}person/example-hong-gil-dong" in text(record) and "(bad-missing-source.ttl)" in text(record)
    assert "/shapes#SourceShape" in hrefs(record) and "Fix:" in text(record) and "Add dct:source" in text(record)
    assert "Why:" in text(record)


def test_pasted_records_are_checked_and_kept_in_the_form(client):
    text = (EXAMPLES / "bad-date-not-a-date.ttl").read_text(encoding="utf-8")
    html = submit(client, text=text, format="submission.ttl").text
    assert "PartialDateShape" in html and "September 1950" in parse(html).textarea.get_text()
    good = submit(client, files=[EXAMPLES / "good-victim.ttl"]).text
    assert "Conforms" in good


def test_a_submission_that_cannot_be_read_says_why(client):
    unreadable = submit(client, files=[EXAMPLES / "bad-syntax.ttl"])
    assert unreadable.status_code == 400 and "bad-syntax.ttl:" in unreadable.text and "role=\"alert\"" in unreadable.text
    table = submit(client, files=[EXAMPLES / "bad-unknown-category-people.csv"])
    assert table.status_code == 400 and "civilian-abductee" in table.text
    assert submit(client).status_code == 400


def test_a_submission_report_in_korean_and_as_json(client):
    korean = submit(client, headers={**HTML, "Accept-Language": "ko"}, files=[EXAMPLES / "bad-missing-source.ttl"]).text
    assert "부적합" in korean and "dct:source를 추가하십시오" in korean
    report = submit(client, headers={"Accept": "application/json"}, files=[EXAMPLES / "bad-missing-source.ttl"]).get_json()
    assert report["conforms"] is False and report["records"][0]["results"][0]["source_shape"].endswith("#SourceShape")


# ----------------------------------------------------------------------------- accessibility basics


@pytest.mark.parametrize("path", ["/", "/browse", "/search?q=kim", "/sparql", "/validate", "/id/person/kim-jung-wook"])
def test_pages_have_landmarks_a_skip_link_one_h1_and_labelled_controls(client, path):
    document = parse(page(client, path).text)
    assert len(document.find_all("h1")) == 1 and document.main and document.nav and document.footer
    assert document.find("a", class_="skip-link", href="#content") and document.find(id="content")
    assert document.find(role="search")
    labelled_controls = {label["for"] for label in document.find_all("label", attrs={"for": True})}
    for control in document.find_all(["input", "select", "textarea"], id=True):
        assert control["id"] in labelled_controls, control["id"]
    assert all(image.has_attr("alt") for image in document.find_all("img"))


# ----------------------------------------------------------------------------- store queries per page


class CountingStore:
    """Wraps the served store and counts what pages ask of it."""

    def __init__(self, store):
        self.store, self.queries, self.lookups = store, 0, 0

    def query(self, *args, **kwargs):
        self.queries += 1
        return self.store.query(*args, **kwargs)

    def quads_for_pattern(self, *args, **kwargs):
        self.lookups += 1
        return self.store.quads_for_pattern(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.store, name)

    def __len__(self):
        return len(self.store)


COUNTED_ONCE = {"/.well-known/void"}  # void.statistics: eight counting queries, once per release and process


@pytest.fixture(scope="module")
def counted(built_home):
    """A client whose store counts queries (queries run in the worker: no deadline process)."""
    app = create_app(EndpointConfig(home=built_home, query_timeout=0))
    release = app.extensions["footprints"].release()
    release.store = CountingStore(release.store)
    return app.test_client(), release.store


@pytest.mark.parametrize("path", PAGES + ["/browse?category=detainee&status=detained&year=2016",
                                         "/sparql?query=ASK {}", "/id/document/footprints-south-korean-victims"])
def test_no_page_makes_more_than_a_handful_of_store_queries(counted, path):
    client, store = counted
    store.queries = 0
    page(client, path)  # the first time fills the per-release caches (counts, search index, ontology model)
    first, store.queries, store.lookups = store.queries, 0, 0
    page(client, path)
    assert path in COUNTED_ONCE or first <= 5, f"{path}: {first} SPARQL queries the first time"
    assert store.queries <= 5, f"{path}: {store.queries} SPARQL queries"
    assert store.lookups <= 40, f"{path}: {store.lookups} index lookups (the linked-data description)"


def test_checking_a_submission_makes_a_handful_of_queries(counted):
    client, store = counted
    store.queries = 0
    submit(client, files=[EXAMPLES / "bad-missing-source.ttl"])
    assert store.queries <= 5


def test_a_worker_compiles_every_page_template_at_start(built_home):
    """Issue 15: serve's workers compile the templates before the first page needs one (server.load)."""
    app = create_app(EndpointConfig(home=built_home))
    compile_templates(app)
    compiled = {template.name for template in app.jinja_env.cache.values()}
    assert {"base.html", "browse.html", "search.html", "home.html"} <= compiled


def test_an_app_loads_the_templates_another_app_of_its_process_compiled(built_home, monkeypatch):
    """serve's master compiles the templates once (server.share_before_fork); its workers' apps load that code."""
    compile_templates(create_app(EndpointConfig(home=built_home)))
    app = create_app(EndpointConfig(home=built_home))

    def compile_again(*_):
        raise AssertionError("compiled again")
    monkeypatch.setattr(app.jinja_env, "compile", compile_again)
    compile_templates(app)
    assert "home.html" in {template.name for template in app.jinja_env.cache.values()}
    with app.test_client() as client:
        assert client.get("/").status_code == 200


def test_a_document_page_counts_what_cites_it_and_labels_the_first_of_each_kind(client, store, monkeypatch):
    """A document that thousands of records cite: its page reads their IRIs to count them by kind and presents only
    the first SHOWN_PER_GROUP (here 2) of each, in the pages' order."""
    monkeypatch.setattr(records_module, "SHOWN_PER_GROUP", 2)
    document = ID + "document/footprints-south-korean-victims"
    rows = store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s <http://purl.org/dc/terms/source> "
                       f"<{document}> }} FILTER(STRSTARTS(STR(?s), '{ID}listing/')) }}")
    listings = int(next(iter(rows))["n"].value)
    assert listings > 2
    html = client.get("/id/document/footprints-south-korean-victims", headers={"Accept": "text/html"}).text
    heading = main_of(html).find("h3", string=f"{EN['group_listing']} ({listings})")
    shown = heading.find_next("ul").find_all("a")
    assert [a["href"] for a in shown] == sorted(a["href"] for a in shown) and len(shown) == 2
    assert f"The first 2 of {listings}." in html
