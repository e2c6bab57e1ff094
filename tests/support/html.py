"""Pages read as documents: Beautiful Soup on Python's own html.parser, so that a test finds an element by what it is
(the section a heading titles, the links in it, its text as a reader sees it) instead of cutting the markup at a
marker string."""

from bs4 import BeautifulSoup, Tag


def parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def main_of(html: str) -> Tag:
    main = parse(html).main
    assert main is not None, "the page has no <main>"
    return main


def labelled(document: Tag, heading_id: str) -> Tag:
    """The landmark (section, article) that the heading `heading_id` names through aria-labelledby."""
    landmark = document.find(attrs={"aria-labelledby": heading_id})
    assert landmark is not None, f"nothing is labelled by #{heading_id}"
    return landmark


def hrefs(element: Tag) -> list[str]:
    """The targets of the links in `element`, in document order (entities decoded: & rather than &amp;)."""
    return [link["href"] for link in element.find_all("a", href=True)]


def text(element: Tag) -> str:
    """The text of `element` as it reads, each run of white space one space."""
    return " ".join(element.get_text(" ").split())
