"""Take the README's screenshots: home and an article, light and dark, phone and desktop.

    python3 docs/screenshots/take_screenshots.py

Builds a copy of the example digest (config.yaml and content/, the editor's pages as committed)
in a temporary folder, serves it from /news/ on 127.0.0.1 and photographs it in Debian's headless
Chromium through Playwright.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTICLE = "articles/2021-12-06-russia-begins-deliveries-of-s-400-defense-system-to-india-despite-us-sanctions/"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def digest(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, check=True, env={"PYTHONPATH": str(REPO), "PATH": ""})


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "example"
        shutil.copytree(REPO / "content", folder / "content")
        shutil.copy(REPO / "config.yaml", folder / "config.yaml")
        digest("build", "--base-url", "https://example.org/news/", "--out", str(Path(tmp) / "root" / "news"), cwd=folder)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(Path(tmp) / "root")))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}/news/"
        pages = {"home": base, "article": base + ARTICLE}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for scheme in ("light", "dark"):
                for size, viewport in SIZES.items():
                    page = browser.new_page(viewport=viewport, color_scheme=scheme,
                                            device_scale_factor=2 if size == "phone" else 1)
                    for name, url in pages.items():
                        page.goto(url)
                        page.screenshot(path=str(OUT / f"{name}-{size}-{scheme}.png"))
                    page.close()
            browser.close()
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
