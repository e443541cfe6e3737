"""Stages import only the model and shared helpers: never each other, the CLI, the build or the server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

STAGES = Path(__file__).resolve().parent.parent / "digest" / "stages"
FORBIDDEN = ("digest.cli", "digest.build", "digest.pipeline", "digest.serve", "digest.deploy", "digest.pages", "digest.check")
# render writes digest.json as one of its files: export is part of rendering
ALLOWED_CROSS_STAGE = {("render", "export")}


def stage_of(path: Path) -> str:
    return path.relative_to(STAGES).parts[0].removesuffix(".py")


def digest_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return [n for n in names if n == "digest" or n.startswith("digest.")]


MODULES = sorted(p for p in STAGES.rglob("*.py") if p.name != "__init__.py" or p.parent != STAGES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(STAGES).as_posix())
def test_stage_imports_no_other_stage(path: Path) -> None:
    stage = stage_of(path)
    for name in digest_imports(path):
        assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
        if name.startswith("digest.stages."):
            other = name.split(".")[2]
            assert other == stage or (stage, other) in ALLOWED_CROSS_STAGE, f"stage {stage} imports stage {other}"
