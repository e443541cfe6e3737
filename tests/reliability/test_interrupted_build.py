"""kill -9 at random points of a build: the site is always the old one or the new one, and the next build recovers."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from digest import cache as cache_module
from tests.cli.test_build import tree_digest
from tests.conftest import REPO, run_digest

KILLS = 12


def make_digest(folder: Path, title: str, n: int = 200) -> None:
    articles = folder / "content" / "articles"
    articles.mkdir(parents=True)
    (folder / "config.yaml").write_text(f"title: {title}\n")
    for i in range(n):
        (articles / f"2021-01-01-article-{i:04}.md").write_text(
            f"---\ntitle: Article {i}\ndate: 2021-01-{i % 28 + 1:02}\n---\n\n" + f"Paragraph {i} of text.\n\n" * 20)


def make_sourced_digest(folder: Path, n: int) -> Path:
    """A digest of n raw sources (no pages yet), built once: each build after a change regenerates pages."""
    sources = folder / "content" / "sources"
    sources.mkdir(parents=True)
    (folder / "config.yaml").write_text("title: Sources\n")
    for i in range(n):
        (sources / f"s{i:03}.txt").write_text(f"Article {i}\n\n" + f"Paragraph {i} of the article.\n\n" * 20)
    run_digest("build", cwd=folder, check=True)
    return folder


def test_kill_during_build_leaves_old_or_new_site(tmp_path: Path) -> None:
    new = tmp_path / "new"
    make_digest(new, "After")
    run_digest("build", cwd=new, check=True)
    new_tree = tree_digest(new / "site")

    digest = tmp_path / "digest"
    make_digest(digest, "Before")
    run_digest("build", cwd=digest, check=True)
    old_tree = tree_digest(digest / "site")
    (digest / "config.yaml").write_text("title: After\n")

    rng = random.Random(400)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.perf_counter()
    run_digest("build", "--out", str(tmp_path / "timing"), cwd=digest, check=True)
    build_seconds = time.perf_counter() - start
    for _ in range(KILLS):
        process = subprocess.Popen([sys.executable, "-m", "digest", "build", "-q"], cwd=digest, env=env)
        time.sleep(rng.uniform(0.0, build_seconds))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert tree_digest(digest / "site") in (old_tree, new_tree)

    # The cache is never torn either: every pack reads back whole, the build records are whole JSON.
    for pack in sorted((digest / ".digest-cache").rglob("*.pack")):
        cache_module._read_pack(pack)
        assert pack.exists(), f"{pack.name} was torn"
    for record in ("last-build.json", "render-memo.json"):
        if (digest / ".digest-cache" / record).exists():
            json.loads((digest / ".digest-cache" / record).read_text())
    run_digest("build", cwd=digest, check=True)
    assert tree_digest(digest / "site") == new_tree
    assert not list(digest.glob(".site.staging-*")), "the next build removes what interrupted builds left"
    assert "up to date" in run_digest("build", cwd=digest, check=True).stderr
    shutil.rmtree(tmp_path / "timing")


def test_kill_while_pages_are_regenerated_leaves_each_page_old_or_new(tmp_path: Path) -> None:
    digest = make_sourced_digest(tmp_path / "digest", 80)
    sources = digest / "content" / "sources"
    old_pages = tree_digest(digest / "content" / "articles")
    for source in sorted(sources.iterdir()):
        source.write_text(source.read_text() + "A paragraph added later.\n")
    new = tmp_path / "new"
    shutil.copytree(digest, new)
    start = time.perf_counter()
    run_digest("build", cwd=new, check=True)
    build_seconds = time.perf_counter() - start
    new_pages = tree_digest(new / "content" / "articles")

    rng = random.Random(80)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for _ in range(KILLS // 2):
        process = subprocess.Popen([sys.executable, "-m", "digest", "build", "-q"], cwd=digest, env=env)
        time.sleep(rng.uniform(0.0, build_seconds))
        process.send_signal(signal.SIGKILL)
        process.wait()
        for name, page in tree_digest(digest / "content" / "articles").items():
            if name.startswith("."):
                continue  # a page's temporary or aside file; never read as a page, tidied by the next build
            assert page in (old_pages.get(name), new_pages.get(name)), f"{name} is torn"
    run_digest("build", cwd=digest, check=True)
    assert tree_digest(digest / "content" / "articles") == new_pages, "every page, and no leftover file"
    assert tree_digest(digest / "site") == tree_digest(new / "site")
