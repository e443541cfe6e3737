"""Slugs: valid, never empty, never a path, stable, unique — for any title."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.slugs import slugify, unique_slugs

ASCII_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_ascii_slug_is_valid_never_empty_never_a_path(title: str) -> None:
    slug = slugify(title)
    assert ASCII_SLUG.match(slug), slug
    assert "/" not in slug and "\\" not in slug and slug not in (".", "..")


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_unicode_slug_is_never_empty_never_a_path(title: str) -> None:
    slug = slugify(title, unicode=True)
    assert slug and "/" not in slug and "\\" not in slug and slug not in (".", "..")
    assert not slug.startswith("-") and not slug.endswith("-")


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_slugify_is_idempotent(title: str) -> None:
    slug = slugify(title)
    assert slugify(slug) == slug


@given(st.lists(st.sampled_from(["a", "b", "a-2", "c"]), max_size=12))
def test_unique_slugs_are_unique_and_deterministic(slugs: list[str]) -> None:
    result = unique_slugs(slugs)
    assert len(set(result)) == len(result) == len(slugs)
    assert result == unique_slugs(slugs)


@pytest.mark.parametrize("title, slug", [
    ("India to receive Russian S400s by end of 2021", "india-to-receive-russian-s400s-by-end-of-2021"),
    ("From delivery of S400 to Putin’s visit – India-Russia", "from-delivery-of-s400-to-putins-visit-india-russia"),
    ("Москва и Дели", "moskva-i-deli"),
    ("../../etc/passwd", "etc-passwd"),
])
def test_known_slugs(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_title_with_nothing_sluggable_gets_a_stable_id() -> None:
    assert slugify("🚀🚀") == slugify("🚀🚀") != slugify("🚀")
    assert slugify("🚀🚀").startswith("a-")
