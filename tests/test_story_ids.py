"""Story ids that stay as articles come and go (digest.story_ids)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from digest.story_ids import assign_story_ids, moved_ids, parse_story_ids, story_ids_text


def test_a_new_story_is_named_after_its_earliest_article() -> None:
    assert assign_story_ids([["a-first", "b-later"], ["c-other", "d-more"]], {}) == ["a-first", "c-other"]


def test_an_article_older_than_the_story_does_not_rename_it() -> None:
    assert assign_story_ids([["0-older", "a-first", "b-later"]], {"a-first": ["a-first", "b-later"]}) == ["a-first"]


def test_a_story_keeps_its_id_when_its_first_article_is_deleted() -> None:
    assert assign_story_ids([["b", "c"]], {"a": ["a", "b", "c"]}) == ["a"]


def test_merged_stories_take_the_id_of_the_bigger_part() -> None:
    known = {"a": ["a", "b"], "x": ["x", "y", "z"]}
    assert assign_story_ids([["a", "b", "x", "y", "z"]], known) == ["x"]


def test_a_split_story_keeps_its_id_for_the_bigger_part_and_names_the_other_afresh() -> None:
    known = {"a": ["a", "b", "c", "d", "e"]}
    # the smaller part starts with "a" itself, which is taken: it is named after its next article
    assert assign_story_ids([["a", "b"], ["c", "d", "e"]], known) == ["b", "a"]


def test_an_id_the_file_still_holds_is_not_given_to_another_story() -> None:
    known = {"a": ["a", "b"], "gone": ["gone", "q"]}
    assert assign_story_ids([["gone", "p"]], known) == ["gone"]  # it carried over "gone"
    assert assign_story_ids([["a", "b"], ["p", "r"]], {"p": ["x", "y"], "a": ["a", "b"]}) == ["a", "r"]


def test_when_every_slug_of_a_new_story_is_taken_it_is_numbered() -> None:
    assert assign_story_ids([["p", "r"]], {"p": ["x"], "r": ["y"]}) == ["p-2"]


def test_an_editor_may_rename_a_story_in_the_file() -> None:
    assert assign_story_ids([["a", "b", "c"]], {"the-deal": ["a", "b"]}) == ["the-deal"]


def test_a_merged_story_moves_into_the_story_holding_most_of_its_articles() -> None:
    known = {"a": ["a", "b"], "x": ["x", "y", "z"]}
    assert moved_ids(known, {s: "x" for s in "abxyz"}) == {"a": "x"}


def test_a_story_whose_articles_are_all_gone_is_not_moved_anywhere() -> None:
    assert moved_ids({"a": ["a", "b"], "x": ["x", "y"]}, {"x": "x", "y": "x"}) == {}


def test_moves_are_followed_to_the_story_that_exists_now_and_dropped_when_it_is_gone() -> None:
    known = {"old": "mid", "mid": "x", "x": ["x", "y"], "lost": "nowhere", "loop": "loop2", "loop2": "loop"}
    assert moved_ids(known, {"x": "x", "y": "x"}) == {"mid": "x", "old": "x"}


def test_a_moved_id_is_not_given_to_a_new_story() -> None:
    assert assign_story_ids([["a", "b"]], {"a": "x", "x": ["x", "y"]}) == ["b"]


groups_strategy = st.lists(st.lists(st.sampled_from("abcdefghijkl"), min_size=2, max_size=4, unique=True),
                           max_size=4).map(lambda gs: _disjoint(gs))
known_strategy = st.dictionaries(st.sampled_from(["a", "b", "c", "d", "x", "y", "a-2"]),
                                 st.lists(st.sampled_from("abcdefghijkl"), max_size=4, unique=True), max_size=4)


def _disjoint(groups: list[list[str]]) -> list[list[str]]:
    seen: set[str] = set()
    out = []
    for group in groups:
        group = [s for s in group if s not in seen]
        seen.update(group)
        if group:
            out.append(group)
    return out


@given(groups_strategy, known_strategy, st.randoms(use_true_random=False))
def test_ids_are_unique_and_do_not_depend_on_the_groups_order(groups: list[list[str]], known: dict[str, list[str]],
                                                              rnd: random.Random) -> None:
    ids = assign_story_ids(groups, known)
    assert len(ids) == len(groups) and len(set(ids)) == len(ids)
    order = list(range(len(groups)))
    rnd.shuffle(order)
    shuffled = assign_story_ids([groups[k] for k in order], known)
    assert {tuple(groups[k]): i for k, i in zip(order, shuffled)} == {tuple(g): i for g, i in zip(groups, ids)}


@given(groups_strategy)
def test_ids_given_once_are_given_again(groups: list[list[str]]) -> None:
    ids = assign_story_ids(groups, {})
    assert assign_story_ids(groups, dict(zip(ids, groups))) == ids


slug = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)


@given(st.dictionaries(slug, st.lists(slug, max_size=3).map(tuple), max_size=5))
def test_the_file_reads_back_what_was_written(stories: dict[str, tuple[str, ...]]) -> None:
    known, problems = parse_story_ids(story_ids_text(stories), "content/stories.yaml")
    assert problems == [] and known == stories


def test_moved_ids_are_written_and_read_back_as_plain_ids() -> None:
    text = story_ids_text({"x": ("x", "y")}, {"a": "x"})
    assert "\na: x\n" in text
    assert parse_story_ids(text, "s.yaml") == ({"a": "x", "x": ("x", "y")}, [])


def test_yaml_look_alikes_are_read_as_the_slugs_written() -> None:
    stories = {"no": ("2021-04-06", "yes", "1e3"), "null": ("on",)}
    assert parse_story_ids(story_ids_text(stories), "s.yaml") == (stories, [])


def test_a_broken_file_is_reported_with_its_line_and_what_to_do() -> None:
    text = "# ids\nthe-deal:\n  - a\n  - b\nother: {a: b}\n"
    known, problems = parse_story_ids(text, "content/stories.yaml")
    assert known == {}
    assert [(p.path, p.line) for p in problems] == [("content/stories.yaml", 5)]
    assert "delete the file" in (problems[0].hint or "")
    known, problems = parse_story_ids("a: [b\n", "content/stories.yaml")
    assert known == {} and problems and problems[0].line is not None
