"""Work on a value done once per object, and the objects of the last build again (digest serve).

Later steps know large values by identity (ByIdentity): an object met again is not hashed or
decoded again. The whole-digest steps (linking, the annotation index) make all their objects
anew on every build, though most equal the last build's; swapping those back in (same_objects)
costs one comparison each, far less than hashing them.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, Hashable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class ByIdentity(Generic[R]):
    """What a function gave for a value, by the value's identity, so that a value met again is not worked on
    again: in digest serve the unchanged articles of a rebuild hold the very objects of the last build.
    Made from the last build's, it answers from those too, and keeps only what this build asked for.
    An entry holds its value, so no other object can take its id while the entry exists, and the values
    are immutable: the same object has the same content."""

    def __init__(self, last: ByIdentity[R] | None = None, keep_last: bool = False) -> None:
        self._last = last._seen if last is not None else {}
        # this build's: the next one starts from these; with keep_last, the last build's too (a build that looks at
        # few values, digest serve's update for saved pages, leaves the next build what it did not ask for)
        self._seen: dict[int, tuple[object, R]] = dict(self._last) if keep_last else {}

    def of(self, value: Any, work: Callable[[Any], R]) -> R:
        found = self._seen.get(id(value)) or self._last.get(id(value))
        if found is None or found[0] is not value:
            found = (value, work(value))
        self._seen[id(value)] = found
        return found[1]


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
