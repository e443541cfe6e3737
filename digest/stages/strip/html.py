"""Strip a saved HTML page: trafilatura finds the body, the page's own meta tags give the metadata,
and digest's line rules clean what the extractor kept.

trafilatura is the field's reference extractor (https://trafilatura.readthedocs.io); what slips past it —
"Read more" teasers, share prompts, bylines, comment headings — is what the text rules are for.
Metadata is read from the standard tags (Open Graph, article:*, JSON-LD, <time>) rather than by
trafilatura's own metadata pass, which costs a quarter of its time and reads the clock (htmldate).
"""

from __future__ import annotations

import re
from dataclasses import replace

import trafilatura
import trafilatura.utils
from html import unescape
from lxml import etree
from lxml import html as lxml_html

from digest.errors import warning
from digest.model import StrippedArticle
from digest.stages.strip.continued import continued_text
from digest.stages.strip.metadata import find_date
from digest.stages.strip.options import KnownMeta, StripOptions
from digest.stages.strip.text import strip_text

_NOT_A_NAME = re.compile(r"^(?:admin|administrator|editor|staff|guest|unknown|null|none|https?://.*)$", re.IGNORECASE)
_META_TAG = re.compile(r"<meta\s[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_H1_TAG = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_ANY_TAG = re.compile(r"<[^>]*>")
_TIME_TAG = re.compile(r"<time\s[^>]*datetime\s*=\s*[\"']([^\"']+)", re.IGNORECASE)
_LINK_TAG = re.compile(r"<link\s[^>]*>", re.IGNORECASE)
_JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
_JSON_LD_AUTHOR = re.compile(r'"author"\s*:\s*(?:\[\s*)?\{[^{}]*?"name"\s*:\s*"([^"]{2,80})"')
_EXTRACTION = {"with_metadata": False, "include_comments": False, "include_tables": True, "include_images": False,
               "include_links": False, "deduplicate": False}
_MIN_EXTRACTED_SIZE = 250  # trafilatura's MIN_EXTRACTED_SIZE: below it, its cascade looks for more
_TITLE_KEYS = ("og:title", "twitter:title", "title", "headline", "dc.title")
_DATE_KEYS = ("article:published_time", "datepublished", "date", "pubdate", "publishdate", "publish-date",
              "dc.date.issued", "dc.date", "sailthru.date", "parsely-pub-date", "og:published_time", "article.published")
_AUTHOR_KEYS = ("author", "article:author", "byl", "dc.creator", "sailthru.author", "parsely-author")
_SUMMARY_KEYS = ("description", "og:description", "twitter:description", "dc.description")
_SITE_KEYS = ("og:site_name", "application-name", "publisher")


def _plain_element_classes(parser: etree.HTMLParser) -> None:
    """Have parser make every element an HtmlElement without asking Python which class each one gets.

    lxml.html's own lookup calls a Python method for every element object it creates, only to give
    form controls classes of their own, which trafilatura never uses; on news pages those calls are
    a tenth of its time. Elements, comments and the rest keep the classes lxml.html gives them.
    """
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity))


_plain_element_classes(trafilatura.utils.HTML_PARSER)


def strip_html(html: str, path: str, options: StripOptions = StripOptions()) -> StrippedArticle:
    """The article of an HTML page, cleaned by the same rules as text."""
    known = page_meta(html)
    text = extract_body(html)
    if not text.strip():
        article = strip_text(_visible_text(html), path, options, known)
        return _with_warning(article, path, "no article found by the HTML extractor; the page's text was stripped line by line")
    return strip_text(text, path, options, known, extracted=True)


def extract_body(html: str) -> str:
    """The article text trafilatura finds in a page, asking its second opinions only where they can matter.

    trafilatura compares its own extraction with readability's and jusText's, which costs about a
    third of its time, and keeps its own unless that one is short, has no paragraphs, is mostly
    tables or (on the pages where a fallback won) is a menu dump. So its fast mode runs first, and
    the whole cascade only when the fast result looks like one of those. The page is parsed once,
    here: trafilatura works on copies of the tree, and the tree is kept for finding the rest of an
    article split into several containers (digest.stages.strip.continued).
    """
    tree = trafilatura.utils.load_html(html)
    if tree is None:
        return ""
    doc = trafilatura.bare_extraction(tree, fast=True, **_EXTRACTION)
    if doc is None or needs_second_opinion(doc.body, doc.text or ""):
        doc = trafilatura.bare_extraction(tree, **_EXTRACTION)
    text = getattr(doc, "text", None) or ""  # a Document (a dict only when asked for one)
    return continued_text(tree, text) if text.strip() else text


def needs_second_opinion(body: etree._Element | None, text: str) -> bool:
    """Whether trafilatura's fast extraction might be one its comparison with other extractors replaces."""
    if body is None or len(text) < 2 * _MIN_EXTRACTED_SIZE:
        return True
    if not body.xpath(".//p//text()") or len(body.findall(".//table")) > len(body.findall(".//p")):
        return True
    counts = [len(line.split()) for line in text.split("\n")]
    menu_words = sum(n for n in counts if n <= 3)
    return menu_words * 2 > sum(counts)  # mostly one- to three-word lines: a navigation dump, not an article


def warm_up() -> None:
    """Fill trafilatura's lazy caches (stoplists, compiled patterns) once, before worker processes fork from this one."""
    from trafilatura.external import jt_stoplist_init

    jt_stoplist_init()
    strip_html("<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1><p>A short paragraph, "
               "and <a href='/'>a link</a>.</p></article></body></html>", "warm-up.html")


def page_meta(html: str) -> KnownMeta:
    """What a page's tags say about its article: title, date, author, site, canonical URL, summary, section.

    Read with patterns over the source rather than a second parse of the page: trafilatura parses it anyway.
    """
    tags: dict[str, str] = {}
    for attributes in map(_attributes, _META_TAG.findall(html)):
        key = (attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or "").strip().lower()
        value = " ".join(attributes.get("content", "").split())
        if key and value and key not in tags:
            tags[key] = value

    def first(keys: tuple[str, ...]) -> str | None:
        return next((tags[k] for k in keys if tags.get(k)), None)

    title = first(_TITLE_KEYS) or _tag_text(_TITLE_TAG, html) or _tag_text(_H1_TAG, html)
    date_text = first(_DATE_KEYS) or _match(_JSON_LD_DATE, html) or _match(_TIME_TAG, html)
    author = first(_AUTHOR_KEYS) or _match(_JSON_LD_AUTHOR, html)
    canonical = next((link["href"] for link in map(_attributes, _LINK_TAG.findall(html))
                      if link.get("rel", "").lower() == "canonical" and link.get("href", "").startswith("http")), None)
    sections = tuple(dict.fromkeys(v for k, v in tags.items() if k in ("article:section", "article:tag")))
    return KnownMeta(title=title, date=_iso_day(date_text), author=author if author and not _NOT_A_NAME.match(author) else None,
                     source=first(_SITE_KEYS), url=canonical or tags.get("og:url"), summary=first(_SUMMARY_KEYS),
                     tags=sections)


def _attributes(tag: str) -> dict[str, str]:
    """The attributes of one start tag, names lower-cased, values unescaped."""
    return {name.lower(): unescape(double if double or not single else single)
            for name, double, single in _ATTRIBUTE.findall(tag)}


def _tag_text(pattern: re.Pattern[str], html: str) -> str | None:
    found = pattern.search(html)
    if found is None:
        return None
    return " ".join(unescape(_ANY_TAG.sub(" ", found.group(1))).split()) or None


def _match(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    return unescape(found.group(1)) if found else None


def _iso_day(text: str | None) -> str | None:
    if not text:
        return None
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else find_date(text)


def _visible_text(html: str) -> str:
    """The page's text, one block per line, for a page trafilatura found no article in."""
    from lxml.etree import ParserError  # type: ignore[import-untyped]

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, ParserError):
        return ""
    for element in tree.xpath("//script | //style | //noscript | //head | //template"):
        element.drop_tree()
    blocks = tree.xpath("//p | //h1 | //h2 | //h3 | //li | //blockquote | //pre | //td")
    return "\n".join(" ".join(b.text_content().split()) for b in blocks)


def _with_warning(article: StrippedArticle, path: str, message: str) -> StrippedArticle:
    note = warning(path, message, hint="check the result, or save the article as text")
    return replace(article, diagnostics=(note, *article.diagnostics))
