from __future__ import annotations

import hashlib
from pathlib import Path

from tests.conftest import run_digest


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_home_and_one_page_per_article(example_digest: Path) -> None:
    result = run_digest("build", cwd=example_digest)
    assert result.returncode == 0, result.stderr
    site = example_digest / "site"
    assert (site / "index.html").is_file()
    pages = sorted((site / "articles").glob("*/index.html"))
    assert len(pages) == 5
    assert len(list((example_digest / "content" / "articles").glob("*.md"))) == 5


def test_two_builds_are_byte_identical(example_digest: Path, tmp_path: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    first = tree_digest(example_digest / "site")
    run_digest("build", cwd=example_digest, check=True)
    assert tree_digest(example_digest / "site") == first


def test_init_then_build(tmp_path: Path) -> None:
    run_digest("init", "fresh", cwd=tmp_path, check=True)
    result = run_digest("build", cwd=tmp_path / "fresh")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fresh" / "site" / "index.html").is_file()
