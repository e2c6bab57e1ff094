"""The researchers' query library: queries/*.rq, each opening with `# title: …` and `# question: …`."""

import re
from dataclasses import dataclass
from functools import cache

from footprints_graph.resources import query_text, resource_names

_HEADER = re.compile(r"^#\s*(title|question):\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class LibraryQuery:
    name: str
    title: str
    question: str
    text: str


@cache
def library() -> tuple[LibraryQuery, ...]:
    """Every library query, sorted by name."""
    return tuple(library_query(name.removesuffix(".rq")) for name in resource_names("queries", ".rq"))


def library_query(name: str) -> LibraryQuery:
    """The library query called `name` (its file name without `.rq`). Raises KeyError if there is none."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) or f"{name}.rq" not in resource_names("queries", ".rq"):
        raise KeyError(name)
    text = query_text(name)
    header = dict(_HEADER.findall(text))
    return LibraryQuery(name, header.get("title", name), header.get("question", ""), text)
