"""strip_files: results in input order, the same from a process pool as from one process."""

from __future__ import annotations

from pathlib import Path

from digest.stages.strip import StripOptions
from digest.strip_files import StripJob, strip_files
from tests.conftest import SEEDS


def test_pool_and_single_process_give_the_same_results_in_order(tmp_path: Path) -> None:
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01" * 10)
    paths = [*sorted(SEEDS.glob("*.txt")), tmp_path / "binary.txt", *sorted(SEEDS.glob("*.txt"))]
    jobs = [StripJob(p, SEEDS, StripOptions(), None) for p in paths]
    single = list(strip_files(jobs, workers=1))
    pooled = list(strip_files(jobs, workers=2))
    assert [r.path for r in pooled] == paths
    assert pooled == single
    assert single[5].article is None and "binary" in single[5].diagnostics[0].message
