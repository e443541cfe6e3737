"""Shared fixtures: a digest folder made from the example sources, and the real CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "content" / "sources"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def run_digest(*args: str, cwd: Path, check: bool = False, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the digest CLI of this checkout as a user would, in a separate process."""
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED="random")
    result = subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"digest {' '.join(args)} exited {result.returncode}\n{result.stderr}")
    return result


@pytest.fixture
def example_digest(tmp_path: Path) -> Path:
    """A copy of the example digest (config and raw sources, no generated pages)."""
    folder = tmp_path / "example"
    (folder / "content" / "articles").mkdir(parents=True)
    shutil.copytree(SEEDS, folder / "content" / "sources")
    shutil.copy(REPO / "config.yaml", folder / "config.yaml")
    return folder
