"""Issue 19, links in sight: a person's page shows each partner link — predicate, the partner's record,
confidence, author, date and link set — not only inside the collapsed list of all statements."""



from support.html import hrefs, labelled, parse, text


def partner_rows(page: str) -> list[str]:
    """Each partner link's row of the section, as its text followed by the targets of its links."""
    rows = labelled(parse(page), "links-heading").find_all("tr")
    return [" ".join([text(row), *hrefs(row)]) for row in rows if row.find("td")]


def test_a_person_page_shows_each_partner_link_with_its_provenance(linked_client):
    page = linked_client.get("/id/person/kim-won-ho", headers={"Accept": "text/html"}).get_data(as_text=True)
    rows = partner_rows(page)
    assert rows, "no partner links section"
    registry = next(r for r in rows if "archive.example.org/victims/2001" in r)
    for shown in ("sameAs", "2026-02-01", "Example Partner Archive", "partner-registry"):
        assert shown in registry, (shown, registry)


def test_an_sssom_link_shows_its_confidence_orcid_and_date(linked_client):
    page = linked_client.get("/id/person/kim-jung-wook", headers={"Accept": "text/html"}).get_data(as_text=True)
    [row] = [r for r in partner_rows(page) if "archive.example.org/victims/1001" in r]
    for shown in ("exactMatch", "0.95", "https://orcid.org/0000-0000-0000-0001", "2026-01-10", "partner-archive"):
        assert shown in row, (shown, row)


def test_the_links_are_in_korean_on_the_korean_page(linked_client):
    page = linked_client.get("/id/person/kim-won-ho", headers={"Accept": "text/html", "Accept-Language": "ko"})
    assert "협력 기록 보관소의 연결" in page.get_data(as_text=True)


def test_a_person_without_partner_links_has_no_empty_section(linked_client):
    page = linked_client.get("/id/person/ham-jin-woo", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Ham Jin-woo" in page
    assert 'id="links-heading"' not in page


def test_an_organisation_page_shows_its_partner_link_too(linked_client):
    page = linked_client.get("/id/organisation/kwafu", headers={"Accept": "text/html"}).get_data(as_text=True)
    [row] = [r for r in partner_rows(page) if "archive.example.org/organisations/kwafu" in r]
    for shown in ("exactMatch", "https://orcid.org/0000-0000-0000-0002", "2026-02-01", "partner-registry"):
        assert shown in row, (shown, row)
