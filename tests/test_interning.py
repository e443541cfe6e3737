"""digest.interning: the last build's objects where this build made equal ones."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from digest.interning import same_objects
from digest.model import Story


def test_equal_items_become_the_last_calls_objects_and_others_stay_new() -> None:
    last: dict = {}
    first = same_objects([Story("a", "A", ("x", "y")), Story("b", "B", ("z",))], lambda s: s.id, last)
    again = same_objects([Story("a", "A", ("x", "y")), Story("b", "B changed", ("z",)), Story("c", "C", ())],
                         lambda s: s.id, last)
    assert again[0] is first[0]
    assert again[1] is not first[1] and again[1].title == "B changed"
    assert set(last) == {"a", "b", "c"} and last["b"] is again[1], "last now holds this call's"
    assert same_objects([], lambda s: s.id, last) == [] and last == {}


@given(st.lists(st.tuples(st.integers(0, 5), st.text(max_size=3))), st.lists(st.tuples(st.integers(0, 5), st.text(max_size=3))))
def test_the_items_are_always_equal_to_those_given(before: list, now: list) -> None:
    last: dict = {}
    same_objects(before, lambda item: item[0], last)
    assert same_objects(now, lambda item: item[0], last) == now
