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
        gc.enable()


def with_cycle_collector_paused(step: Callable[P, R]) -> Callable[P, R]:
    """step run with the cycle collector paused."""

    @functools.wraps(step)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with cycle_collector_paused():
            return step(*args, **kwargs)

    return paused
