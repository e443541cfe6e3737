"""kill -9 at random points of a build: the site is always the old one or the new one, and the next build recovers."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

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

    run_digest("build", cwd=digest, check=True)
    assert tree_digest(digest / "site") == new_tree
    assert not list(digest.glob(".site.staging-*")), "the next build removes what interrupted builds left"
    shutil.rmtree(tmp_path / "timing")
