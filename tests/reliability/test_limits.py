"""Limits: an oversized source is refused without being read; too many pages stop the build with a message.

How much memory a 50 MB source takes when the limit is raised is measured in bench/reliability.py.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from digest.config import Config
from digest.stages.ingest import read_source
from tests.cli.test_build import tree_digest
from tests.conftest import run_digest

FIFTY_MB = 50 * 1024 * 1024


def test_a_50_mb_source_is_refused_without_being_read(tmp_path: Path) -> None:
    huge = tmp_path / "content" / "sources" / "huge.txt"
    huge.parent.mkdir(parents=True)
    with huge.open("wb") as f:
        f.truncate(FIFTY_MB)  # sparse: 50 MB long, nothing on disk
    tracemalloc.start()
    source, problems = read_source(huge, tmp_path, Config().limits.max_source_bytes)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert source is None
    assert [str(p) for p in problems] == [
        "content/sources/huge.txt: error: too large (52,428,800 bytes; the limit is 10,000,000) — split the file, "
        "or raise limits.max_source_bytes in config.yaml"]
    assert peak < 1_000_000, f"reading took {peak:,} bytes: the file was read before it was refused"


def test_more_pages_than_the_limit_stop_the_build_and_keep_the_site(tmp_path: Path) -> None:
    articles = tmp_path / "content" / "articles"
    articles.mkdir(parents=True)
    (tmp_path / "config.yaml").write_text("title: Limits\nlimits:\n  max_articles: 2\n")
    for i in range(2):
        (articles / f"p{i}.md").write_text(f"---\ntitle: Page {i}\n---\n\nText.\n")
    run_digest("build", cwd=tmp_path, check=True)
    before = tree_digest(tmp_path / "site")
    (articles / "p2.md").write_text("---\ntitle: Page 2\n---\n\nText.\n")
    result = run_digest("build", cwd=tmp_path)
    assert result.returncode == 1
    assert "content/articles: error: 3 pages: more than limits.max_articles (2) — raise limits.max_articles in config.yaml" \
        in result.stderr
    assert tree_digest(tmp_path / "site") == before
