#!/usr/bin/env python3
"""Fuzz run: the suite's property tests of tests/reliability/test_fuzz.py with many more examples.

    python3 bench/fuzz.py [--examples 10000] [--write docs/fuzz.md]

Targets: the strip stage (and reading back the page it writes), the front matter reader, slugify,
the config loader and the Markdown renderer (no executable content). Each runs --examples hypothesis
examples (the suite runs 150); a failure prints hypothesis' smallest falsifying example.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGETS = {
    "strip (strip_source, then the page it writes read back)": "test_strip_never_crashes_and_the_page_it_makes_reads_back",
    "front matter reader (parse_page)": "test_front_matter_reader_never_crashes",
    "slugify": "test_slugs_are_safe_folder_names_and_stable",
    "config loader (parse_config)": "test_config_reader_never_crashes",
    "Markdown renderer (render_markdown)": "test_markdown_from_sources_never_contains_executable_content",
}


def run_target(test: str, examples: int) -> tuple[bool, float, str]:
    """(passed, seconds, pytest's last lines) for one property test at `examples` examples."""
    env = dict(os.environ, DIGEST_FUZZ_EXAMPLES=str(examples), PYTHONPATH=str(REPO))
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"tests/reliability/test_fuzz.py::{test}"], cwd=REPO, env=env, capture_output=True, text=True)
    return run.returncode == 0, time.perf_counter() - start, run.stdout[-3000:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--write", type=Path, help="save the results as a Markdown table")
    args = parser.parse_args()
    rows = []
    failed = False
    for name, test in TARGETS.items():
        passed, seconds, output = run_target(test, args.examples)
        result = "no unhandled exception" if passed else "FAILED: " + " ".join(re.findall(r"^E .*$", output, re.M))[:300]
        print(f"{name}: {args.examples:,} examples, {seconds:.0f} s: {result}", flush=True)
        if not passed:
            print(output)
        failed |= not passed
        rows.append(f"| {name} | {args.examples:,} | {seconds:.0f} s | {result} |")
    if args.write:
        args.write.write_text("| target | examples | time | result |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
