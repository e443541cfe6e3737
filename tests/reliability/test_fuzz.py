"""No input crashes the readers: every failure is a located diagnostic, never an unhandled exception.

The bench runs these with many more examples (bench/fuzz.py); the suite runs a quick pass.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import parse_config
from digest.errors import ConfigError
from digest.frontmatter import parse_page
from digest.markdown import render_markdown
from digest.model import Source
from digest.paths import is_safe_segment
from digest.slugs import slugify
from digest.stages.convert import page_text
from digest.stages.strip import strip_source

# bench/fuzz.py sets DIGEST_FUZZ_EXAMPLES to run these same tests at 10,000 examples each
QUICK = settings(max_examples=int(os.environ.get("DIGEST_FUZZ_EXAMPLES", "150")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

yaml_ish = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(["title: ", "tags:", "- ", "  ", "&a ", "*a ", "!!python/object ", "[", "]", "{", "}",
                              ": ", "'", '"', "\n", "date: 2021-04-06", "no", "~", "|", ">", "\t", "\x00", "\u202e",
                              "#", "? ", "%YAML 1.1\n", "---\n", "...\n"]), max_size=40).map("".join),
)


@QUICK
@given(yaml_ish)
def test_config_reader_never_crashes(text: str) -> None:
    try:
        parse_config(text, "config.yaml")
    except ConfigError as exc:
        assert exc.diagnostics and all(d.path == "config.yaml" for d in exc.diagnostics)


@QUICK
@given(yaml_ish, st.text(max_size=200))
def test_front_matter_reader_never_crashes(front: str, body: str) -> None:
    page, problems = parse_page(f"---\n{front}\n---\n{body}", "a.md")
    assert page is not None or problems
    assert all(d.path == "a.md" and (d.line is None or d.line >= 1) for d in problems)


markdown_ish = st.lists(st.sampled_from([
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "![i](data:text/html,x)", "<img src=x onerror=y>",
    "<!-- c -->", "<![CDATA[x]]>", "> ", "* ", "1. ", "```\n", "[^1]", "[^1]: note", "|a|b|\n|-|-|", "\n\n", "**",
    "\u202e", "\x00", "`", "<", "&", "#", "    ", "\\",
]), max_size=60).map("".join)


class ExecutableContent(HTMLParser):
    """Collects every tag, attribute or URL in an HTML text that a browser could run."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "style", "base", "form", "meta", "link"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            url = (value or "").strip().lower()
            if name.startswith("on") or url.startswith(("javascript:", "vbscript:", "data:text")):
                self.found.append(f"{tag} {name}={value}")


def executable_content(html: str) -> list[str]:
    parser = ExecutableContent()
    parser.feed(html)
    parser.close()
    return parser.found


@QUICK
@given(st.one_of(markdown_ish, st.text(max_size=300)))
def test_markdown_from_sources_never_contains_executable_content(text: str) -> None:
    assert executable_content(render_markdown(text, allow_html=False)) == []


def test_deep_nesting_does_not_crash() -> None:
    render_markdown("> " * 5000 + "x")
    render_markdown("[" * 5000 + "x" + "]" * 5000)
    render_markdown("* " * 2000 + "x")


html_ish = st.lists(st.sampled_from([
    "<html>", "<head>", "<title>", "</title>", "<body>", "<p>", "</p>", "<div class=ad>", "</div>", "<script>x()</script>",
    "<style>p{}</style>", "<!--", "-->", "<![CDATA[", "]]>", "<br>", "&amp;", "&#0;", "&#x202e;", "<a href='javascript:x'>",
    "</a>", "<h1>", "</h1>", "<table><tr><td>", "<meta charset=x>", "\n", " ", "Headline", "India", "\u202e", "\x00", "\r",
]), max_size=80).map("".join)
source_text = st.one_of(st.text(min_size=1, max_size=2000), markdown_ish, html_ish,
                        st.builds(lambda c, n: c * n, st.characters(), st.integers(1, 20_000)))


@QUICK
@given(source_text, st.sampled_from(["text", "html", "markdown"]))
def test_strip_never_crashes_and_the_page_it_makes_reads_back(text: str, kind: str) -> None:
    source = Source("content/sources/x.txt", kind, text, "0" * 64)  # type: ignore[arg-type]
    article = strip_source(source)
    assert all(d.path == source.path for d in article.diagnostics)
    page, problems = parse_page(page_text(article), "content/articles/x.md")
    assert page is not None, problems


@QUICK
@given(st.text(), st.booleans())
def test_slugs_are_safe_folder_names_and_stable(text: str, unicode: bool) -> None:
    slug = slugify(text, unicode=unicode)
    assert is_safe_segment(slug), slug
    assert slugify(slug, unicode=unicode) == slug
    if not unicode:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug), slug


def test_a_markdown_source_with_an_empty_heading_still_gets_a_title() -> None:
    from digest.model import Source
    from digest.stages.strip import StripOptions, strip_source

    article = strip_source(Source("content/sources/x.md", "markdown", "#    ", "0" * 64), StripOptions())
    assert article.title.strip()  # found by the fuzz test: the title was a lone space
