"""Wall time per build stage, recorded by the build that is passed a StageTimer (digest build --profile)."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, Iterator


class StageTimer:
    """Seconds spent in each named stage, in the order the stages first ran; a stage entered twice adds up."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter):
        self.clock = clock
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = self.clock()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + self.clock() - started

    def table(self) -> str:
        """The timings as aligned lines with each stage's share of the total, slowest stages easy to spot."""
        total = sum(self.seconds.values()) or 1.0
        width = max((len(name) for name in self.seconds), default=5)
        lines = [f"{name:<{width}}  {seconds:8.3f}s  {100 * seconds / total:5.1f}%" for name, seconds in self.seconds.items()]
        lines.append(f"{'total':<{width}}  {sum(self.seconds.values()):8.3f}s")
        return "\n".join(lines)
