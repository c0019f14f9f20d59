"""Headless Debian Chromium driven by Playwright (never a browser Playwright downloads),
and where screenshots go: test-artifacts/ (or WIJKBRUG_ARTIFACTS)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

CHROMIUM = os.environ.get("WIJKBRUG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("WIJKBRUG_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
# Headless as root, and quiet: without the background-networking flags Chromium keeps
# trying to reach Google's hosts, which this machine's closed network refuses.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def watch_requests(page) -> list:
    """Every URL the page asks for (to prove nothing goes to a third party)."""
    seen: list = []
    page.on("request", lambda request: seen.append(request.url))
    return seen
