"""The researchers' query library: queries/*.rq, each opening with `# title: …` and `# question: …`."""

import re
from dataclasses import dataclass
from functools import cache

from footprints_graph.iris import DEFAULT_BASE
from footprints_graph.releases.views.library import library_text
from footprints_graph.resources import resource_names

_HEADER = re.compile(r"^#\s*(title|question):\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class LibraryQuery:
    name: str
    title: str
    question: str
    text: str


@cache
def library(base: str = DEFAULT_BASE) -> tuple[LibraryQuery, ...]:
    """Every library query as served under `base` (releases/views/library.py: `library_text`), sorted by name."""
    return tuple(library_query(name.removesuffix(".rq"), base) for name in resource_names("queries", ".rq"))


def library_query(name: str, base: str = DEFAULT_BASE) -> LibraryQuery:
    """The library query called `name` (its file name without `.rq`) as served under `base`. Raises KeyError if
    there is none."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) or f"{name}.rq" not in resource_names("queries", ".rq"):
        raise KeyError(name)
    text = library_text(name, base)
    header = dict(_HEADER.findall(text))
    return LibraryQuery(name, header.get("title", name), header.get("question", ""), text)
