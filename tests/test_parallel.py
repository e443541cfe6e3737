"""Per-article maps: the same results in the same order whether they run here, on a process pool or on Dask."""

from __future__ import annotations

import gc
import os
import socket
import threading
from functools import partial
from pathlib import Path

import pytest

from digest.markdown import render_markdown
from digest.parallel import PROCESS_MIN_ITEMS, Executor
from tests.cli.test_build import tree_digest
from tests.conftest import run_digest

BODIES = [f"# Article {i}\n\nParagraph *{i}* with `code` and a [link](https://example.org/{i}).\n" for i in range(60)]
RENDER = partial(render_markdown, allow_html=False)


def pid_of(_item: object) -> int:
    return os.getpid()


@pytest.mark.parametrize("text, expected", [
    ("auto", Executor("auto")),
    ("serial", Executor("serial")),
    ("process", Executor("process")),
    ("dask", Executor("dask")),
    ("dask=tcp://10.0.0.5:8786", Executor("dask", "tcp://10.0.0.5:8786")),
], ids=lambda v: v if isinstance(v, str) else "")
def test_parse_names_the_executor(text: str, expected: Executor) -> None:
    assert Executor.parse(text) == expected


@pytest.mark.parametrize("text", ["threads", "process=4", "", "dask:tcp://x"])
def test_parse_refuses_unknown_executors(text: str) -> None:
    with pytest.raises(ValueError, match="expected serial, process, auto, dask or dask=ADDRESS"):
        Executor.parse(text)


def test_process_pool_returns_serial_results_in_order() -> None:
    serial = Executor("serial").map(RENDER, BODIES)
    assert serial == [render_markdown(b) for b in BODIES]
    assert Executor("process", workers=2).map(RENDER, BODIES) == serial


def test_process_pool_runs_in_other_processes() -> None:
    pids = Executor("process", workers=2).map(pid_of, list(range(40)))
    assert os.getpid() not in pids


def test_process_pool_works_while_other_threads_run() -> None:
    stop = threading.Event()
    watcher = threading.Thread(target=stop.wait, daemon=True)  # like digest serve's file watcher
    watcher.start()
    try:
        assert Executor("process", workers=2).map(RENDER, BODIES[:10]) == [render_markdown(b) for b in BODIES[:10]]
    finally:
        stop.set()
        watcher.join()


def collector_on(_item: object) -> bool:
    return gc.isenabled()


@pytest.mark.parametrize("kind", ["serial", "process"])
def test_an_acyclic_map_pauses_the_cycle_collector_and_gives_the_same_results(kind: str) -> None:
    executor = Executor(kind, workers=2)  # type: ignore[arg-type]
    assert executor.map(RENDER, BODIES, acyclic=True) == [render_markdown(b) for b in BODIES]
    assert executor.map(collector_on, BODIES, acyclic=True) == [False] * len(BODIES)
    assert executor.map(collector_on, BODIES) == [True] * len(BODIES)
    assert gc.isenabled()


def test_auto_stays_in_this_process_for_few_items() -> None:
    assert set(Executor("auto").map(pid_of, list(range(PROCESS_MIN_ITEMS - 1)))) == {os.getpid()}


def test_an_empty_map_starts_nothing() -> None:
    assert Executor("dask", "tcp://127.0.0.1:1").map(pid_of, []) == []


def dask_or_skip() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("dask[distributed] is not installed (pip install 'digest[dask]')")


@pytest.fixture(scope="module")
def dask_scheduler() -> str:
    """A one-worker Dask cluster inside this process, reachable over TCP on 127.0.0.1 (so a CLI subprocess can use it)."""
    dask_or_skip()
    import logging

    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def test_dask_returns_serial_results_in_order(dask_scheduler: str) -> None:
    executor = Executor("dask", dask_scheduler)
    try:
        assert executor.map(RENDER, BODIES) == Executor("serial").map(RENDER, BODIES)
        assert executor.map(RENDER, BODIES[:3]) == Executor("serial").map(RENDER, BODIES[:3]), "a second map, same client"
    finally:
        executor.close()


def test_build_on_dask_equals_a_serial_build(dask_scheduler: str, example_digest: Path, tmp_path: Path) -> None:
    run_digest("build", "--executor", "serial", "--no-cache", "--out", str(tmp_path / "serial"), cwd=example_digest, check=True)
    result = run_digest("build", "--executor", f"dask={dask_scheduler}", "--no-cache", cwd=example_digest)
    assert result.returncode == 0, result.stderr
    assert tree_digest(example_digest / "site") == tree_digest(tmp_path / "serial")


def test_an_unreachable_scheduler_is_a_usage_error(example_digest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dask_or_skip()
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "1s")  # Dask's own setting; 30 s by default
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_digest("build", "--no-cache", "--executor", f"dask=tcp://127.0.0.1:{port}", cwd=example_digest)
    assert result.returncode == 2
    assert f"error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in result.stderr
