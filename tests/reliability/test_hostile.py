"""Hostile content: a build over sources and pages full of scripts, script URLs and bidi tricks
leaves nothing a browser could run in any output file, and still publishes every article as text."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.bidi import BIDI_CONTROLS, bidi_balanced, isolate_bidi
from digest.markdown import render_markdown
from tests.conftest import REPO, run_digest
from tests.reliability.hostile import PAGES, SOURCES, check_html, executable_content, make_hostile_digest
from tests.reliability.test_fuzz import QUICK

ALLOWED = ("/news/static/", "/news/pagefind/")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    digest = make_hostile_digest(tmp_path_factory.mktemp("hostile") / "digest")
    result = run_digest("build", cwd=digest)
    assert result.returncode == 0, result.stderr
    return digest / "site"


def test_no_output_file_holds_anything_a_browser_could_run(hostile_site: Path) -> None:
    assert executable_content(hostile_site) == {}


def test_every_hostile_article_is_published_as_text(hostile_site: Path) -> None:
    pages = sorted((hostile_site / "articles").glob("*/index.html"))
    assert len(pages) == len(SOURCES) + len(PAGES)
    hostile = (hostile_site / "articles" / "escaped" / "index.html").read_text()
    assert "</span> with &lt;script&gt;alert(1)&lt;/script&gt; and &lt;img src=x onerror=alert(40)&gt;" in hostile
    assert "Editor’s note</span> &lt;script&gt;alert(37)&lt;/script&gt; note" in hostile  # the editor's note, escaped too
    assert "<h1 data-pagefind-meta=\"title\">\u2068&lt;/script&gt;&lt;script&gt;alert(2)" in hostile


def test_names_from_content_never_make_unsafe_folders(hostile_site: Path) -> None:
    folders = [p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*") if p.is_dir()]
    for folder in folders:
        for part in folder.split("/"):
            assert re.fullmatch(r"[a-z0-9][a-z0-9-]*|\.?[a-z]+", part), folder
            assert part.lower() not in ("con", "aux", "nul", "com1", "prn"), folder
    assert {"escaped", "c-evil", "con-1"} <= {p.name for p in (hostile_site / "articles").iterdir()}


@pytest.mark.parametrize("html, problem", [
    ("<script>alert(1)</script>", "inline script"),
    ('<script src="https://evil.example/x.js"></script>', "script from an unknown place"),
    ('<script type="application/ld+json">{"a": "</script><script>x()</script>"}</script>', "inline script"),
    ('<script type="application/ld+json">{"a": "<!--"}</script>', "JSON-LD holding '<'"),
    ('<img src=x onerror="alert(1)">', "event handler"),
    ('<a href=" java\tscript:alert(1)">x</a>', "script URL"),
    ('<a href="data:text/html,<script>x</script>">x</a>', "script URL"),
    ('<iframe src="/x"></iframe>', "<iframe> element"),
    ('<meta http-equiv="refresh" content="0;url=javascript:x">', "refresh"),
    ("<h1>\u202eevil</h1>", "unbalanced bidi control"),
], ids=["inline", "foreign-src", "json-ld-closed", "json-ld-comment", "onerror", "js-url-tab", "data-url", "iframe",
        "refresh", "rlo"])
def test_the_check_finds_each_kind_of_executable_content(html: str, problem: str) -> None:
    assert any(problem in p for p in check_html(html, ALLOWED)), check_html(html, ALLOWED)


def test_the_themes_scripts_never_parse_text_from_the_index_as_html() -> None:
    """The search index holds each page's text verbatim; only textContent may put it into a page."""
    for script in sorted((REPO / "digest" / "themes").rglob("*.js")):
        code = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
            assert sink not in code, f"{script.name} uses {sink}"


bidi_text = st.text(alphabet=st.sampled_from(sorted(BIDI_CONTROLS) + ["a", "b", " ", "\u05d0", "\u200f"]), max_size=30)


@QUICK
@given(bidi_text)
def test_isolated_text_is_balanced_and_keeps_its_letters(text: str) -> None:
    isolated = isolate_bidi(text)
    assert bidi_balanced(isolated)
    assert [c for c in isolated if c not in BIDI_CONTROLS] == [c for c in text if c not in BIDI_CONTROLS]
    if not BIDI_CONTROLS.intersection(text):
        assert isolated == text


def test_a_fence_language_from_a_source_imports_nothing() -> None:
    """An unknown language once made Pygments import every installed plugin package to look for it."""
    render_markdown("```python\nx = 1\n```\n")  # Pygments' own lexers, loaded once
    before = set(sys.modules)
    html = render_markdown("```no-such-language\n<script>x()</script>\n```\n```<\n```\n")
    assert set(sys.modules) == before
    assert "&lt;script&gt;" in html
