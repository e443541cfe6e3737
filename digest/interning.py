"""The objects of the last build again, where this build made equal ones (digest serve).

Later steps know large values by identity (digest.render_memo.ValueHashes): an object met again
is not hashed again. The whole-digest steps (linking, the annotation index) make all their
objects anew on every build, though most equal the last build's; swapping those back in costs
one comparison each, far less than hashing them.
"""

from __future__ import annotations

from typing import Callable, Hashable, Iterable, TypeVar

T = TypeVar("T")


def same_objects(items: Iterable[T], key: Callable[[T], Hashable], last: dict[Hashable, T]) -> list[T]:
    """items, each one equal to the last call's item of the same key replaced by that object; last is left
    holding this call's items by key."""
    now: dict[Hashable, T] = {}
    kept = []
    for item in items:
        k = key(item)
        before = last.get(k)
        if before is not None and before == item:
            item = before
        now[k] = item
        kept.append(item)
    last.clear()
    last.update(now)
    return kept
