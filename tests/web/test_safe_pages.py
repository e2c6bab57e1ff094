"""Issue 13, point 3: safe pages. A query's result could put a clickable javascript: link in the editor, and no
answer carried a Content-Security-Policy or nosniff (so /reconcile/preview's 404, which echoes the id as text/plain,
could be sniffed as HTML). Now only http(s) addresses become links, and every answer of the site carries the
policy, nosniff, no framing by other sites and a referrer policy."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from footprints_graph.endpoint.linked_data.presentation import web_link
from footprints_graph.web.headers import FRAMED_POLICY, POLICY
from support.html import hrefs, main_of, parse

TEMPLATES = Path(__file__).resolve().parents[2] / "footprints_graph" / "web" / "templates"
SCRIPT_LINKS = ["javascript:alert(document.domain)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
                "vbscript:msgbox(1)", "java\tscript:alert(1)", " javascript:alert(1)", "http:\x01//x"]


@pytest.mark.parametrize("iri", SCRIPT_LINKS)
def test_only_web_addresses_may_be_link_targets(iri):
    assert not web_link(iri)


@pytest.mark.parametrize("iri", ["http://example.org/a", "HTTPS://example.org/a?b=c#d", "https://w3id.org/x"])
def test_web_addresses_are_link_targets(iri):
    assert web_link(iri)


def _query_page(client, query: str) -> str:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_javascript_iri_in_a_result_is_shown_not_linked(client):
    page = _query_page(client, 'SELECT ?x WHERE { BIND(IRI("javascript:alert(document.domain)") AS ?x) }')
    results = main_of(page)
    assert "javascript:alert(document.domain)" in results.get_text()
    assert all(urlsplit(href).scheme in ("", "http", "https") for href in hrefs(results))


def test_a_web_iri_in_a_result_is_still_a_link(client):
    page = _query_page(client, 'SELECT ?x WHERE { BIND(IRI("https://www.wikidata.org/wiki/Q1") AS ?x) }')
    assert "https://www.wikidata.org/wiki/Q1" in hrefs(main_of(page))


def _assert_safe_headers(response, policy: str = POLICY) -> None:
    assert response.headers["Content-Security-Policy"] == policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_policy_runs_no_inline_script_and_forbids_framing():
    directives = dict(d.strip().split(" ", 1) for d in POLICY.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe" not in POLICY
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_every_answer_carries_the_headers(app, client):
    paths = [r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments - set(r.defaults or ())]
    assert {"/", "/sparql", "/browse", "/search", "/validate"} <= set(paths)
    for path in [*paths, "/no/such/page", "/static/editor.js", "/id/person/nobody"]:
        policy = FRAMED_POLICY if path == "/reconcile/preview" else POLICY
        _assert_safe_headers(client.get(path, headers={"Accept": "text/html"}), policy)
        _assert_safe_headers(client.get(path, headers={"Accept": "application/json"}), policy)


def test_an_answer_from_the_cache_carries_them_too(client):
    query = {"query": "ASK { ?s ?p ?o }"}
    first, second = (client.get("/sparql", query_string=query, headers={"Accept": "application/sparql-results+json"})
                     for _ in range(2))
    assert first.get_data() == second.get_data()
    _assert_safe_headers(first)
    _assert_safe_headers(second)
    assert second.headers.getlist("Content-Security-Policy") == [POLICY]  # once, not stacked


def test_the_preview_echo_is_plain_text_that_is_never_sniffed(client):
    probe = "<script>alert(1)</script>"
    response = client.get("/reconcile/preview", query_string={"id": probe})
    assert response.status_code == 404
    assert response.mimetype == "text/plain" and response.mimetype_params["charset"] == "utf-8"
    _assert_safe_headers(response, FRAMED_POLICY)


def test_the_preview_may_be_framed_by_openrefine_and_runs_no_script(client):
    assert "frame-ancestors *" in FRAMED_POLICY and "script-src" not in FRAMED_POLICY
    assert "default-src 'none'" in FRAMED_POLICY  # so no script runs from anywhere


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")))
def test_no_template_has_a_script_the_policy_would_block(template):
    """What the policy refuses would break the page: no inline script, event handler or style attribute."""
    document = parse((TEMPLATES / template).read_text(encoding="utf-8"))
    for script in document.find_all("script"):
        assert script.get("src") or script.get("type") == "application/json", script
    for element in document.find_all(True):
        assert not any(name.startswith("on") or name == "style" for name in element.attrs), element.name
