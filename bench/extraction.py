#!/usr/bin/env python3
"""Article extraction bench: digest strip against the reference cleaners, on the same pages, in one run.

    python3 bench/extraction.py                      # every track, digest and the baselines
    python3 bench/extraction.py --tracks html --baselines trafilatura

Uses the shared bench in ../shared/bench/extraction (its runner and scorer, read in place; the pages
are never copied into this repository). For each track it runs `digest strip --format jsonl` over
all pages in one call (start-up included, as a user would run it) and each baseline through the
bench's own runner, then prints precision, recall, F1 and pages per second side by side.
Baselines need `pip install -r ../shared/bench/extraction/requirements.txt`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("DIGEST_EXTRACTION_BENCH", REPO.parent.parent / "shared" / "bench" / "extraction"))
if not BENCH.is_dir():
    BENCH = Path("/work/shared/bench/extraction")
TRACKS = ("txt", "txt-lite", "html")
BASELINES = ("identity", "justext", "trafilatura", "readability")
BAR = {"txt": 0.90, "txt-lite": 0.96, "html": 0.97}  # the F1 issue #3 asks of digest


def run(split: Path, track: str, system: str, work: Path, repeat: int = 1) -> dict[str, object]:
    """Run one system over one track (repeat times); its scores and its median speed."""
    runs = [_run_once(split, track, system, work) for _ in range(repeat)]
    speeds = sorted(float(r["pages_per_s"] or 0) for r in runs)  # type: ignore[arg-type]
    return {**runs[0], "pages_per_s": statistics.median(speeds)}


def _run_once(split: Path, track: str, system: str, work: Path) -> dict[str, object]:
    out, stats = work / f"{track}-{system}.jsonl", work / f"{track}-{system}.stats.json"
    argv = [sys.executable, str(BENCH / "run_cleaner.py"), str(split), "--track", track, "-o", str(out), "--stats", str(stats)]
    if system == "digest":
        argv += ["--cmd", f"{sys.executable} -m digest strip --format jsonl"]
    else:
        argv += ["--baseline", system]
    # an empty working folder: no config.yaml, so digest strip runs with its defaults
    env = dict(os.environ, PYTHONPATH=str(REPO))
    subprocess.run(argv, cwd=work, env=env, check=True, capture_output=True, text=True)
    scored = subprocess.run([sys.executable, str(BENCH / "score.py"), str(split / "truth.json"), str(out), "--json"],
                            check=True, capture_output=True, text=True)
    scores = json.loads(scored.stdout)
    speed = json.loads(stats.read_text())
    return {"precision": scores["precision"], "recall": scores["recall"], "f1": scores["f1"],
            "page_f1": scores["page_f1"], "pages_per_s": speed["pages_per_s"], "problems": speed["problems"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default=str(BENCH / "dev"), help="split folder (default: the shared dev split)")
    parser.add_argument("--tracks", nargs="+", choices=TRACKS, default=list(TRACKS))
    parser.add_argument("--baselines", nargs="*", choices=BASELINES, default=["identity", "justext", "trafilatura", "readability"])
    parser.add_argument("--repeat", type=int, default=3, metavar="N",
                        help="runs per system, the median speed reported (default 3: a shared machine is noisy)")
    parser.add_argument("--json", metavar="FILE", help="also write every number to FILE")
    args = parser.parse_args(argv)
    split = Path(args.split)
    results: dict[str, dict[str, dict[str, object]]] = {}
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        for track in args.tracks:
            results[track] = {}
            for system in ["digest", *args.baselines]:
                if system == "readability" and track != "html":
                    continue  # on text it returns its input: the identity row again
                results[track][system] = run(split, track, system, Path(tmp), args.repeat)
    print(f"{'track':9} {'system':12} {'precision':>9} {'recall':>7} {'F1':>6} {'page-F1':>8} {'pages/s':>8}")
    for track, systems in results.items():
        for system, r in systems.items():
            mark = ""
            if system == "digest":
                mark = "  bar {:.2f}: {}".format(BAR[track], "met" if r["f1"] >= BAR[track] else "NOT met")
            print(f"{track:9} {system:12} {r['precision']:9.3f} {r['recall']:7.3f} {r['f1']:6.3f} {r['page_f1']:8.3f} "
                  f"{r['pages_per_s'] or 0:8.1f}{mark}")
            for problem in r["problems"]:  # type: ignore[attr-defined]
                print(f"    problem: {problem}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
