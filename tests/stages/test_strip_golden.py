"""Golden files for strip: one folder per behaviour, input.* in, expected.md (the page digest writes) out.

Regenerate with `pytest --update-golden` and review the diff like code: each expected.md must read
as the clean article, with every removed line listed under `removed:`.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from digest.stages.convert import page_text
from digest.stages.ingest import read_source
from digest.stages.strip import strip_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "strip"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def _input_of(case: Path) -> Path:
    (found,) = [p for p in case.iterdir() if p.stem == "input"]
    return found


@pytest.mark.parametrize("case", CASES)
def test_strip_matches_golden_page(case: str, update_golden: bool) -> None:
    folder = GOLDEN / case
    source, problems = read_source(_input_of(folder), GOLDEN)
    assert source is not None, problems
    actual = page_text(strip_source(source))
    expected_path = folder / "expected.md"
    if update_golden or not expected_path.exists():
        expected_path.write_text(actual, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"{expected_path} did not exist and was written: review it, then run again")
        return
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"{case}/expected.md", f"{case} (actual)"))
        pytest.fail(f"strip output differs from the golden page (run pytest --update-golden to accept):\n{diff}")


def test_every_golden_case_has_an_expected_page() -> None:
    assert CASES and all((GOLDEN / case / "expected.md").is_file() for case in CASES)
