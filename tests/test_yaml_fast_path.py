"""libyaml's fast path (digest.schema.compose_fast) builds exactly the tree PyYAML's Python parser builds
for everything it accepts: same tags, values and start positions, so diagnostics are the same either way."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import schema
from digest.schema import compose_fast

pytestmark = pytest.mark.skipif(schema._FAST_LOADER is None, reason="PyYAML was built without libyaml")


def shape(node: yaml.Node | None) -> Any:
    """What the schema reader looks at: tags, values and where each node starts."""
    if node is None:
        return None
    where = (node.tag, node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return (*where, node.value)
    if isinstance(node, yaml.SequenceNode):
        return (*where, [shape(child) for child in node.value])
    return (*where, [(shape(k), shape(v)) for k, v in node.value])


def python_parse(text: str) -> Any:
    try:
        return ("ok", shape(yaml.compose(text, Loader=yaml.SafeLoader)))
    except yaml.YAMLError:
        return ("error",)


def check_agrees(text: str) -> None:
    fast = compose_fast(text)
    if fast is not schema._SLOW:
        assert python_parse(text) == ("ok", shape(fast)), text


TOKENS = list("ab: -\n'\"[],.~\r!#&*\t\\") + [
    "title", "tags", "é", "С", "  ", "    ", "2021-04-06", "2021-04-06T10:30:00Z", "no", "null", "1e3", "0x1F", "12",
    "- ", ": ", "\n  - ", "\n- ", "''", '""', "\u00a0", "\u3000", "---", "...", "<<", ".inf", "yes", " \n", "\r\n",
    "\u2028", "\x85", "\ufeff", "\ud800", "😀"]
VALUES = st.lists(st.sampled_from(TOKENS + ["India's S-400", '"quoted: text"', "'single ''q'''", "[a, b]", "[a,b,]",
                                            "[]", "Ракета", "x:y", "http://e.org/a", " - x"]), max_size=4).map("".join)
LINES = st.one_of(
    st.tuples(st.sampled_from(["title", "date", "tags", "see_also", "ключ", "1", "true"]),
              st.sampled_from([":", ": ", ":  ", " : "]), VALUES).map("".join),
    st.tuples(st.sampled_from(["- ", "  - ", "    - ", "-", "  "]), VALUES).map("".join),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_fast_path_agrees_on_token_soup(text: str) -> None:
    check_agrees(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(LINES, max_size=8).map("\n".join), st.sampled_from(["", "\n"]))
def test_fast_path_agrees_on_front_matter_lines(text: str, end: str) -> None:
    check_agrees(text + end)


@pytest.mark.parametrize("text", [
    'title: "India\'s S-400"\ndate: 2021-04-06\ntags: [defence, russia]\n',
    "title: A\nsee_also:\n  - b\n  - c\n",
    "title: Ракета С-400\nauthor: Jane Doe\n",
], ids=["quoted and flow list", "block list", "unicode"])
def test_plain_front_matter_takes_the_fast_path(text: str) -> None:
    assert compose_fast(text) is not schema._SLOW
    check_agrees(text)


@pytest.mark.parametrize("text", [
    "title: !!python/object x\n", "a: &x 1\nb: *x\n", "? complex\n: key\n", "title: a\t\n", "title:\n",
    "title: a # comment\n", "title: \ud800\n", "title: 😀\n", "title: [unclosed\n",
], ids=["tag", "alias", "complex key", "tab", "empty value", "comment", "lone surrogate", "astral", "broken"])
def test_exotic_yaml_takes_the_python_parser(text: str) -> None:
    assert compose_fast(text) is schema._SLOW
