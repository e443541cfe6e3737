"""Live reload in a real headless Chromium: edits show without touching the browser, errors show over the page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from tests.serve.conftest import Running

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTICLE = "/news/articles/india-to-receive-russian-s400s-by-end-of-2021/"
WAIT_MS = 15_000

pytestmark = pytest.mark.browser


@pytest.fixture
def page(running: Running) -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 500})
            page.csp_violations = []  # type: ignore[attr-defined]
            page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text))
            page.goto(f"http://127.0.0.1:{running.port}{ARTICLE}")
            yield page
        finally:
            browser.close()


def settle(page: object) -> None:
    """Wait until the page (after a load or a reload) is greeted on its live-reload connection."""
    page.wait_for_load_state("load")  # type: ignore[attr-defined]
    page.wait_for_function("() => window.digestServe && window.digestServe.connected")  # type: ignore[attr-defined]


def test_edit_source_break_and_fix_front_matter_and_restyle_without_touching_the_browser(running: Running, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    settle(page)
    # 1. Edit the article's source: the page shows the new text, at the same scroll position.
    page.evaluate("window.scrollTo(0, 400)")
    source = running.folder / "content" / "sources" / "000_9e76e9260d536c94.txt"
    text = source.read_text(encoding="utf-8")
    assert "Dzirkaln on Monday" in text
    source.write_text(text.replace("Dzirkaln on Monday", "Dzirkaln on a Tuesday seen live"), encoding="utf-8")
    expect(page.locator("main")).to_contain_text("Dzirkaln on a Tuesday seen live", timeout=WAIT_MS)
    settle(page)
    assert abs(page.evaluate("window.scrollY") - 400) < 5

    # 2. Break the page's front matter: an overlay names the file, line and problem; the page stays.
    article = running.article("india-to-receive")
    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace("title: ", "date: tomorrow\ntitle: ", 1), encoding="utf-8")
    overlay = page.locator("#digest-serve-overlay")
    expect(overlay).to_be_visible(timeout=WAIT_MS)
    expect(overlay).to_contain_text("content/articles/india-to-receive-russian-s400s-by-end-of-2021.md:2:7")
    expect(overlay).to_contain_text("front matter: date 'tomorrow' is not a date")
    expect(page.locator("main")).to_contain_text("Dzirkaln on a Tuesday seen live")
    assert overlay.evaluate("el => getComputedStyle(el).position") == "fixed"  # styled despite the site's CSP

    # 3. Fix it: the overlay goes away by itself.
    article.write_text(good, encoding="utf-8")
    expect(overlay).to_have_count(0, timeout=WAIT_MS)
    settle(page)

    # 4. Edit the stylesheet: the style changes and the page is not reloaded.
    page.evaluate("window.__notReloaded = true")
    css = running.folder / "themes" / "default" / "static" / "css" / "digest.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { background-color: rgb(1, 2, 3); }\n", encoding="utf-8")
    page.wait_for_function("() => getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'", timeout=WAIT_MS)
    assert page.evaluate("window.__notReloaded") is True
    assert page.locator('link[rel="stylesheet"]').count() == 1
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_a_saved_page_shows_first_and_the_pages_that_list_it_follow(running: Running, page: object) -> None:
    """An edit of an article's own page takes the quick path (digest.delta): that page is written and shown first, and
    the home page, opened from it right away, already lists the new title (its request waited for the rest)."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    settle(page)
    article = running.article("india-to-receive")
    text = article.read_text(encoding="utf-8")
    # The first build wrote the pages from the sources: the first save of one is a whole build.
    article.write_text(text + "\nA first edit.\n", encoding="utf-8")
    expect(page.locator("main")).to_contain_text("A first edit.", timeout=WAIT_MS)
    settle(page)
    title = "India to receive Russian S400s by end of 2021"
    assert title in text
    article.write_text(text.replace(f"title: {title}", "title: India gets its S-400s, edited live", 1)
                       + "\nA second edit.\n", encoding="utf-8")
    expect(page.locator("main")).to_contain_text("A second edit.", timeout=WAIT_MS)
    expect(page.locator("h1")).to_contain_text("India gets its S-400s, edited live")
    assert any(line.startswith("saved page written in") for line in running.said)
    page.goto(f"http://127.0.0.1:{running.port}/news/")
    expect(page.locator("main")).to_contain_text("India gets its S-400s, edited live")
