"""Markdown to HTML with markdown-it-py: CommonMark, tables, footnotes, Pygments highlighting.

Raw HTML is off for pages generated from sources (scraped text is untrusted); markdown-it's
link validation already refuses javascript:, vbscript:, file: and non-image data: URLs.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import escape
from mdit_py_plugins.footnote import footnote_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.util import ClassNotFound


@lru_cache(maxsize=1)
def _builtin_languages() -> frozenset[str]:
    """Pygments' own lexer names. An unknown name would make Pygments import every installed plugin
    package to look for it: a fence's language, written by a source, must not decide what code is
    imported (one plugin's import changed the interpreter's recursion limit), nor may the machine's
    plugins change the output."""
    return frozenset(alias for _name, aliases, _files, _types in get_all_lexers(plugins=False) for alias in aliases)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    if not lang or lang.lower() not in _builtin_languages():
        return ""
    try:
        lexer = get_lexer_by_name(lang)
    except ClassNotFound:
        return ""
    # A whole <pre>, so markdown-it does not wrap it in another (a <div> inside <pre> is invalid HTML).
    inner = highlight(code, lexer, HtmlFormatter(nowrap=True))
    return f'<pre class="highlight"><code class="language-{escape(lang)}">{inner}</code></pre>\n'


@lru_cache(maxsize=2)
def _parser(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False, "highlight": _highlight})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    return md


def render_markdown(text: str, allow_html: bool = False) -> str:
    """The HTML of a Markdown text."""
    return _parser(allow_html).render(text)
