"""What the test files share besides fixtures (those are in tests/conftest.py): the repository's root, the
servers the tests start, and the restricted home of the security tests. `tests/` is on the path because
tests/conftest.py sits there (pytest's rootdir conftest), so test files import this as `support`."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_DATA = ROOT / "tests" / "data"
