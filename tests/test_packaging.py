"""The wheel carries everything an installed digest needs: theme, workflow, live-reload script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_ships_theme_workflow_and_reload_script(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
                    str(REPO)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("digest-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = REPO / "digest" / "themes" / "default"
    expected = {p.relative_to(REPO).as_posix() for p in theme.rglob("*") if p.is_file()}
    expected |= {"digest/workflows/pages.yml", "digest/serve/reload.js"}
    assert expected <= names, sorted(expected - names)
