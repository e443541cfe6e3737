"""Splitting what grows with the digest into parts of about a given size, each item in a part chosen by a hash
of its name: adding or removing an item leaves every other item in its part, so an edit changes one part.
The number of parts changes only as the digest grows past a multiple of the size.

Used for the search index's parts (digest.search) and the parts of digest.json's lists (digest.stages.export).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def split(items: Sequence[T], name: Callable[[T], str], size: int) -> list[list[T]]:
    """items in parts of about size each (at least one part, maybe empty), each part in the order of items."""
    count = max(1, -(-len(items) // size))
    parts: list[list[T]] = [[] for _ in range(count)]
    for item in items:
        parts[part_of(name(item), count)].append(item)
    return parts


def part_of(name: str, count: int) -> int:
    """The part, of count, that the item named name goes in: the same on every machine and in every run."""
    return int(hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12], 16) % count
