"""Front matter: strict reading with located errors, stable writing, and a round trip that never changes meaning."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.frontmatter import dump_page, normalize_date, parse_page


def read(text: str):
    page, problems = parse_page(text, "a.md")
    return page, [str(p) for p in problems]


def test_reads_title_date_tags_and_body_line() -> None:
    page, problems = read("---\ntitle: S-400\ndate: 2021-04-06\ntags: [defence, no]\n---\n\nBody\n")
    assert problems == []
    assert (page.meta.title, page.meta.date, page.meta.tags, page.body_line) == ("S-400", "2021-04-06", ("defence", "no"), 6)


def test_a_single_tag_may_be_written_as_text() -> None:
    page, _ = read("---\ntitle: a\ntags: defence\n---\n")
    assert page.meta.tags == ("defence",)


@pytest.mark.parametrize(("text", "expected"), [
    ("no front matter\n", "a.md:1: error: no front matter — start the file with a '---' line, then 'title: ...' "
                          "and 'date: YYYY-MM-DD', then '---'"),
    ("---\ntitle: a\ndate: tomorrow\n---\n", "a.md:3:7: error: front matter: date 'tomorrow' is not a date — "
                                            "write it as 2021-04-06 or 2021-04-06T10:30:00+05:30"),
    ("---\ndate: 2021-04-06\n---\n", "a.md:2:1: error: missing key 'title' — add 'title:' (text)"),
    ("---\ntitle: a\ndraft: perhaps\n---\n", "a.md:3:8: error: draft: expected true or false, found text 'perhaps' — "
                                            "write true or false"),
    ("---\ntitle: 'open\n---\n", "a.md:3:1: error: YAML: found unexpected end of stream — check the indentation and "
                                 "quote values that contain ': ' or start with a special character"),
    ("---\n- a\n- b\n---\n", "a.md:2: error: front matter: expected a mapping of keys to values — "
                             "write it as lines of 'key: value'"),
], ids=["no-front-matter", "bad-date", "no-title", "bad-bool", "unclosed-quote", "list"])
def test_errors_name_file_line_and_what_to_do(text: str, expected: str) -> None:
    page, problems = read(text)
    assert page is None
    assert problems == [expected]


def test_a_misspelt_key_is_a_warning_with_a_suggestion() -> None:
    page, problems = read("---\ntitle: a\nsumary: b\n---\n")
    assert page is not None
    assert problems == ["a.md:3:1: warning: front matter: unknown key 'sumary' — did you mean 'summary'?"]


def test_unknown_keys_are_kept_for_themes() -> None:
    page, _ = read("---\ntitle: a\nhero: img.png\n---\n")
    assert page.extra == (("hero", "img.png"),)


def test_yaml_bombs_and_tags_are_refused() -> None:
    bomb = "---\ntitle: a\nx: &a [1, 1]\ny: &b [*a, *a]\nz: [*b, *b]\n---\n"
    assert "aliases" in read(bomb)[1][0]
    assert "not allowed" in read("---\ntitle: !!python/name:os.system a\n---\n")[1][0]


@pytest.mark.parametrize(("text", "expected"), [
    ("2021-04-06", "2021-04-06"), ("2021-04-06T10:30:00+05:30", "2021-04-06T10:30:00+05:30"),
    ("2021-04-06T10:30:00Z", "2021-04-06T10:30:00+00:00"), ("06/04/2021", None), ("", None),
])
def test_normalize_date(text: str, expected: str | None) -> None:
    assert normalize_date(text) == expected


text_values = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(title=text_values.filter(lambda t: t.strip() != ""), tags=st.lists(text_values, max_size=4),
       summary=text_values, body=st.text(max_size=200))
def test_dump_then_parse_keeps_every_value(title: str, tags: list[str], summary: str, body: str) -> None:
    text = dump_page({"title": title, "date": "2021-04-06", "tags": tags, "summary": summary}, body)
    page, problems = parse_page(text, "a.md")
    assert page is not None, problems
    assert page.meta.title == title
    assert page.meta.tags == tuple(tags)
    assert page.meta.summary == summary


def test_unknown_keys_may_hold_lists_of_mappings() -> None:
    page, problems = read("---\ntitle: a\ngallery:\n  - src: a.png\n    alt: A\n  - src: b.png\n---\n")
    assert problems == []
    assert page.extra == (("gallery", [{"src": "a.png", "alt": "A"}, {"src": "b.png"}]),)
