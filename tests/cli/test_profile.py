"""digest build --profile, --executor and --no-cache through the real command line."""

from __future__ import annotations

import re
from pathlib import Path

from digest.cache import FORMAT
from tests.cli.test_build import tree_digest
from tests.conftest import run_digest


def test_profile_prints_the_time_of_each_stage(example_digest: Path) -> None:
    result = run_digest("build", "--profile", cwd=example_digest)
    assert result.returncode == 0, result.stderr
    stages = re.findall(r"^(\w+) +(\d+\.\d{3})s +(\d+\.\d)%$", result.stderr, re.MULTILINE)
    assert [name for name, _, _ in stages] == ["inputs", "read", "strip", "pages", "markdown", "annotate", "link", "render", "search", "cache", "write"]
    total = re.search(r"^total +(\d+\.\d{3})s$", result.stderr, re.MULTILINE)
    assert total and abs(sum(float(s) for _, s, _ in stages) - float(total.group(1))) < 0.01


def test_no_profile_no_table(example_digest: Path) -> None:
    assert "total" not in run_digest("build", cwd=example_digest, check=True).stderr


def test_a_rebuild_from_the_cache_equals_a_build_without_it(example_digest: Path, tmp_path: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    assert list((example_digest / ".digest-cache" / f"v{FORMAT}").glob("*/*.pack"))
    mtimes = {p: p.stat().st_mtime_ns for p in (example_digest / "site").rglob("*") if p.is_file()}
    run_digest("build", "--executor", "process", cwd=example_digest, check=True)
    assert {p: p.stat().st_mtime_ns for p in (example_digest / "site").rglob("*") if p.is_file()} == mtimes
    run_digest("build", "--no-cache", "--executor", "serial", "--out", str(tmp_path / "clean"), cwd=example_digest, check=True)
    assert tree_digest(example_digest / "site") == tree_digest(tmp_path / "clean")


def test_an_unknown_executor_is_a_usage_error(example_digest: Path) -> None:
    result = run_digest("build", "--executor", "threads", cwd=example_digest)
    assert result.returncode == 2
    assert "argument --executor: unknown executor 'threads': expected serial, process, auto, dask or dask=ADDRESS" in result.stderr


def test_the_cache_folder_is_never_the_output(example_digest: Path) -> None:
    result = run_digest("build", "--out", ".digest-cache", cwd=example_digest)
    assert result.returncode == 2
    assert "refusing to build into" in result.stderr and "it holds .digest-cache" in result.stderr


def test_every_per_article_stage_and_the_search_index_are_cached(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    stages = {p.parent.name for p in (example_digest / ".digest-cache" / f"v{FORMAT}").glob("*/*.pack")}
    assert {"strip", "read", "markdown", "annotate", "search"} <= stages
