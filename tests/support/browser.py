"""Debian's Chromium driven by Playwright, for the click-through tests: one browser for the whole session
(Playwright's sync API runs one event loop per thread, so the fixture is defined once, here, and loaded by
tests/conftest.py). Screenshots go to test-artifacts/ (gitignored).

Chromium comes from Debian's packages (scripts/install-browser.sh installs it, with the Noto CJK fonts, when
/usr/bin/chromium is missing); Playwright's own browser download is never used. A browser that cannot be
installed or started makes these tests fail, not skip."""

import subprocess
from pathlib import Path

import pytest

from support import ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed by scripts/install-browser.sh when it is missing."""
    if not CHROMIUM.exists():
        done = subprocess.run([str(ROOT / "scripts" / "install-browser.sh")], capture_output=True, text=True,
                              timeout=900, check=False)
        if done.returncode != 0 or not CHROMIUM.exists():
            raise RuntimeError(f"scripts/install-browser.sh could not install Chromium ({done.returncode}):\n"
                               f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
