"""Strip boilerplate from a raw source and read its metadata: Source -> StrippedArticle.

    text   normalize -> line rules -> embedded posts -> article region (page dumps)
           -> header (title, date, category, standfirst) -> comments, off-topic tail, byline -> body
    html   trafilatura (body and metadata) -> the same text rules on its output
    md     passed through: an already clean page
"""

from __future__ import annotations

from digest.model import Source, StrippedArticle
from digest.stages.strip.options import KnownMeta, StripOptions
from digest.stages.strip.text import strip_text

__all__ = ["KnownMeta", "StripOptions", "strip_source"]


def strip_source(source: Source, options: StripOptions = StripOptions()) -> StrippedArticle:
    """The article in source: its title, body and metadata, with the boilerplate removed."""
    if source.kind == "html":
        from digest.stages.strip.html import strip_html  # lazy: trafilatura costs 0.1 s to import

        return strip_html(source.text, source.path, options)
    if source.kind == "markdown":
        from digest.stages.strip.markdown import strip_markdown

        return strip_markdown(source.text, source.path)
    return strip_text(source.text, source.path, options)
