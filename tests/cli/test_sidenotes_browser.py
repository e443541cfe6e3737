"""Sidenotes in a real browser: beside the text on a wide screen, notes below on a phone, CSS only."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from typing import Iterator

import pytest

from tests.cli.test_build_annotations import NOTED_PAGE
from tests.conftest import run_digest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture
def served_site(tmp_path: Path) -> Iterator[str]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: install Debian's chromium package")
        pytest.skip("chromium is missing")
    run_digest("init", "d", cwd=tmp_path, check=True)
    (tmp_path / "d" / "content" / "articles").mkdir(parents=True, exist_ok=True)
    (tmp_path / "d" / "content" / "articles" / "noted.md").write_text(NOTED_PAGE, encoding="utf-8")
    run_digest("build", cwd=tmp_path / "d", check=True)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path / "d" / "site")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/articles/noted/"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_sidenotes_beside_the_text_when_wide_and_below_when_narrow(served_site: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            wide = browser.new_page(viewport={"width": 1400, "height": 900})
            wide.goto(served_site)
            body_right = wide.eval_on_selector(".body", "e => e.getBoundingClientRect().right")
            assert wide.eval_on_selector(".footnote-sidenote", "e => e.getBoundingClientRect().left") > body_right
            assert wide.eval_on_selector(".editor-note", "e => e.getBoundingClientRect().left") > body_right
            assert wide.eval_on_selector("section.footnotes", "e => getComputedStyle(e).display") == "none"
            narrow = browser.new_page(viewport={"width": 400, "height": 900})
            narrow.goto(served_site)
            assert narrow.eval_on_selector(".footnote-sidenote", "e => getComputedStyle(e).display") == "none"
            assert narrow.eval_on_selector("section.footnotes", "e => getComputedStyle(e).display") == "block"
            note = narrow.eval_on_selector(".editor-note", "e => e.getBoundingClientRect().right")
            assert note <= 400  # the editor's note stays on screen, under its line
        finally:
            browser.close()
