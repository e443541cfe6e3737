"""Determinism: the same digest builds to byte-identical files whatever the hash seed and the file system's order."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from tests.cli.test_build import tree_digest
from tests.conftest import REPO, SEEDS
from tests.reliability.hostile import PAGES, SOURCES

# Hand-written pages whose tags, outlets and months overlap, so every grouping has ties to break.
EXTRA_PAGES = {f"page-{i}.md": f"---\ntitle: Page {i % 3}\ndate: 2021-0{i % 3 + 1}-0{i % 2 + 1}\n"
                               f"tags: [{', '.join(f'tag {j}' for j in range(i % 4, 6))}, India, india]\n"
                               f"source: Outlet {i % 2}\n---\n\nText of page {i}.\n" for i in range(12)}


def write_digest(folder: Path, reverse: bool) -> None:
    """The example sources, the hostile corpus and EXTRA_PAGES, created in one order or its reverse."""
    files: list[tuple[str, bytes]] = [("config.yaml", b"title: Order\nbase_url: https://example.org/\nper_page: 3\n")]
    files += [(f"content/sources/{p.name}", p.read_bytes()) for p in sorted(SEEDS.iterdir())]
    files += [(f"content/sources/{name}", text.encode()) for name, text in SOURCES.items()]
    files += [(f"content/articles/{name}", text.encode()) for name, text in {**PAGES, **EXTRA_PAGES}.items()]
    for name, data in reversed(files) if reverse else files:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def build(folder: Path, seed: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED=seed)
    result = subprocess.run([sys.executable, "-m", "digest", "build", "-q"], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


# tmpfs lists a folder's files newest first, so creation order becomes listing order there
# (ext4 lists them by a hash of the name, whatever the order they were made in).
TMPFS = Path("/dev/shm")


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    if not (TMPFS.is_dir() and os.access(TMPFS, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=TMPFS, prefix="digest-order-") as folder:
        yield Path(folder)


def test_output_is_identical_across_hash_seeds_and_file_orders(scratch: Path) -> None:
    first, second = scratch / "a", scratch / "b"
    write_digest(first, reverse=False)
    write_digest(second, reverse=True)
    if scratch.is_relative_to(TMPFS):
        for folder in ("content/articles", "content/sources"):
            assert os.listdir(first / folder) != os.listdir(second / folder), "the file system lists them in other orders"
    build(first, "1")
    build(second, "2")
    assert tree_digest(second / "site") == tree_digest(first / "site")
    assert tree_digest(second / "content") == tree_digest(first / "content"), "generated pages too"
    shutil.rmtree(first / "site")
    build(first, "3")
    assert tree_digest(first / "site") == tree_digest(second / "site"), "a rebuild from scratch matches"
