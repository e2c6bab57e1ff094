"""Issue 15, lists people can take away: /browse and /search offer the current list, its choices applied, as CSV
and JSON (by extension or by Accept), every row of it and in the page's order; pages link to them."""

import csv
import io
import json

import pyoxigraph as ox

from footprints_graph.web import EndpointConfig, create_app
from footprints_graph.web.lists import csv_lines
from support.html import parse
from support.security import RESTRICTED_NAME, restricted_iris

CSV, JSON = {"Accept": "text/csv"}, {"Accept": "application/json"}
PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")


def _csv(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _json(response) -> dict:
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def _page_persons(client, query: str) -> list[str]:
    """The persons the HTML pages list, page after page."""
    found, page = [], 1
    while True:
        html = parse(client.get(f"/browse?{query}&page={page}", headers={"Accept": "text/html"}).text)
        found += [a["href"] for a in html.select("table.grid td:first-child a")]
        if not html.find("a", rel="next"):
            return found
        page += 1


def test_browse_lists_everyone_in_the_pages_order(client, store, monkeypatch):
    from footprints_graph.web import browse
    monkeypatch.setattr(browse, "PAGE_SIZE", 4)
    rows = _csv(client.get("/browse.csv"))
    assert list(rows[0]) == ["person", "name", "name_ko", "categories"] and len(rows) == 13
    assert [r["person"].removeprefix("https://w3id.org/footprints-graph") for r in rows] == _page_persons(client, "")
    for row in rows:  # the names are the person's own preferred labels: romanized or English, and Hangul
        found = store.quads_for_pattern(ox.NamedNode(row["person"]), PREF_LABEL, None)
        labels = {(quad.object.value, quad.object.language) for quad in found}
        assert (row["name"], "en") in labels or (row["name"], "ko-latn") in labels
        assert not row["name_ko"] or (row["name_ko"], "ko") in labels


def test_browse_lists_apply_the_choices(client):
    query = "year=2016&status=detained"
    listed = _json(client.get(f"/browse.json?{query}"))
    assert listed["total"] == 3 == len(listed["rows"]) and listed["selection"] == {"status": ["detained"], "year": ["2016"]}
    assert [r["person"] for r in listed["rows"]] == [r["person"] for r in _csv(client.get(f"/browse.csv?{query}"))]
    assert all(isinstance(r["categories"], list) for r in listed["rows"])
    assert _json(client.get("/browse.json?year=2014&year=2016"))["rows"] == []


def test_browse_negotiates_the_list(client):
    assert len(_csv(client.get("/browse?category=detainee", headers=CSV))) == len(
        _json(client.get("/browse?category=detainee", headers=JSON))["rows"]) > 0
    assert client.get("/browse", headers={"Accept": "text/html"}).mimetype == "text/html"
    assert client.get("/browse.xml").status_code == 404
    assert client.get("/browse.csv?year=1950') }").status_code == 400  # the page's checks hold for its lists


def test_the_pages_link_to_their_lists(client):
    html = parse(client.get("/browse?category=detainee", headers={"Accept": "text/html"}).text)
    links = {a["data-list"]: a["href"] for a in html.find_all("a", attrs={"data-list": True})}
    assert links == {"csv": "/browse.csv?category=detainee", "json": "/browse.json?category=detainee"}
    html = parse(client.get("/search?q=kim", headers={"Accept": "text/html"}).text)
    assert html.find("a", attrs={"data-list": "csv"})["href"] == "/search.csv?q=kim"


def test_search_lists_its_hits(client):
    html = parse(client.get("/search?q=kim", headers={"Accept": "text/html"}).text)
    shown = [li["data-id"] for li in html.find_all("li", attrs={"data-id": True})]
    rows = _csv(client.get("/search.csv?q=kim"))
    assert [r["id"] for r in rows] == shown and "person/kim-jung-wook" in shown
    listed = _json(client.get("/search?q=kim", headers=JSON))
    assert listed["q"] == "kim" and listed["total"] == len(rows) == len(listed["rows"])
    assert _json(client.get("/search.json"))["rows"] == []


def test_search_pages_through_many_hits(client, monkeypatch):
    from footprints_graph.web import search
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    first = parse(client.get("/search?q=kim", headers={"Accept": "text/html"}).text)
    assert first.find("a", rel="next")["href"] == "/search?q=kim&page=2"
    total = len(_csv(client.get("/search.csv?q=kim")))
    shown = 0
    for page in range(1, total // 2 + 2):
        html = parse(client.get(f"/search?q=kim&page={page}", headers={"Accept": "text/html"}).text)
        shown += len(html.find_all("li", attrs={"data-id": True}))
    assert shown == total > 2


def test_no_restricted_record_is_in_a_list(restricted_home):
    """A restricted person is in no list to take away, nor is anything about them."""
    client = create_app(EndpointConfig(home=restricted_home)).test_client()
    hidden = restricted_iris(restricted_home)
    lists = [client.get(path) for path in ("/browse.csv", "/browse.json", "/browse.json?year=2016")]
    text = "".join(_body(response) for response in lists)
    assert "/person/kim-jung-wook" in text and RESTRICTED_NAME not in text
    assert not any(iri in text for iri in hidden)
    for rows in (_json(client.get(f"/search.json?q={RESTRICTED_NAME}"))["rows"],
                 _csv(client.get(f"/search.csv?q={RESTRICTED_NAME}"))):
        assert not {row["iri"] for row in rows} & hidden


def _body(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text():
    rows = [{"name": "=HYPERLINK(\"http://x.example\",\"Kim\")", "age": 41, "note": "@SUM(A1)"},
            {"name": "Kim Jung-wook", "age": "-", "note": ["+1", "x"]}]
    written = list(csv.DictReader(io.StringIO("".join(csv_lines(["name", "age", "note"], rows)))))
    assert written == [{"name": "'=HYPERLINK(\"http://x.example\",\"Kim\")", "age": "41", "note": "'@SUM(A1)"},
                       {"name": "Kim Jung-wook", "age": "'-", "note": "'+1 x"}]
