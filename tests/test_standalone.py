"""Issue 12, a clone stands alone: nothing under tests/ or footprints_graph/ reads the folder `shared` that sits
beside the repository on the maintainers' machines (reference material a user who clones the repository does
not have). What is checked against it lives in scripts/check_shared_*.py, run by .ci/run."""

import re
from pathlib import Path

import pytest

from support import ROOT

FOLDERS = ("tests", "footprints_graph")
# The ways a path to a `shared` folder beside the repository has been written: spelled out, or built from
# __file__ by climbing out of the repository (parents[1].parent) and going into "shared".
BESIDE_THE_REPOSITORY = re.compile(r"""\.\./shared\b|/work/shared\b|parents\[\d+\]\.parent\b"""
                                   r"""|\.parent\s*/\s*["']shared["']""")


def references_to_shared(text: str) -> list[str]:
    """The lines of `text` that refer to the `shared` folder beside the repository."""
    return [line.strip() for line in text.splitlines() if BESIDE_THE_REPOSITORY.search(line)]


def _files() -> list[Path]:
    itself = Path(__file__).resolve()
    return [path for folder in FOLDERS for path in sorted((ROOT / folder).rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts and path.resolve() != itself]


def test_no_file_of_the_tests_or_the_package_refers_to_the_shared_folder():
    found = {}
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # a binary fixture holds no path
            continue
        if lines := references_to_shared(text):
            found[path.relative_to(ROOT).as_posix()] = lines
    assert not found, f"these files read the folder beside the repository, which a clone does not have: {found}"


@pytest.mark.parametrize("line", [
    'API = Path(__file__).resolve().parents[1].parent / "shared" / "reconciliation-api-0.2"',  # before issue 12
    "SAMPLES = ROOT.parent / 'shared' / 'uwazi-samples'",
    "samples = Path('../shared/uwazi-samples')",
    "the tests read them from `../shared/uwazi-samples/` beside the repository",
    'open("/work/shared/seed/people.csv")',
])
def test_each_way_of_writing_it_is_found(line):
    assert references_to_shared(f"x = 1\n{line}\n") == [line]


@pytest.mark.parametrize("line", [
    'SCHEMAS = Path(__file__).resolve().parent / "data" / "reconciliation"',
    "shared_ids = shared_ids_by_title(search)",
    'raw["doc"].update(sharedId="rudeawakening")',
])
def test_other_uses_of_the_word_are_not(line):
    assert references_to_shared(line) == []
