"""index.html in a real browser: Debian's chromium, headless, driven by Playwright (no browser download).

Skipped with the reason when chromium or playwright is missing (``make test`` installs chromium where it
can: root + apt-get); under ``CI=true`` it fails instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from ci import unavailable
from e2e.servers import artifacts_dir, site_for_tests
from efast_udp.publish.serve import BackgroundServer

CHROMIUM = Path(os.environ.get("EFAST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed (pip install -e '.[test]')")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        hint = "run `make browser` as root" if shutil.which("apt-get") else "no apt-get here"
        unavailable(f"no chromium at {CHROMIUM} ({hint})")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=60_000)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-site")
    site = site_for_tests(tmp)
    with BackgroundServer(tmp / "public") as server:
        yield server, site


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read()


def test_index_html_in_chromium(browser, served):
    server, site = served
    doc = site.latest.doc
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    outside = []
    page.route(lambda url: not url.startswith(server.url), lambda route: (outside.append(route.request.url), route.abort()))
    try:
        page.goto(f"{server.url}/index.html", wait_until="load")
        shot = artifacts_dir() / "site-index.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000

        assert page.title().startswith(f"{doc['id']} {site.latest.version}")
        assert page.locator("#summary").inner_text() == doc.get("summary", "")

        # the parameter table lists every UDP parameter, in order
        names = page.locator("#parameter-table tbody tr code.param-name").all_inner_texts()
        assert names == [p["name"] for p in doc["parameters"]]

        # every version's URLs and checksums match the files the server delivers
        rows = page.locator("#version-table tbody tr")
        assert rows.count() == len(site.releases)
        assert [rows.nth(i).get_attribute("data-version") for i in range(rows.count())] == [
            r.version for r in reversed(site.releases)
        ]
        for i in range(rows.count()):
            row = rows.nth(i)
            version = row.get_attribute("data-version")
            link = row.locator("a.udp-url")
            assert link.get_attribute("href") == f"{version}/efast.json"
            assert link.inner_text().endswith(f"/{version}/efast.json")
            assert link.inner_text() == link.get_attribute("data-url")
            served_bytes = fetch(urllib.parse.urljoin(page.url, link.get_attribute("href")))
            assert served_bytes == site.files[f"{version}/efast.json"]
            assert row.locator("td.udp-sha256").inner_text().strip() == hashlib.sha256(served_bytes).hexdigest()
            listing = row.locator("a.listing-url")
            listing_bytes = fetch(urllib.parse.urljoin(page.url, listing.get_attribute("href")))
            assert row.locator(".listing-sha256").inner_text().strip() == hashlib.sha256(listing_bytes).hexdigest()

        # the pinned URL in the Python snippet is the latest release's versioned URL
        pinned = page.locator("#pinned-url").inner_text()
        assert pinned.endswith(f"/{site.latest.version}/efast.json")
        assert f'namespace="{pinned}"' in page.locator("#snippet-load").inner_text()

        # the editor link is well-formed
        href = page.locator("#editor-link").get_attribute("href")
        parts = urllib.parse.urlsplit(href)
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "editor.openeo.org", "/")
        query = urllib.parse.parse_qs(parts.query, strict_parsing=True)
        assert query["wizard"] == ["UDP"]
        assert query["wizard~process"] == [doc["id"]]
        assert query["wizard~processUrl"] == [pinned]
        assert query["server"][0].startswith("https://")

        # the page loads nothing from outside the site
        assert outside == []
    finally:
        page.close()


def test_landing_page_shows_its_pictures(browser, served, tmp_path):
    """The processing-chain diagram and the demo figure are drawn with a size, the bar links the pages."""
    server, site = served
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(f"{server.url}/index.html", wait_until="load")
        diagram = page.locator("svg.diagram")
        figure = page.locator("#demo-figure")
        figure.scroll_into_view_if_needed()
        assert page.evaluate("document.getElementById('demo-figure').complete && "
                             "document.getElementById('demo-figure').naturalWidth") > 0
        for element in (diagram, figure):
            box = element.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 100, box
        stages = diagram.locator("g.stage").count()
        assert stages == len(site.latest.doc["process_graph"])
        assert page.locator("nav.site a").all_inner_texts()[:4] == ["Home", "Algorithm", "Versions", "APEx catalogue"]
        shot = tmp_path / "landing-page.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        page.goto(f"{server.url}/algorithm.html", wait_until="load")
        box = page.locator("math").first.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 5
    finally:
        page.close()
