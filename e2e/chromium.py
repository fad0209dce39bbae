"""Debian's Chromium as KOTAN's browser checks start it: the walk (e2e/walk.py), the CSP and phone-table
tests (tests/test_csp_browser.py) and the field bench (bench/field.py). Never a browser Playwright
downloads: the one the machine's packages keep up to date (`apt-get install -y chromium`).
"""

from __future__ import annotations

from playwright.sync_api import Browser, Playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def launch(playwright: Playwright) -> Browser:
    """Headless Chromium from /usr/bin/chromium with the flags every check uses."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
