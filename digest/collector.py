"""Python's cycle collector paused around steps that make many long-lived objects and no cycles.

Each full collection walks every container object alive. While a step piles up results (a
digest's annotations, the results a process pool sends back) those walks repeat over everything
made so far, and at 10,000 articles they cost seconds. Garbage is still freed by reference
counting meanwhile; the collector runs again as usual afterwards.
"""

from __future__ import annotations

import functools
import gc
from contextlib import contextmanager
from typing import Callable, Iterator, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
_build_frozen = False  # a build's stages are under freeze_done_work (gc.get_freeze_count walks every frozen object)


def freeze_done_work() -> None:
    """Keep out of the collector's walks all that exists now: a build calls it as each stage starts, as what the
    stages before made lives until the build ends (at 10,000 articles full passes over it cost seconds a rebuild)."""
    global _build_frozen
    gc.freeze()
    _build_frozen = True


@contextmanager
def work_frozen() -> Iterator[None]:
    """The block (a build) during which freeze_done_work may be called; what it froze is released after."""
    global _build_frozen
    try:
        yield
    finally:
        gc.unfreeze()  # the build's objects can be collected again (digest serve runs build after build)
        _build_frozen = False


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """The block run with the cycle collector paused (left paused if it already was)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if not _build_frozen:  # (unfreeze would also release what the build froze)
            # What the block made is all in the youngest generation: the collector would walk it at the next
            # allocation, then twice more on its way to the oldest (0.5 s after annotating 10,000 articles).
            # Freezing and unfreezing moves it to the oldest generation at once, without a walk.
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def with_cycle_collector_paused(step: Callable[P, R]) -> Callable[P, R]:
    """step run with the cycle collector paused."""

    @functools.wraps(step)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with cycle_collector_paused():
            return step(*args, **kwargs)

    return paused
