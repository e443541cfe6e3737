"""Take the README's screenshots: home and an article, light and dark, phone and desktop.

    python3 docs/screenshots/take_screenshots.py

Builds a copy of the example digest in a temporary folder, with the few front matter edits an
editor would make (a headline strip got wrong, the date the text states, tags), serves it from
/news/ on 127.0.0.1 and photographs it in Debian's headless Chromium through Playwright.
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

import yaml
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
EDITS = {  # page file stem: front matter an editor adds
    "tuesday-april-06-2021": {"title": "India desperate to get S-400, what is Russia saying?", "date": "2021-04-06",
                              "tags": ["S-400", "India", "Russia", "CAATSA"], "slug": "india-desperate-to-get-s-400"},
    "india-to-receive-russian-s400s-by-end-of-2021": {"tags": ["S-400", "India", "Russia", "Turkey"]},
    "russia-begins-deliveries-of-s-400-defense-system-to-india-despite-us-sanctions": {"tags": ["S-400", "CAATSA"]},
}
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def digest(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, check=True, env={"PYTHONPATH": str(REPO), "PATH": ""})


def edit_page(path: Path, changes: dict[str, object]) -> None:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(front)
    meta.update(changes)
    meta.pop("generated", None)
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body, encoding="utf-8")


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "example"
        shutil.copytree(REPO / "content" / "sources", folder / "content" / "sources")
        shutil.copy(REPO / "config.yaml", folder / "config.yaml")
        digest("build", cwd=folder)
        for stem, changes in EDITS.items():
            edit_page(folder / "content" / "articles" / f"{stem}.md", changes)
        digest("build", "--base-url", "https://example.org/news/", "--out", str(Path(tmp) / "root" / "news"), cwd=folder)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(Path(tmp) / "root")))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}/news/"
        pages = {"home": base, "article": base + "articles/india-desperate-to-get-s-400/"}
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
