"""Map a pure per-article function over items: in this process, across this machine's cores, or on Dask.

Per-article stages (strip, Markdown rendering, and later annotate) see one article at a time and
share nothing, so they are a plain map: results come back in the order of the items whatever
runs them, and the build is byte-identical whichever executor it used. The function and its
items must pickle (a module-level function, or a functools.partial of one).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import multiprocessing
import os
import sys
import threading
import typing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Literal, Sequence, TypeVar

from digest.collector import cycle_collector_paused
from digest.errors import ConfigError, Diagnostic

T = TypeVar("T")
R = TypeVar("R")

ExecutorKind = Literal["auto", "serial", "process", "dask"]
# Below this many items a process pool costs more (starting workers, pickling) than it saves.
PROCESS_MIN_ITEMS = 200


@dataclass(frozen=True)
class Executor:
    """Where per-article work runs: `auto` is a process pool for large batches when cores are free, else serial."""

    kind: ExecutorKind = "auto"
    address: str | None = None  # Dask scheduler, e.g. tcp://10.0.0.5:8786; None starts a local cluster
    workers: int | None = None  # processes of the local pool; None: one per core
    # The Dask client (and local cluster), connected on first use and kept for the stages after: starting
    # a local cluster takes seconds. Closed when the process exits.
    _dask: list[Any] = field(default_factory=list, compare=False, repr=False)

    @staticmethod
    def parse(text: str) -> Executor:
        """The executor named by `digest build --executor`: serial, process, auto, dask or dask=ADDRESS."""
        kind, _, address = text.partition("=")
        if kind not in ("auto", "serial", "process", "dask") or (address and kind != "dask"):
            raise ValueError(f"unknown executor {text!r}: expected serial, process, auto, dask or dask=ADDRESS")
        return Executor(typing.cast(ExecutorKind, kind), address or None)

    def map(self, fn: Callable[[T], R], items: Sequence[T], *, acyclic: bool = False) -> list[R]:
        """fn over items, results in the order of items. acyclic: fn makes no reference cycles (annotate's
        do not), so the cycle collector is paused while its results pile up (see digest.collector)."""
        if not items:
            return []
        kind = self.kind
        if kind == "auto":
            kind = "process" if len(items) >= PROCESS_MIN_ITEMS and idle_cores() > 1 else "serial"
        if kind == "serial":
            with cycle_collector_paused() if acyclic else contextlib.nullcontext():
                return [fn(item) for item in items]
        if kind == "process":
            return _process_map(fn, items, self.workers or available_cores(), acyclic)
        if not self._dask:
            self._dask.extend(_connect(self.address))
            atexit.register(self.close)
        return _dask_map(fn, items, self._dask[0])

    def close(self) -> None:
        """Disconnect from Dask (and stop the local cluster) now rather than when the process exits."""
        if self._dask:
            client, cluster = self._dask
            self._dask.clear()
            client.close()
            if cluster is not None:
                cluster.close()


def available_cores() -> int:
    """The cores this process may run on (fewer than the machine's in a container or under taskset)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def idle_cores() -> int:
    """Cores not busy with other work (this build counts as idle): a pool on a loaded machine only adds overhead."""
    cores = available_cores()
    if not hasattr(os, "getloadavg"):
        return cores
    return max(1, cores - max(0, round(os.getloadavg()[0]) - 1))


def _process_map(fn: Callable[[T], R], items: Sequence[T], workers: int, acyclic: bool) -> list[R]:
    # fork is cheapest (workers inherit the loaded modules), but forking a process that runs threads (digest
    # serve's watcher) can deadlock: then a fork server, which forks from a clean single-threaded process.
    method = None
    if sys.platform.startswith("linux"):
        method = "fork" if threading.active_count() == 1 else "forkserver"
    context = multiprocessing.get_context(method)
    chunk = max(1, len(items) // (workers * 4))
    # Unpickling the results makes many objects and no cycles (about 40 for each article's annotations):
    # with the collector on, its full collections walked all the results received so far, again and again.
    # Workers forked meanwhile would inherit the pause: they collect as usual, unless fn is acyclic.
    with (ProcessPoolExecutor(min(workers, len(items)), mp_context=context,
                              initializer=gc.disable if acyclic else gc.enable) as pool,
          cycle_collector_paused()):
        return list(pool.map(fn, items, chunksize=chunk))


def _apply_to_chunk(fn: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [fn(item) for item in chunk]


def _connect(address: str | None) -> tuple[Any, Any]:
    """(client, the local cluster it started or None)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError(Diagnostic("--executor", "the dask executor needs Dask",
                                     hint="install it with: pip install 'digest[dask]'")) from None
    try:
        if address:
            return Client(address, set_as_default=False), None  # type: ignore[no-untyped-call]
        cluster = LocalCluster(n_workers=available_cores(), threads_per_worker=1,  # type: ignore[no-untyped-call]
                               dashboard_address=None, silence_logs=logging.ERROR)
        return Client(cluster, set_as_default=False), cluster  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise ConfigError(Diagnostic("--executor", f"cannot reach the Dask scheduler at {address}: {exc}",
                                     hint="start one with 'dask scheduler', or use --executor process")) from exc


def _dask_map(fn: Callable[[T], R], items: Sequence[T], client: Any) -> list[R]:
    # A task per article would drown the scheduler (about a millisecond each): send batches.
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    size = max(1, min(500, len(items) // (workers * 4) or 1))
    chunks = [list(items[i:i + size]) for i in range(0, len(items), size)]
    futures = client.map(partial(_apply_to_chunk, fn), chunks, pure=False)
    return [result for chunk in client.gather(futures) for result in chunk]
