"""The cycle collector paused around a block: resumed after, and what the block made moved to the oldest generation."""

from __future__ import annotations

import gc

from digest.collector import cycle_collector_paused


def test_the_collector_resumes_and_the_block_leaves_the_youngest_generation_empty() -> None:
    with cycle_collector_paused():
        assert not gc.isenabled()
        made = [[i] for i in range(50_000)]
        assert gc.get_count()[0] >= 50_000
    assert gc.isenabled()
    assert gc.get_count()[0] < 1_000
    assert len(made) == 50_000


def test_cycles_made_in_the_block_are_still_collected() -> None:
    with cycle_collector_paused():
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
    assert gc.collect() >= 1


def test_a_paused_collector_stays_paused() -> None:
    gc.disable()
    try:
        with cycle_collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
