"""Click-through tests in a real browser: Debian's Chromium driven by Playwright against the real server
(`live_server`, gunicorn on 127.0.0.1). Screenshots go to test-artifacts/ (gitignored).

Chromium comes from Debian's packages (scripts/install-browser.sh installs it, with the Noto CJK fonts, when
/usr/bin/chromium is missing); Playwright's own browser download is never used. A browser that cannot be
installed or started makes these tests fail, not skip.
"""

import re

import pytest

from support import ROOT
from support.browser import TIMEOUT_MS, shot


@pytest.fixture
def page(browser, live_server):
    """A fresh page on the live server, for a reader whose browser prefers English."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    yield opened
    context.close()


def test_home_chart_person_and_source(page):
    page.goto("/")
    bars = page.locator('svg[data-chart="wartime-by-age-group"] rect.bar')
    assert bars.evaluate_all("rs => rs.map(r => r.dataset.value)") == ["12679", "56437", "17063", "5329", "2517"]
    heights = bars.evaluate_all("rs => rs.map(r => r.getBoundingClientRect().height)")
    assert max(heights) == heights[1] and abs(heights[0] / heights[1] - 12679 / 56437) < 0.02
    fate = page.locator('svg[data-chart="pow-escapee-fate"] rect.bar').evaluate_all("rs => rs.map(r => +r.dataset.value)")
    assert fate == [71, 9]
    assert page.get_by_role("img", name="Wartime abductees by age group when taken").is_visible()
    shot(page, "home")

    page.get_by_role("link", name="Kim Jung-Wook", exact=True).click()
    page.wait_for_url("**/id/person/kim-jung-wook")
    assert page.locator("h1").inner_text() == "Kim Jung-Wook"
    listings = page.locator("#listings-heading + p + table")
    assert listings.locator("tbody tr").count() == 2 and "Abductees' Family Union" in listings.inner_text()
    shot(page, "person")

    listings.get_by_role("link", name=re.compile(r"^Ministry of Unification, 27 March 2024")).click()
    page.wait_for_url("**/id/document/mou-detainees-2024-03-27")
    assert "Ministry of Unification" in page.locator("h1").inner_text()
    assert page.get_by_role("heading", name=re.compile("What the graph sources to this document")).is_visible()
    shot(page, "document")


@pytest.mark.parametrize("spelling", ["kim jungwook", "Kim Jong-wook"])
def test_search_a_romanized_variant(page, spelling):
    page.goto("/")
    page.get_by_role("searchbox", name="Search people, documents and organisations by name").fill(spelling)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    first = page.locator("ol.hits li").first
    assert first.get_attribute("data-id") == "person/kim-jung-wook"
    shot(page, f"search-{spelling.replace(' ', '-').lower()}")
    first.get_by_role("link", name="Kim Jung-Wook").click()
    page.wait_for_url("**/id/person/kim-jung-wook")


def test_browse_narrowed_by_two_facets(page):
    page.goto("/browse")
    assert page.locator("#result-count").get_attribute("data-total") == "13"
    # the person whose sources give different categories (issue 14: counted under no category of its own)
    page.locator('.facet a[data-facet="category"][data-key="categories-differ"]').click()
    page.wait_for_url("**/browse?category=categories-differ*")
    assert page.locator("#result-count").get_attribute("data-total") == "1"
    source = page.locator('.facet a[data-facet="source"][data-key="document/mou-detainees-2024-03-27"]')
    assert source.locator(".count").inner_text() == "1"
    source.click()
    page.wait_for_url("**source=document*")
    assert page.locator("#result-count").get_attribute("data-total") == "1"
    assert page.locator(".results tbody tr").count() == 1
    assert page.locator(".results tbody").get_by_role("link", name="Kim Jung-Wook").is_visible()
    counts = page.locator(".facet .count").evaluate_all("cs => cs.map(c => +c.dataset.count)")
    assert counts and set(counts) == {1}
    shot(page, "browse")


def test_run_a_library_query_and_see_the_table(page):
    page.goto("/sparql")
    page.get_by_label("Start from a library query:").select_option("named-detainees")
    assert "fp:StatusAssessment" in page.get_by_label("SPARQL query").input_value()
    page.get_by_label("SPARQL query").press("Control+Enter")
    page.wait_for_selector("#results-table")
    rows = page.locator("#results-table tbody tr")
    assert rows.count() == 6 and "Kim Jung-Wook" in page.locator("#results-table").inner_text()
    assert rows.first.locator("a").first.get_attribute("href").startswith("/id/person/")
    assert "query=" in page.locator("#share-link").input_value()
    page.get_by_role("link", name=re.compile(r"^SPARQL Results in CSV")).is_visible()
    shot(page, "editor")


def test_upload_a_bad_submission_and_see_the_report(page):
    page.goto("/validate")
    page.get_by_label(re.compile("^Files named by kind")).set_input_files(ROOT / "data" / "examples" / "bad-missing-source.ttl")
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector(".report")
    assert page.locator("#report-heading").inner_text().strip() == "Does not conform"
    finding = page.locator(".finding").first
    assert "SourceShape" in finding.inner_text() and "Add dct:source" in finding.locator(".fix").inner_text()
    shot(page, "validate")


def test_the_files_stay_chosen_after_a_check(page):
    """Issue 19: fix the file, check again — without choosing it again."""
    page.goto("/validate")
    chooser = page.get_by_label(re.compile("^Files named by kind"))
    chooser.set_input_files(ROOT / "data" / "examples" / "bad-missing-source.ttl")
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector(".report")
    assert page.locator("#report-heading").inner_text().strip() == "Does not conform"
    assert chooser.evaluate("input => Array.from(input.files, f => f.name)") == ["bad-missing-source.ttl"]
    page.evaluate("document.getElementById('report-heading').dataset.first = 'yes'")
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector("#report-heading:not([data-first])")  # a second report, of the same file
    assert page.locator("#report-heading").inner_text().strip() == "Does not conform"
    assert chooser.evaluate("input => input.files.length") == 1


def test_switch_to_korean(page):
    page.goto("/")
    page.get_by_role("link", name="한국어").click()
    page.wait_for_url("**/?lang=ko")
    assert page.locator("html").get_attribute("lang") == "ko"
    headings = page.locator(".card h3").all_inner_texts()
    assert any(h.startswith("국군포로") for h in headings) and any(h.startswith("전시납북자") for h in headings)
    shot(page, "home-ko")
    page.get_by_role("link", name="피해자 둘러보기").first.click()
    page.wait_for_url("**/browse?lang=ko")
    assert page.locator("h1").inner_text() == "피해자 둘러보기"
    assert page.locator('.facet a[data-key="wartime-abductee"]').inner_text().split()[1] == "전시납북자"
    shot(page, "browse-ko")


def test_the_keyboard_reaches_the_content_first(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


@pytest.mark.parametrize("width", [320, 430, 480])
def test_the_reconciliation_preview_keeps_each_label_beside_its_values(browser, client, width):
    """Issue 19: OpenRefine shows the preview in a narrow frame; each label's row holds its own values."""
    html = client.get("/reconcile/preview", query_string={"id": "person/kim-jung-wook"}).get_data(as_text=True)
    context = browser.new_context(viewport={"width": width, "height": 600})
    try:
        page = context.new_page()
        page.set_content(html)
        pairs = page.eval_on_selector_all("dt", """labels => labels.map(dt => {
            const dd = dt.nextElementSibling, a = dt.getBoundingClientRect(), b = dd.getBoundingClientRect();
            return [dt.textContent, a.top, b.top, a.right, b.left, b.right]; })""")
        assert len(pairs) >= 4
        for label, label_top, value_top, label_right, value_left, value_right in pairs:
            assert abs(label_top - value_top) < 1, (width, label)  # the same row
            assert label_right <= value_left and value_right <= width, (width, label)  # side by side, inside
    finally:
        context.close()

