"""No input crashes strip, and what it returns always holds together."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.model import Source
from digest.stages.strip import strip_source

FURNITURE = ["Leave a Comment", "Read More: a title", "????", "— Name (@handle) May 1, 2020", "pic.twitter.com/x",
             "Print Friendly, PDF & Email", "Tuesday, April 06, 2021", "By Jane Roe", "New Delhi [India]: Text here.",
             "Share", "Home", "1) item", "- item", "# heading", "Ã©tÃ©", "\u00a0", "\ufeff", "\r\n", "\t"]
lines = st.one_of(st.text(max_size=200), st.sampled_from(FURNITURE))
documents = st.lists(lines, max_size=40).map("\n".join)


@given(documents, st.sampled_from(["text", "html", "markdown"]))
@settings(max_examples=150, deadline=None)
def test_no_input_crashes_strip(text: str, kind: str) -> None:
    article = strip_source(Source(f"x.{kind}", kind, text, "0"))  # type: ignore[arg-type]
    assert article.title.strip()
    assert "????" not in article.body or kind == "markdown"


@given(documents)
@settings(max_examples=150, deadline=None)
def test_removed_lines_carry_their_text_and_rule(text: str) -> None:
    article = strip_source(Source("x.txt", "text", text, "0"))
    assert all(r.rule and r.text for r in article.removed)
    assert article.date is None or article.date[:4].isdigit()
