"""Strip a saved HTML page: trafilatura finds the body and the metadata, digest's line rules clean what it kept.

trafilatura is the field's reference extractor (https://trafilatura.readthedocs.io); what slips past it —
"Read more" teasers, share prompts, bylines, comment headings — is what the text rules are for.
"""

from __future__ import annotations

import re

import trafilatura

from digest.errors import warning
from digest.model import StrippedArticle
from digest.stages.strip.metadata import find_date
from digest.stages.strip.options import KnownMeta, StripOptions
from digest.stages.strip.text import strip_text

# htmldate's defaults read the clock (dates after today are refused) and, in its extensive search,
# load every dateparser locale (a second of start-up): a fixed bound keeps strip deterministic.
_DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2099-12-31"}
_NOT_A_NAME = re.compile(r"^(?:admin|administrator|editor|staff|guest|unknown|null|none)$", re.IGNORECASE)


def strip_html(html: str, path: str, options: StripOptions = StripOptions()) -> StrippedArticle:
    """The article of an HTML page, cleaned by the same rules as text."""
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=True,
                                      include_images=False, include_links=False, deduplicate=False,
                                      date_extraction_params=_DATE_PARAMS)
    if doc is None or not (doc.text or "").strip():
        article = strip_text(_visible_text(html), path, options)
        return _with_warning(article, path)
    author = doc.author if doc.author and not _NOT_A_NAME.match(doc.author) else None
    tags = tuple(t.strip() for t in [*(doc.categories or []), *(doc.tags or [])] if t and t.strip())
    known = KnownMeta(title=doc.title or None, date=_iso_day(doc.date), author=author, source=doc.sitename or None,
                      url=doc.url or None, summary=doc.description or None, tags=tags)
    return strip_text(doc.text, path, options, known, extracted=True)


def _iso_day(text: str | None) -> str | None:
    if not text:
        return None
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else find_date(text)


def _visible_text(html: str) -> str:
    """The page's text, one block per line, for a page trafilatura found no article in."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return ""
    for element in tree.xpath("//script | //style | //noscript | //head | //template"):
        element.drop_tree()
    blocks = tree.xpath("//p | //h1 | //h2 | //h3 | //li | //blockquote | //pre | //td")
    return "\n".join(" ".join(b.text_content().split()) for b in blocks)


def _with_warning(article: StrippedArticle, path: str) -> StrippedArticle:
    from dataclasses import replace

    note = warning(path, "no article found by the HTML extractor; the page's text was stripped line by line",
                   hint="check the result, or save the article as text")
    return replace(article, diagnostics=(note, *article.diagnostics))
